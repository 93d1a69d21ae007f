#include "tests/integration/services.hpp"

#include <caf/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <random>

namespace chat::test {

redis_settings services::redis() const {
  redis_settings result;
  result.host = "127.0.0.1";
  result.port = redis_port;
  result.password = redis_password;
  return result;
}

const services& running_services() {
  static services result = [] {
    services s;
    auto path = std::getenv("CHAT_TEST_ENV");
    CAF_REQUIRE(path != nullptr);
    std::ifstream in{path};
    CAF_REQUIRE(in.good());
    std::string line;
    while (std::getline(in, line)) {
      auto eq = line.find('=');
      if (eq == std::string::npos)
        continue;
      auto key = line.substr(0, eq);
      if (key.rfind("export ", 0) == 0)
        key.erase(0, 7);
      auto text = line.substr(eq + 1);
      auto value =
          static_cast<uint16_t>(std::strtoul(line.c_str() + eq + 1, nullptr, 10));
      if (key == "REDISCLI_AUTH")
        s.redis_password = text;
      else if (key == "CHAT_AMQP_USER")
        s.amqp_user = text;
      else if (key == "CHAT_AMQP_PASSWORD")
        s.amqp_password = text;
      else if (key == "CHAT_TEST_REDIS_PORT")
        s.redis_port = value;
      else if (key == "CHAT_TEST_AMQP_PORT")
        s.amqp_port = value;
      else if (key == "CHAT_TEST_LOCATOR_PORT")
        s.locator_port = value;
    }
    CAF_REQUIRE(s.redis_port != 0 && s.amqp_port != 0);
    return s;
  }();
  return result;
}

std::string unique_name(const std::string& prefix) {
  static std::mt19937 rng{std::random_device{}()};
  return prefix + std::to_string(rng() % 1'000'000);
}

} // namespace chat::test
