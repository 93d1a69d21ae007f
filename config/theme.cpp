#include "config/theme.hpp"

#include "config/defaults.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/settings.hpp>

#include <array>
#include <charconv>

namespace chat {

namespace {

constexpr std::array<std::string_view, 8> color_names{
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"};

constexpr std::string_view expected_color =
    "a colour: default, black, red, green, yellow, blue, magenta, cyan, white, "
    "bright-<one of these>, or 0..255";

/// The single-colour keys and the members they set ("nicks" is the palette).
constexpr std::pair<std::string_view, theme_color theme::*> color_keys[] = {
    {"timestamp", &theme::timestamp},
    {"notice", &theme::notice},
    {"error", &theme::error},
    {"own-name", &theme::own_name},
    {"unverified", &theme::unverified},
    {"highlight", &theme::highlight},
    {"read-marker", &theme::read_marker},
    {"status-fg", &theme::status_fg},
    {"status-bg", &theme::status_bg}};

/// The member of `t` that `key` names; null for "nicks" and unknown keys.
theme_color* member(theme& t, std::string_view key) {
  for (auto& [name, field] : color_keys)
    if (name == key)
      return &(t.*field);
  return nullptr;
}

/// A colour given as a string or an integer.
std::optional<theme_color> color_of(const caf::config_value& value) {
  if (auto text = caf::get_if<std::string>(&value))
    return parse_color(*text);
  if (auto n = caf::get_if<int64_t>(&value); n && *n >= 0 && *n <= 255)
    return static_cast<theme_color>(*n);
  return std::nullopt;
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ')
    text.remove_suffix(1);
  return std::string{text};
}

/// The nick palette: a list, or one comma-separated string.
std::optional<std::vector<theme_color>> palette_of(const caf::config_value& value) {
  std::vector<theme_color> result;
  if (auto list = caf::get_if<caf::config_value::list>(&value)) {
    for (auto& x : *list)
      if (auto c = color_of(x))
        result.push_back(*c);
      else
        return std::nullopt;
  } else if (auto text = caf::get_if<std::string>(&value)) {
    std::string_view rest = *text;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto c = parse_color(trimmed(rest.substr(0, comma)));
      if (!c)
        return std::nullopt;
      result.push_back(*c);
      rest =
          comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  if (result.empty())
    return std::nullopt;
  return result;
}

/// The value as the user wrote it (a string without CAF's quotes).
std::string shown(const caf::config_value& value) {
  if (auto text = caf::get_if<std::string>(&value))
    return *text;
  return caf::to_string(value);
}

} // namespace

const std::vector<std::string_view>& theme_keys() {
  static const auto keys = [] {
    std::vector<std::string_view> result;
    for (auto& [name, field] : color_keys)
      result.push_back(name);
    result.push_back("nicks");
    return result;
  }();
  return keys;
}

std::optional<theme_color> parse_color(std::string_view text) {
  if (text == "default")
    return -1;
  if (!text.empty() && text.size() <= 3 &&
      text.find_first_not_of("0123456789") == std::string_view::npos) {
    int n = 0;
    std::from_chars(text.data(), text.data() + text.size(), n);
    if (n <= 255)
      return n;
    return std::nullopt;
  }
  auto bright = text.starts_with("bright-");
  if (bright)
    text.remove_prefix(7);
  for (size_t i = 0; i < color_names.size(); ++i)
    if (text == color_names[i])
      return static_cast<theme_color>(i + (bright ? 8 : 0));
  return std::nullopt;
}

const theme& default_theme() {
  namespace d = defaults;
  static const theme result = [] {
    theme t;
    t.timestamp = *parse_color(d::theme_timestamp);
    t.notice = *parse_color(d::theme_notice);
    t.error = *parse_color(d::theme_error);
    t.own_name = *parse_color(d::theme_own_name);
    t.unverified = *parse_color(d::theme_unverified);
    t.highlight = *parse_color(d::theme_highlight);
    t.read_marker = *parse_color(d::theme_read_marker);
    t.status_fg = *parse_color(d::theme_status_fg);
    t.status_bg = *parse_color(d::theme_status_bg);
    t.nicks.assign(d::theme_nicks.begin(), d::theme_nicks.end());
    return t;
  }();
  return result;
}

std::string set_theme_value(theme& t, std::string_view key,
                            const caf::config_value& value) {
  auto bad = [&](std::string_view expected) {
    return "bad value for chat.theme." + std::string{key} + ": expected " +
           std::string{expected} + ", got '" + shown(value) + "'";
  };
  if (key == "nicks") {
    auto palette = palette_of(value);
    if (!palette)
      return bad("a list of colours, e.g. [\"red\", \"bright-blue\", 208] (each " +
                 std::string{expected_color} + ")");
    t.nicks = std::move(*palette);
    return {};
  }
  auto target = member(t, key);
  if (target == nullptr) {
    std::string keys;
    for (auto k : theme_keys())
      keys += (keys.empty() ? "" : ", ") + std::string{k};
    return "unknown option chat.theme." + std::string{key} +
           " (the theme's keys: " + keys + ")";
  }
  auto c = color_of(value);
  if (!c)
    return bad(expected_color);
  *target = *c;
  return {};
}

std::string check_theme(const caf::config_value& section, std::string* bad_key) {
  auto entries = caf::get_if<caf::config_value::dictionary>(&section);
  if (entries == nullptr)
    return "chat.theme is a section: [chat.theme] with one key = colour per line";
  theme scratch = default_theme();
  for (auto& [key, value] : *entries)
    if (auto problem = set_theme_value(scratch, key, value); !problem.empty()) {
      if (bad_key != nullptr)
        *bad_key = key;
      return problem;
    }
  return {};
}

theme read_theme(const caf::actor_system_config& cfg) {
  auto result = default_theme();
  auto section = caf::get_if(&cfg.content, "chat.theme");
  if (section == nullptr)
    return result;
  if (auto entries = caf::get_if<caf::config_value::dictionary>(section))
    for (auto& [key, value] : *entries)
      set_theme_value(result, key, value);
  return result;
}

std::string sgr_foreground(theme_color color) {
  if (color < 0 || color > 255)
    return {};
  if (color < 8)
    return std::to_string(30 + color);
  if (color < 16)
    return std::to_string(90 + color - 8);
  return "38;5;" + std::to_string(color);
}

} // namespace chat
