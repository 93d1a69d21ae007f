#include "tests/integration/broker_clients.hpp"

#include "tests/integration/services.hpp"

#include <caf/event_based_actor.hpp>

#include <thread>

namespace chat::test {

std::vector<chat_event> inbox::messages(const std::string& chat) {
  std::lock_guard<std::mutex> guard{mtx};
  std::vector<chat_event> result;
  for (auto& ev : events)
    if (ev.kind == chat_event::message && ev.chat == chat && !ev.own)
      result.push_back(ev);
  return result;
}

std::vector<discovery_report> inbox::all_reports() {
  std::lock_guard<std::mutex> guard{mtx};
  return reports;
}

broker_link_settings test_settings(uint16_t amqp_port) {
  broker_link_settings s;
  s.amqp.host = "127.0.0.1";
  s.amqp.port = amqp_port != 0 ? amqp_port : running_services().amqp_port;
  if (amqp_port == 0) { // the shared node runs in secure mode
    s.amqp.user = running_services().amqp_user;
    s.amqp.password = running_services().amqp_password;
  }
  s.queue_expiry = std::chrono::seconds{60};
  s.discovery_interval = std::chrono::seconds{3};
  return s;
}

client make_client(caf::actor_system& sys, const std::string& name,
                   broker_link_settings settings, registry_actor registry) {
  client c;
  c.name = name;
  auto box = c.box;
  c.listener = sys.spawn([box](caf::event_based_actor*) -> caf::behavior {
    return {
        [box](event_atom, const chat_event& ev) {
          std::lock_guard<std::mutex> guard{box->mtx};
          box->events.push_back(ev);
        },
        [box](report_atom, const discovery_report& r) {
          std::lock_guard<std::mutex> guard{box->mtx};
          box->reports.push_back(r);
        },
    };
  });
  c.link = spawn_broker_link(sys, name, std::move(settings), "127.0.0.1:4000", c.listener,
                             std::move(registry));
  return c;
}

caf::error& last_error() {
  static caf::error err;
  return err;
}

std::vector<chat_event> history(caf::scoped_actor& self, const client& c,
                                const std::string& chat) {
  std::vector<chat_event> result;
  self->request(c.link, std::chrono::seconds{10}, history_atom::value, chat)
      .receive([&](std::vector<chat_event>& xs) { result = std::move(xs); },
               [&](caf::error&) {});
  // The history keeps join/leave notices too; the tests count messages.
  std::erase_if(result, [](auto& ev) { return ev.kind != chat_event::message; });
  return result;
}

bool wait_until(std::function<bool()> pred, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return true;
}

} // namespace chat::test
