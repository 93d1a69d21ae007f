// chat-actors: `chat-actors [client]` runs a chat client, `chat-actors
// server` a server node. See --help.

#include "adapters/client/private_chat_stream.hpp"
#include "cli/run.hpp"
#include "config/chat_config.hpp"
#include "config/errors.hpp"

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>

#include <grpc/grpc.h>

#include <langinfo.h>
#include <sys/resource.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <clocale>
#include <string>
#include <string_view>
#include <vector>

namespace {

/// Runs `command` in an actor system that is gone when this returns.
int run(const std::string& command, chat::chat_config& cfg,
        const chat::client_flags& flags) {
  caf::actor_system sys{cfg};
  if (command == "server")
    return chat::run_server(sys, cfg);
  if (command == "locate")
    return chat::run_locate(sys, cfg);
  if (!flags.oneshot.empty())
    return chat::run_oneshot(sys, cfg, flags);
  return chat::run_client(sys, cfg, flags);
}

/// Every descriptor the hard limit allows: Debian's soft default (1024) is
/// soon reached by a client that many peers connect to, and gRPC 1.51 then
/// stops accepting for good ("Failed accept4: Too many open files").
void raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

/// The environment's locale, so that libedit reads and measures UTF-8 typed
/// text (in the C locale it deletes every non-ASCII byte). Chat text is
/// UTF-8 on the wire whatever the environment says, so when its locale is
/// C/POSIX, unset, not installed or not UTF-8, characters are C.UTF-8's
/// (always present on Debian). Numbers stay C: config values and JSON must
/// not read or print a decimal comma.
void use_utf8_locale() {
  if (std::setlocale(LC_ALL, "") == nullptr ||
      std::string_view{nl_langinfo(CODESET)} != "UTF-8")
    std::setlocale(LC_CTYPE, "C.UTF-8");
  std::setlocale(LC_NUMERIC, "C");
}

} // namespace

int main(int argc, char** argv) {
  use_utf8_locale();
  std::vector<std::string> args{argv + 1, argv + argc};
  // The subcommand is the first argument that is not an option.
  std::string command = "client";
  auto is_command = [](const std::string& x) {
    return x == "server" || x == "client" || x == "locate" || x == "send" || x == "who";
  };
  if (auto i = std::find_if(args.begin(), args.end(), is_command); i != args.end()) {
    command = *i;
    args.erase(i);
  }
  chat::client_flags flags;
  std::erase_if(args, [&](const std::string& x) {
    if (x == "--batch")
      return flags.batch = true;
    if (x == "--json")
      return flags.json = true;
    if (x == "--plain")
      return flags.plain = true;
    if (x == "--no-color")
      return flags.no_color = true;
    if (x == "--show-join-code" && command == "server")
      return flags.show_join_code = true;
    if (x == "--status" && command == "server")
      return flags.status = true;
    if (x.starts_with("--forget-user=") && command == "server") {
      flags.forget_user = x.substr(x.find('=') + 1);
      return true;
    }
    return false;
  });
  if (command == "send") {
    if (auto problem = chat::take_send_arguments(args, flags); !problem.empty()) {
      std::cerr << "chat-actors: " << problem << '\n';
      return 2;
    }
  }
  if (command == "send" || command == "who")
    flags.oneshot = command;
  chat::chat_config cfg;
  chat::add_error_category(cfg);
  switch (cfg.load(args)) {
  case chat::chat_config::load_result::exit_ok:
    return 0;
  case chat::chat_config::load_result::exit_usage:
    return 2;
  case chat::chat_config::load_result::run:
    break;
  }
  auto logger = spdlog::stderr_color_mt("chat");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%H:%M:%S.%e %^%l%$ %v");
  if (flags.show_join_code)
    return chat::run_show_join_code(cfg);
  if (flags.status)
    return chat::run_server_status(cfg);
  if (!flags.forget_user.empty())
    return chat::run_forget_user(cfg, flags.forget_user);
  chat::block_shutdown_signals();
  raise_descriptor_limit();
  // Our own reference to the gRPC library, dropped last, on this thread:
  // otherwise the last channel released on a gRPC thread would start gRPC's
  // cleanup on a thread of its own that races with the process exit.
  grpc_init();
  auto rc = run(command, cfg, flags);
  chat::drain_private_streams(std::chrono::seconds{1});
  grpc_shutdown_blocking();
  return rc;
}
