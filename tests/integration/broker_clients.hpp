#pragma once

// Test clients for the broker_link: each one a broker_link with a listener
// that records every event and discovery report, and blocking helpers.

#include "actors/client/broker_link_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "config/errors.hpp"
#include <chrono>

#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace chat::test {

/// What a listener received.
struct inbox {
  std::mutex mtx;
  std::vector<chat_event> events;
  std::vector<discovery_report> reports;

  /// Messages (kind message) in `chat` from others.
  std::vector<chat_event> messages(const std::string& chat);
  std::vector<discovery_report> all_reports();
};

struct client {
  std::string name;
  std::shared_ptr<inbox> box = std::make_shared<inbox>();
  caf::actor listener;
  broker_link_actor link;
};

/// Settings for the test run's server node (or a private one on `amqp_port`).
broker_link_settings test_settings(uint16_t amqp_port = 0);

/// `registry`: the client's registry (none: discovery over AMQP only).
client make_client(caf::actor_system& sys, const std::string& name,
                   broker_link_settings settings, registry_actor registry = {});

caf::error& last_error();

/// Sends a request and waits for ok; false (and a test message) on error.
template <class... Ts>
bool ask_ok(caf::scoped_actor& self, const broker_link_actor& link, Ts&&... xs) {
  bool ok = false;
  self->request(link, std::chrono::seconds{30}, std::forward<Ts>(xs)...)
      .receive([&](ok_atom) { ok = true; },
               [&](caf::error& err) {
                 std::cerr << "request failed: " << describe(err) << "\n";
                 last_error() = err;
               });
  return ok;
}

/// The messages in `chat`'s history (notices left out).
std::vector<chat_event> history(caf::scoped_actor& self, const client& c,
                                const std::string& chat);

/// Polls `pred` every 50 ms until it holds or `limit` passed.
bool wait_until(std::function<bool()> pred,
                std::chrono::milliseconds limit = std::chrono::seconds{20});

} // namespace chat::test
