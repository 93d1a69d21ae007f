#include "cli/client/ui/escape_keys.hpp"

#include <string>

namespace chat::ui {

namespace {

escape_result done(escape_key key, size_t length) {
  escape_result result;
  result.key = key;
  result.length = length;
  return result;
}

escape_result incomplete() {
  escape_result result;
  result.incomplete = true;
  return result;
}

escape_key arrow_or_home(char32_t final) {
  switch (final) {
  case U'A':
    return escape_key::up;
  case U'B':
    return escape_key::down;
  case U'C':
    return escape_key::right;
  case U'D':
    return escape_key::left;
  case U'H':
    return escape_key::home;
  case U'F':
    return escape_key::end;
  default:
    return escape_key::none;
  }
}

/// ESC [ <number> ~ (vt220 style, as screen, tmux, rxvt and xterm send it).
escape_key tilde_key(std::u32string_view params) {
  // "1;5": modifiers after the number do not change the key.
  auto number = params.substr(0, params.find(U';'));
  std::string digits(number.begin(), number.end());
  if (digits == "1" || digits == "7")
    return escape_key::home;
  if (digits == "4" || digits == "8")
    return escape_key::end;
  if (digits == "5")
    return escape_key::page_up;
  if (digits == "6")
    return escape_key::page_down;
  if (digits == "3")
    return escape_key::del;
  if (digits == "200")
    return escape_key::paste_begin;
  if (digits == "201")
    return escape_key::paste_end;
  return escape_key::none;
}

/// ESC [ parameters intermediates final (ECMA-48 CSI).
escape_result decode_csi(std::u32string_view after) {
  // The linux console's F1-F5: ESC [ [ A … E.
  if (after.size() >= 2 && after[1] == U'[')
    return after.size() >= 3 ? done(escape_key::none, 3) : incomplete();
  size_t i = 1;
  while (i < after.size() && after[i] >= 0x30 && after[i] <= 0x3F) // parameters
    ++i;
  auto params_end = i;
  while (i < after.size() && after[i] >= 0x20 && after[i] <= 0x2F) // intermediates
    ++i;
  if (i == after.size())
    return i > max_escape_length ? done(escape_key::none, i) : incomplete();
  auto final = after[i];
  if (final < 0x40 || final > 0x7E) // broken off: drop what came so far
    return done(escape_key::none, i);
  auto params = after.substr(1, params_end - 1);
  if (final == U'~')
    return done(tilde_key(params), i + 1);
  // rxvt's modified keys end in $ (shift), ^ (ctrl), @ (both): not bound.
  return done(arrow_or_home(final), i + 1);
}

} // namespace

escape_result decode_escape(std::u32string_view after) {
  if (after.empty())
    return done(escape_key::none, 0);
  auto first = after[0];
  if (first == U'[')
    return decode_csi(after);
  if (first == U'O') { // SS3: application cursor keys, F1-F4, keypad
    if (after.size() < 2)
      return incomplete();
    return done(arrow_or_home(after[1]), 2);
  }
  if (first >= U'0' && first <= U'9') {
    auto result = done(escape_key::alt_digit, 1);
    result.digit = static_cast<int>(first - U'0');
    return result;
  }
  if (first == 0x1b) // ESC ESC: the second one starts a sequence of its own
    return done(escape_key::none, 0);
  return done(escape_key::none, 1); // Alt+<key>
}

} // namespace chat::ui
