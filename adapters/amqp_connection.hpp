#pragma once

// One rabbitmq-c connection with one open channel. rabbitmq-c is not
// thread-safe: an instance belongs to exactly one thread (a detached actor).

#include <caf/error.hpp>
#include <caf/timespan.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace chat {

struct amqp_settings {
  std::string host = "127.0.0.1";
  uint16_t port = 5672;
  std::string vhost = "/";
  std::string user = "guest";
  std::string password = "guest";
  caf::timespan timeout = std::chrono::seconds{2};
  int heartbeat_seconds = 10;
};

class amqp_connection {
public:
  ~amqp_connection();
  amqp_connection(const amqp_connection&) = delete;
  amqp_connection& operator=(const amqp_connection&) = delete;

  /// Connects, logs in and opens channel 1.
  static std::unique_ptr<amqp_connection> open(const amqp_settings& settings,
                                               caf::error& err);

  /// Declares an exchange (passive = false) with the given durability.
  caf::error declare_exchange(const std::string& name, const std::string& type,
                              bool durable);

private:
  amqp_connection() = default;
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace chat
