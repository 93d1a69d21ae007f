#include "actors/chat_types.hpp"

#include <chrono>

namespace chat {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace chat
