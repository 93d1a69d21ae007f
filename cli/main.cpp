// chat-actors: `chat-actors [client]` runs a chat client, `chat-actors
// server` a server node. See --help.

#include "cli/run.hpp"
#include "config/chat_config.hpp"
#include "config/errors.hpp"

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::vector<std::string> args{argv + 1, argv + argc};
  std::string command = "client";
  if (!args.empty() && (args.front() == "server" || args.front() == "client")) {
    command = args.front();
    args.erase(args.begin());
  }
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
  chat::block_shutdown_signals();
  caf::actor_system sys{cfg};
  return command == "server" ? chat::run_server(sys, cfg) : chat::run_client(sys, cfg);
}
