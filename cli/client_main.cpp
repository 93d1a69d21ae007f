#include "actors/locator_client_actor.hpp"
#include "actors/names.hpp"
#include "actors/registry_actor.hpp"
#include "cli/run.hpp"
#include "cli/signals.hpp"
#include "config/chat_config.hpp"
#include "config/defaults.hpp"
#include "config/errors.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

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

int run_client(caf::actor_system& sys, const chat_config& cfg) {
  auto server = find_server(sys, cfg);
  if (!server) {
    std::cerr << "chat-actors: " << describe(server.error()) << '\n';
    return 1;
  }
  redis_settings redis;
  redis.host = *server;
  redis.port = caf::get_or(cfg, "chat.redis-port", d::redis_port);
  redis.db = caf::get_or(cfg, "chat.redis-db", d::redis_db);
  redis.password =
      caf::get_or(cfg, "chat.redis-password", std::string{d::redis_password});
  auto ttl = caf::get_or(cfg, "chat.lease-ttl", caf::timespan{d::lease_ttl});
  auto printer = sys.spawn([](caf::event_based_actor*) -> caf::behavior {
    return {[](event_atom, const std::string& text) {
      std::cout << "* " << text << std::endl;
    }};
  });
  auto registry = spawn_registry(sys, redis, ttl, printer);
  caf::scoped_actor self{sys};
  bool interactive = isatty(STDIN_FILENO) != 0;
  auto name = caf::get_or(cfg, "chat.name", std::string{d::name});
  std::string why;
  endpoint published{"", caf::get_or(cfg, "chat.grpc-port", d::grpc_port)};
  for (;;) {
    if (name.empty() && interactive)
      name = prompt_name(why);
    if (name.empty()) {
      std::cerr << "chat-actors: no name given (--chat.name=NAME)\n";
      self->send_exit(registry, caf::exit_reason::user_shutdown);
      return 2;
    }
    caf::error failure;
    self->request(registry, caf::infinite, register_atom::value, name, published)
        .receive([&](const endpoint& ep) { published = ep; },
                 [&](caf::error& err) { failure = std::move(err); });
    if (!failure)
      break;
    why = describe(failure);
    bool retryable = is(failure, errc::invalid_name) || is(failure, errc::name_taken);
    if (!interactive || !retryable) {
      std::cerr << "chat-actors: " << why << '\n';
      self->send_exit(registry, caf::exit_reason::user_shutdown);
      return is(failure, errc::invalid_name) ? 2 : 1;
    }
    name.clear();
  }
  std::cout << "registered as " << name << " at " << published.host << ":"
            << published.port << " on server " << *server << " (lease "
            << std::chrono::duration_cast<std::chrono::seconds>(ttl).count()
            << " s); Ctrl+C or Ctrl+D to quit" << std::endl;
  // Until the CLI actor exists: run until a signal or end of input.
  std::thread input{[] {
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    wake_signal_waiter();
  }};
  input.detach();
  wait_for_shutdown_signal();
  self->request(registry, std::chrono::seconds{2}, unregister_atom::value)
      .receive([](ok_atom) {},
               [](caf::error& err) {
                 std::cerr << "chat-actors: could not unregister: " << describe(err)
                           << '\n';
               });
  self->send_exit(registry, caf::exit_reason::user_shutdown);
  self->send_exit(printer, caf::exit_reason::user_shutdown);
  std::cout << "bye" << std::endl;
  return 0;
}

} // namespace chat
