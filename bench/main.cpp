// chat-bench: every case runs the chat-actors path and a raw-library
// baseline against the same server node in the same run, and prints both
// with their ratio (ours / raw). See scripts/bench.
//
//   chat-bench --redis-port=P --amqp-port=P [--n=N] [--binary=PATH]
//              [--max-users=U] [--scheduler=stealing|sharing] [--threads=T]
//              [--group-run=S:raw|raw-own|signed|unsigned]
//              [--private-run=ours|tls|plain] [--repeat=R]
//              [CASE...]

#include "adapters/client/private_chat_stream.hpp"
#include "bench/bench_util.hpp"
#include "bench/cases.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

#include <cstring>
#include <functional>
#include <iostream>
#include <map>

namespace chat::bench {

void configure(const bench_settings& s, caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom_from_string(s.scheduler));
  cfg.set("scheduler.max-threads", s.threads);
}

} // namespace chat::bench

int main(int argc, char** argv) {
  using namespace chat::bench;
  bench_settings s;
  if (auto v = std::getenv("REDISCLI_AUTH"))
    s.redis_password = v;
  if (auto v = std::getenv("CHAT_AMQP_USER"); v && *v)
    s.amqp_user = v;
  if (auto v = std::getenv("CHAT_AMQP_PASSWORD"); v && *v)
    s.amqp_password = v;
  std::vector<std::string> selected;
  auto value = [](const char* arg, const char* name) -> const char* {
    auto len = std::strlen(name);
    return std::strncmp(arg, name, len) == 0 ? arg + len : nullptr;
  };
  for (int i = 1; i < argc; ++i) {
    if (auto v = value(argv[i], "--redis-port="))
      s.redis_port = static_cast<uint16_t>(std::atoi(v));
    else if (auto v = value(argv[i], "--amqp-port="))
      s.amqp_port = static_cast<uint16_t>(std::atoi(v));
    else if (auto v = value(argv[i], "--n="))
      s.n = std::strtoul(v, nullptr, 10);
    else if (auto v = value(argv[i], "--max-users="))
      s.max_users = std::strtoul(v, nullptr, 10);
    else if (auto v = value(argv[i], "--binary="))
      s.binary = v;
    else if (auto v = value(argv[i], "--scheduler="))
      s.scheduler = v;
    else if (auto v = value(argv[i], "--threads="))
      s.threads = std::strtoul(v, nullptr, 10);
    else if (auto v = value(argv[i], "--group-run="))
      s.group_run = v;
    else if (auto v = value(argv[i], "--private-run="))
      s.private_run = v;
    else if (auto v = value(argv[i], "--repeat="))
      s.repeat = std::max<size_t>(std::strtoul(v, nullptr, 10), 1);
    else
      selected.emplace_back(argv[i]);
  }
  // In this order: a vector, not a map.
  std::vector<std::pair<std::string, std::function<void(const bench_settings&)>>> cases{
      {"group", group_case}, {"private", private_case}, {"registry", registry_case},
      {"scale", scale_case}, {"startup", startup_case}, {"backlog", backlog_case},
  };
  header();
  for (auto& [name, run] : cases)
    if (selected.empty() ||
        std::find(selected.begin(), selected.end(), name) != selected.end())
      run(s);
  chat::drain_private_streams(std::chrono::seconds{1});
  return 0;
}
