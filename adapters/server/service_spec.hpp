#pragma once

// What the service actor (actors/server/service_actor.hpp) needs to know of one
// server program: how to tell that it answers and how to start it. The
// adapters that describe redis-server and rabbitmq-server fill it in.

#include "adapters/server/child_process.hpp"
#include "config/defaults.hpp"

#include <caf/expected.hpp>
#include <caf/timestamp.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace chat {

struct service_spec {
  /// "redis" or "rabbitmq".
  std::string name;
  uint16_t port = 0;
  /// Start the program when nothing answers.
  bool managed = true;
  /// Does the service answer? Blocking, with a short timeout.
  std::function<bool()> answers;
  /// Writes config files and says how to start the program.
  std::function<caf::expected<child_spec>()> prepare;
  /// How long a started program may take to answer.
  caf::timespan ready_timeout = std::chrono::seconds{60};
  caf::timespan probe_interval = std::chrono::milliseconds{250};
  /// Once ready, `answers` is asked again this often (0: never); a managed
  /// program that fails it `liveness_failures` times in a row is restarted
  /// (it answers wrongly: another password, a replica, paused).
  caf::timespan liveness_interval{};
  int liveness_failures = 3;
  /// Delays between restarts of a managed program that keeps failing.
  backoff_policy restarts = defaults::service_restarts;
};

} // namespace chat
