#include "actors/server_supervisor.hpp"
#include "adapters/server_secrets.hpp"
#include "cli/run.hpp"
#include "cli/signals.hpp"
#include "config/chat_config.hpp"
#include "config/errors.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <thread>

namespace chat {

namespace {

/// Secure mode: secrets ready, the join code printed and kept in the state
/// dir. Open mode: says loudly that the LAN is trusted. 0 or an exit code.
int prepare_mode(server_settings& settings) {
  if (settings.open) {
    std::cout << "WARNING: open mode (chat.allow-original-clients=true): the LAN is "
                 "trusted. Anyone on it can read and rewrite the name server, log in "
                 "to the broker as guest/guest and read every message; nothing is "
                 "encrypted."
              << std::endl;
    return 0;
  }
  if (auto err = secure_server_settings(settings)) {
    std::cerr << "chat-actors server: " << describe(err) << '\n';
    return 1;
  }
  if (!settings.managed)
    std::cout << "note: chat.managed=false: the Redis and RabbitMQ that answer must "
                 "use this node's secrets (README: Security)"
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

int run_server(caf::actor_system& sys, const chat_config& cfg) {
  auto settings = read_server_settings(cfg);
  if (auto rc = prepare_mode(settings); rc != 0)
    return rc;
  auto supervisor = spawn_server_supervisor(sys, settings);
  std::thread signal_thread{[supervisor] {
    auto sig = wait_for_shutdown_signal();
    if (sig != SIGHUP)
      spdlog::info("signal {}: stopping", sig);
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
  std::cout << "server stopped" << std::endl;
  return rc;
}

} // namespace chat
