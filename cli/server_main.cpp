#include "actors/server_supervisor.hpp"
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

int run_server(caf::actor_system& sys, const chat_config& cfg) {
  auto settings = read_server_settings(cfg);
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
