#include "actors/broker_link_actor.hpp"
#include "actors/locator_client_actor.hpp"
#include "actors/private_chat_actor.hpp"
#include "actors/registry_actor.hpp"
#include "cli/cli_actor.hpp"
#include "cli/run.hpp"
#include "cli/signals.hpp"
#include "config/chat_config.hpp"
#include "config/defaults.hpp"
#include "config/errors.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include <unistd.h>

namespace chat {

namespace {

namespace d = defaults;

/// Finds the server: the configured address, else a LAN broadcast.
caf::expected<std::string> find_server(caf::actor_system& sys, const chat_config& cfg) {
  auto server = caf::get_or(cfg, "chat.server", std::string{d::server});
  if (!server.empty())
    return server;
  locator_search search;
  search.target =
      caf::get_or(cfg, "chat.locator-broadcast", std::string{d::locator_broadcast});
  search.port = caf::get_or(cfg, "chat.locator-port", d::locator_port);
  search.timeout =
      caf::get_or(cfg, "chat.locator-timeout", caf::timespan{d::locator_timeout});
  std::cerr << "searching for the server (UDP broadcast to " << search.target << ":"
            << search.port << ")…" << std::endl;
  auto locator = sys.spawn(locator_client_impl, search, broadcast_socket());
  caf::scoped_actor self{sys};
  caf::expected<std::string> result{std::string{}};
  self->request(locator, caf::infinite, locate_atom::value)
      .receive([&](const std::string& ip) { result = ip; },
               [&](caf::error& err) { result = std::move(err); });
  self->send_exit(locator, caf::exit_reason::user_shutdown);
  return result;
}

redis_settings read_redis_settings(const chat_config& cfg, const std::string& server) {
  redis_settings redis;
  redis.host = server;
  redis.port = caf::get_or(cfg, "chat.redis-port", d::redis_port);
  redis.db = caf::get_or(cfg, "chat.redis-db", d::redis_db);
  redis.password =
      caf::get_or(cfg, "chat.redis-password", std::string{d::redis_password});
  return redis;
}

/// Asks for a name on the terminal; empty when stdin is closed.
std::string prompt_name(const std::string& why) {
  if (!why.empty())
    std::cout << why << '\n';
  std::cout << "your name: " << std::flush;
  std::string line;
  if (!std::getline(std::cin, line))
    return {};
  return line;
}

std::string history_file() {
  auto home = std::getenv("HOME");
  if (home == nullptr || *home == '\0')
    return {};
  auto dir = std::string{home} + "/.local/state/chat-actors";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return ec ? std::string{} : dir + "/history";
}

/// Registers a name: the configured one, or asked for (again, with the
/// reason) while it is invalid or taken. Empty on failure (reported).
std::string register_name(caf::scoped_actor& self, const private_chat_actor& chats,
                          std::string name, endpoint& published, bool interactive,
                          int& rc) {
  std::string why;
  for (;;) {
    if (name.empty() && interactive)
      name = prompt_name(why);
    if (name.empty()) {
      std::cerr << "chat-actors: no name given (--chat.name=NAME)\n";
      rc = 2;
      return {};
    }
    caf::error failure;
    // Through the private-chat manager: it publishes its port and key.
    self->request(chats, caf::infinite, register_atom::value, name)
        .receive([&](const endpoint& ep) { published = ep; },
                 [&](caf::error& err) { failure = std::move(err); });
    if (!failure)
      return name;
    why = describe(failure);
    bool retryable = is(failure, errc::invalid_name) || is(failure, errc::name_taken);
    if (!interactive || !retryable) {
      std::cerr << "chat-actors: " << why << '\n';
      rc = is(failure, errc::invalid_name) ? 2 : 1;
      return {};
    }
    name.clear();
  }
}

} // namespace

int run_locate(caf::actor_system& sys, const chat_config& cfg) {
  auto server = find_server(sys, cfg);
  if (!server) {
    std::cerr << "chat-actors: " << describe(server.error()) << '\n';
    return 1;
  }
  std::cout << *server << std::endl;
  return 0;
}

int run_client(caf::actor_system& sys, const chat_config& cfg,
               const client_flags& flags) {
  auto server = find_server(sys, cfg);
  if (!server) {
    std::cerr << "chat-actors: " << describe(server.error()) << '\n';
    return 1;
  }
  bool interactive = isatty(STDIN_FILENO) != 0 && !flags.batch;
  cli_settings settings;
  settings.batch = !interactive;
  settings.opts.style = flags.json       ? cli::output_style::json
                        : settings.batch ? cli::output_style::plain
                                         : cli::output_style::human;
  settings.opts.color = std::getenv("NO_COLOR") == nullptr && isatty(STDOUT_FILENO) != 0;
  settings.term = interactive ? make_line_editor(history_file()) : make_batch_terminal();
  auto cli = sys.spawn(cli_impl, settings);
  auto listener = caf::actor_cast<caf::actor>(cli);
  auto ttl = caf::get_or(cfg, "chat.lease-ttl", caf::timespan{d::lease_ttl});
  auto registry = spawn_registry(sys, read_redis_settings(cfg, *server), ttl, listener);
  auto chats =
      spawn_private_chats(sys, private_chat_settings::from(cfg), registry, listener);
  if (!chats) {
    std::cerr << "chat-actors: " << describe(chats.error()) << '\n';
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(cli, caf::exit_reason::user_shutdown);
    return 1;
  }
  cli_peers peers{registry, caf::actor_cast<caf::actor>(chats->manager), {}};
  auto shutdown = [&] {
    for (auto& hdl : {peers.broker, peers.private_chats,
                      caf::actor_cast<caf::actor>(registry), listener})
      if (hdl)
        caf::anon_send_exit(hdl, caf::exit_reason::user_shutdown);
  };
  int rc = 0;
  endpoint published;
  std::string name;
  {
    caf::scoped_actor self{sys};
    name = register_name(self, chats->manager,
                         caf::get_or(cfg, "chat.name", std::string{d::name}), published,
                         interactive, rc);
  }
  if (name.empty()) {
    shutdown();
    return rc;
  }
  peers.broker = caf::actor_cast<caf::actor>(
      spawn_broker_link(sys, name, read_broker_link_settings(cfg, *server),
                        published.host + ":" + std::to_string(published.port), listener));
  caf::anon_send(cli, event_atom::value,
                 "registered as " + name + " at " + published.host + ":" +
                     std::to_string(published.port) + ", server " + *server);
  caf::anon_send(cli, start_atom::value, name, peers);
  // Ctrl+C goes to the CLI (back to the lobby, or quit there); SIGTERM and
  // SIGHUP quit cleanly.
  std::atomic<bool> done = false;
  std::thread signals{[&] {
    while (!done) {
      auto sig = wait_for_shutdown_signal();
      if (done)
        break;
      if (sig == SIGINT)
        caf::anon_send(cli, interrupt_atom::value);
      else
        caf::anon_send(cli, eof_atom::value);
    }
  }};
  {
    caf::scoped_actor self{sys};
    self->wait_for(cli);
  }
  done = true;
  wake_signal_waiter();
  signals.join();
  shutdown();
  return 0;
}

} // namespace chat
