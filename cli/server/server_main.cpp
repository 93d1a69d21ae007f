#include "actors/common/names.hpp"
#include "actors/server/server_supervisor.hpp"
#include "adapters/common/redis_client.hpp"
#include "adapters/common/registry_keys.hpp"
#include "adapters/server/cluster_node.hpp"
#include "adapters/server/managed_services.hpp"
#include "adapters/server/rabbit_accounts.hpp"
#include "adapters/server/server_secrets.hpp"
#include "cli/run.hpp"
#include "cli/signals.hpp"
#include "config/chat_config.hpp"
#include "config/errors.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <thread>

#include <sys/stat.h>

namespace chat {

namespace {

/// Secure mode: secrets ready, the join code printed and kept in the state
/// dir. Open mode: says loudly that the LAN is trusted. 0 or an exit code.
int prepare_mode(server_settings& settings) {
  if (settings.open && settings.clustered()) {
    std::cerr << "chat-actors server: a cluster runs in secure mode only (drop "
                 "chat.allow-original-clients or chat.cluster-secret)\n";
    return 1;
  }
  if (settings.open) {
    std::cout << "WARNING: open mode (chat.allow-original-clients=true): the LAN is "
                 "trusted. Anyone on it can read and rewrite the name server, log in "
                 "to the broker as guest/guest and read every message; nothing is "
                 "encrypted."
              << std::endl;
    return 0;
  }
  if (settings.clustered() && !settings.managed) {
    std::cerr << "chat-actors server: a cluster node manages its own services "
                 "(chat.managed=false is not supported with chat.cluster-secret)\n";
    return 1;
  }
  auto err = settings.clustered() ? prepare_cluster_node(settings)
                                  : secure_server_settings(settings);
  if (err) {
    std::cerr << "chat-actors server: " << describe(err) << '\n';
    return 1;
  }
  if (!settings.managed)
    std::cout << "note: chat.managed=false: the Redis and RabbitMQ that answer must "
                 "use this node's secrets (docs/security.md)"
              << std::endl;
  auto code = encode(server_join_code(settings));
  if (auto err = write_private_file(join_code_file(settings.state_dir), code + "\n")) {
    std::cerr << "chat-actors server: " << describe(err) << '\n';
    return 1;
  }
  std::cout << "join code: " << code << std::endl;
  return 0;
}

} // namespace

int run_show_join_code(const chat_config& cfg) {
  auto settings = read_server_settings(cfg);
  if (settings.open) {
    std::cerr << "chat-actors server: open mode (chat.allow-original-clients=true) has "
                 "no join code\n";
    return 2;
  }
  if (auto err = secure_server_settings(settings)) {
    std::cerr << "chat-actors server: " << describe(err) << '\n';
    return 1;
  }
  std::cout << encode(server_join_code(settings)) << std::endl;
  return 0;
}

int run_forget_user(const chat_config& cfg, const std::string& name) {
  auto settings = read_server_settings(cfg);
  if (settings.open) {
    std::cerr << "chat-actors server: open mode (chat.allow-original-clients=true) has "
                 "no per-user broker accounts\n";
    return 2;
  }
  if (auto problem = name_problem(name); !problem.empty()) {
    std::cerr << "chat-actors server: --forget-user: " << problem << '\n';
    return 2;
  }
  auto queues = forget_broker_account(rabbit_dir(settings.state_dir, settings.amqp),
                                      settings.amqp.vhost, name);
  if (!queues) {
    std::cerr << "chat-actors server: " << describe(queues.error()) << '\n';
    return 1;
  }
  std::cout << "forgot " << name << ": its broker account and " << *queues
            << " queue(s) with what waited for it; the next identity key to ask for "
               "the name gets it"
            << std::endl;
  return 0;
}

int run_server(caf::actor_system& sys, const chat_config& cfg) {
  // Everything the node and its services write (state, secrets, message
  // store) is readable by its user only.
  umask(077);
  auto settings = read_server_settings(cfg);
  if (auto rc = prepare_mode(settings); rc != 0)
    return rc;
  auto supervisor = spawn_server_supervisor(sys, settings);
  std::thread signal_thread{[supervisor, settings] {
    auto sig = wait_for_shutdown_signal();
    if (sig != SIGHUP)
      spdlog::info("signal {}: stopping", sig);
    // A clean stop of a cluster node leaves the cluster while its services
    // still run. SIGHUP (a closed terminal, or our own wake-up after the
    // supervisor ended) is not a leave: the node comes back as a member.
    if ((sig == SIGINT || sig == SIGTERM) && settings.clustered())
      leave_cluster(*settings.security->cluster,
                    rabbit_dir(settings.state_dir, settings.amqp));
    caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
  }};
  int rc = 0;
  { // A scoped_actor counts as running: it must be gone before awaiting.
    caf::scoped_actor self{sys};
    self->monitor(supervisor);
    self->receive([&](const caf::down_msg& msg) {
      if (msg.reason && msg.reason != caf::exit_reason::user_shutdown) {
        std::cerr << "chat-actors server: " << describe(msg.reason) << '\n';
        rc = 1;
      }
    });
  }
  wake_signal_waiter();
  signal_thread.join();
  sys.await_all_actors_done();
  if (settings.clustered() && rc == 0)
    forget_left_node(*settings.security->cluster);
  std::cout << "server stopped" << std::endl;
  return rc;
}

} // namespace chat

namespace chat {

namespace {

/// A flat Redis array of alternating field names and values, as a lookup.
std::string field_of(const redis_reply& flat, const std::string& name) {
  for (size_t i = 0; i + 1 < flat.elements.size(); i += 2)
    if (flat.elements[i].str == name)
      return flat.elements[i + 1].str;
  return {};
}

std::string joined(const std::vector<std::string>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : ", ") + x;
  return out.empty() ? "none" : out;
}

} // namespace

int run_server_status(const chat_config& cfg) {
  auto settings = read_server_settings(cfg);
  if (!settings.clustered()) {
    std::cerr << "chat-actors server: --status describes a cluster node (set "
                 "chat.cluster-secret)\n";
    return 2;
  }
  if (auto err = secure_server_settings(settings)) {
    std::cerr << "chat-actors server: " << describe(err) << '\n';
    return 1;
  }
  cluster_node node;
  node.address = settings.node_address.empty() ? detect_node_address(settings.join)
                                               : settings.node_address;
  node.members = read_known_members(settings.state_dir);
  node.password = settings.security->secrets.redis_password;
  node.redis_admin_password = settings.security->secrets.redis_admin_password;
  node.sentinel_port = settings.sentinel_port;
  node.redis_port = settings.redis.port;
  std::cout << "node: " << node.address << '\n';
  auto timeout = std::chrono::milliseconds{500};
  auto master = find_redis_master(node);
  std::cout << "redis master: " << master.value_or("unknown (no Sentinel answers)")
            << '\n';
  redis_settings at;
  at.port = settings.sentinel_port;
  at.password = node.password;
  at.timeout = timeout;
  redis_client sentinel{at};
  if (auto r = sentinel.command({"SENTINEL", "replicas", sentinel_master_name});
      r && r->type == redis_reply::kind::array) {
    std::vector<std::string> replicas;
    for (auto& rep : r->elements)
      replicas.push_back(field_of(rep, "ip") + " (" + field_of(rep, "flags") + ")");
    std::cout << "redis replicas: " << joined(replicas) << '\n';
  }
  if (auto r = sentinel.command({"SENTINEL", "sentinels", sentinel_master_name});
      r && r->type == redis_reply::kind::array)
    std::cout << "sentinels: " << r->elements.size() + 1 << " (quorum "
              << field_of(*sentinel.command({"SENTINEL", "master", sentinel_master_name}),
                          "quorum")
              << ")\n";
  if (master) {
    auto s = at;
    s.host = *master;
    s.port = settings.redis.port;
    s.password = node.redis_admin_password;
    redis_client redis{s};
    if (auto r = redis.command({"HGETALL", members_key});
        r && r->type == redis_reply::kind::array) {
      auto now = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
      std::vector<std::string> members;
      for (size_t i = 0; i + 1 < r->elements.size(); i += 2) {
        auto age = now - std::atoll(r->elements[i + 1].str.c_str());
        members.push_back(
            r->elements[i].str +
            (age <= 10 ? " (up)" : " (not seen for " + std::to_string(age) + " s)"));
      }
      std::cout << "members: " << joined(members) << '\n';
    }
  }
  auto rabbit = rabbit_dir(settings.state_dir, settings.amqp);
  if (auto view = rabbit_cluster_status(rabbit)) {
    std::cout << "rabbitmq nodes: " << joined(view->nodes) << '\n'
              << "rabbitmq running: " << joined(view->running) << '\n'
              << "rabbitmq partitions: " << joined(view->partitions) << '\n'
              << "rabbitmq alarms: " << joined(view->alarms) << '\n';
  } else {
    std::cout << "rabbitmq: " << describe(view.error()) << '\n';
  }
  auto queues = run_rabbit_tool(
      rabbit, "rabbitmqctl",
      {"list_queues", "name", "type", "leader", "members", "-q", "--no-table-headers"});
  if (queues.ok()) {
    std::cout << "quorum queues (name, type, leader, members):\n";
    std::istringstream lines{queues.output};
    std::string line;
    while (std::getline(lines, line))
      if (line.find("quorum") != std::string::npos)
        std::cout << "  " << line << '\n';
  }
  std::cout << std::flush;
  return master ? 0 : 1;
}

} // namespace chat
