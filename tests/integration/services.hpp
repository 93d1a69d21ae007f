#pragma once

// The server node that scripts/test-services started for this test run.

#include "adapters/common/redis_client.hpp"

#include <cstdint>
#include <string>

namespace chat::test {

struct services {
  uint16_t redis_port = 0;
  uint16_t amqp_port = 0;
  uint16_t locator_port = 0;
  /// Secure mode: Redis password and the broker administrator (loopback).
  std::string redis_password;
  std::string amqp_user = "guest";
  std::string amqp_password = "guest";

  redis_settings redis() const;
};

/// Reads $CHAT_TEST_ENV; fails the test if the services are not up.
const services& running_services();

/// A name no other test (or earlier run) uses: prefix + random suffix.
std::string unique_name(const std::string& prefix);

} // namespace chat::test
