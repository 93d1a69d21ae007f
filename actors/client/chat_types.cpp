#include "actors/client/chat_types.hpp"

#include <chrono>

namespace chat {

namespace {

constexpr std::string_view group_prefix = "group:";

} // namespace

std::string group_chat(const std::string& group) {
  return std::string{group_prefix} + group;
}

std::string group_of(std::string_view chat) {
  return chat.starts_with(group_prefix) ? std::string{chat.substr(group_prefix.size())}
                                        : std::string{};
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace chat
