// The one translation unit that provides main() for a CAF test runner.
#define CAF_TEST_NO_MAIN
#include <caf/test/unit_test_impl.hpp>

#include "adapters/client/private_chat_stream.hpp"
#include "config/errors.hpp"

#include <caf/actor_system_config.hpp>

int main(int argc, char** argv) {
  auto rc = caf::test::main(argc, argv);
  // Cancelled streams are freed by gRPC's threads: not during teardown.
  chat::drain_private_streams(std::chrono::seconds{1});
  return rc;
}
