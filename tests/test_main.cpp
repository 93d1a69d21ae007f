// The one translation unit that provides main() for a CAF test runner.
#define CAF_TEST_NO_MAIN
#include <caf/test/unit_test_impl.hpp>

#include "config/errors.hpp"

#include <caf/actor_system_config.hpp>

int main(int argc, char** argv) {
  return caf::test::main(argc, argv);
}
