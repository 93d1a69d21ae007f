#include "adapters/common/sodium_ready.hpp"

#include <sodium.h>

#include <stdexcept>

namespace chat {

void require_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready)
    throw std::runtime_error("cannot initialise libsodium");
}

} // namespace chat
