#pragma once

// Events the rendering tests print: a group message at a fixed time.

#include "actors/client/chat_types.hpp"

#include <string>

namespace chat::test {

inline chat_event group_message(std::string from, std::string text) {
  chat_event ev;
  ev.chat = "group:room";
  ev.from = std::move(from);
  ev.text = std::move(text);
  ev.ts_ms = 1'700'000'000'123;
  return ev;
}

} // namespace chat::test
