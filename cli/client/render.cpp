#include "cli/client/render.hpp"

#include "config/defaults.hpp"

#include <nlohmann/json.hpp>

#include <ctime>

namespace chat::cli {

namespace {

using json = nlohmann::ordered_json;

std::string clock_time(int64_t ts_ms) {
  std::time_t secs = ts_ms / 1000;
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[8];
  std::strftime(buf, sizeof(buf), "%H:%M", &tm);
  return buf;
}

std::string iso_time(int64_t ts_ms) {
  std::time_t secs = ts_ms / 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char ms[8];
  std::snprintf(ms, sizeof(ms), ".%03dZ", static_cast<int>(ts_ms % 1000));
  return std::string{buf} + ms;
}

std::string paint(const std::string& text, const std::string& sgr, bool color) {
  return color && !sgr.empty() ? "\033[" + sgr + "m" + text + "\033[0m" : text;
}

/// SGR parameters for `attrs` ("1" bold, "2" dim, or none) in `color`.
std::string style(std::string_view attrs, theme_color color) {
  auto fg = sgr_foreground(color);
  if (attrs.empty() || fg.empty())
    return std::string{attrs} + fg;
  return std::string{attrs} + ";" + fg;
}

const char* type_name(uint8_t kind) {
  switch (kind) {
  case chat_event::message:
    return "message";
  case chat_event::info:
    return "info";
  case chat_event::joined:
  case chat_event::left:
    return "event";
  default:
    return "error";
  }
}

bool is_membership(const chat_event& ev) {
  return ev.kind == chat_event::joined || ev.kind == chat_event::left;
}

/// JSON with invalid UTF-8 replaced instead of throwing.
std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

namespace {

/// The length of the UTF-8 sequence at `s[i]` and its code point; 0 if the
/// bytes there are not one (truncated, overlong, a surrogate, too big).
size_t utf8_at(const std::string& s, size_t i, uint32_t& cp) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto c = byte(0);
  size_t n = c < 0x80           ? 1
             : (c >> 5) == 0x6  ? 2
             : (c >> 4) == 0xe  ? 3
             : (c >> 3) == 0x1e ? 4
                                : 0;
  if (n == 0 || i + n > s.size())
    return 0;
  cp = n == 1 ? c : c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(k) & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (byte(k) & 0x3f);
  }
  static constexpr uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

bool harmless(uint32_t cp) {
  if (cp < 0x20)
    return cp == '\t';
  if (cp >= 0x7f && cp <= 0x9f) // DEL and the C1 controls (0x9b is a CSI)
    return false;
  // Bidirectional embeddings, overrides and isolates reorder what follows.
  return !(cp >= 0x202a && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069);
}

} // namespace

std::string printable(const std::string& text) {
  std::string result;
  result.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    auto n = utf8_at(text, i, cp);
    if (n == 0) { // not UTF-8: dropped byte by byte
      ++i;
      continue;
    }
    if (harmless(cp))
      result.append(text, i, n);
    i += n;
  }
  return result;
}

const std::vector<int>& name_palette() {
  // Chosen from the 6x6x6 cube by maximising the smallest ΔE between any
  // two, among colours with contrast ≥ 3.2 on black and white, clearly
  // coloured (chroma ≥ 35) and unlike the red of errors; ordered by hue.
  // Every pair differs by ΔE ≥ 30 (render_test checks it).
  static const std::vector<int> palette{defaults::theme_nicks.begin(),
                                        defaults::theme_nicks.end()};
  return palette;
}

int name_color(const std::string& name, const std::vector<int>& palette) {
  uint32_t h = 5381; // djb2
  for (unsigned char c : name)
    h = h * 33 + c;
  auto& colors = palette.empty() ? name_palette() : palette;
  return colors[h % colors.size()];
}

std::string render(const chat_event& ev, const render_options& opts) {
  auto text = printable(ev.text);
  switch (opts.style) {
  case output_style::json: {
    // Filtered too: a script's output often ends up on a terminal.
    json j{{"type", type_name(ev.kind)},
           {"chat", printable(ev.chat)},
           {"text", text},
           {"ts", iso_time(ev.ts_ms)}};
    if (ev.kind == chat_event::message) {
      j["from"] = printable(ev.from);
      j["own"] = ev.own;
      j["verified"] = ev.verified;
    }
    if (is_membership(ev)) {
      j["event"] = ev.kind == chat_event::joined ? "join" : "leave";
      j["from"] = printable(ev.from);
      j["verified"] = ev.verified;
    }
    if (ev.backlog)
      j["backlog"] = true;
    return dump(j);
  }
  case output_style::plain: {
    // A name with a newline must not split the line a script reads.
    std::string line =
        iso_time(ev.ts_ms) + " " + type_name(ev.kind) + " " + printable(ev.chat);
    if (ev.kind == chat_event::message)
      line += " " + printable(ev.from) + (ev.verified ? "" : "(unverified)") + ":";
    if (is_membership(ev) && !ev.verified)
      text += " (unverified)";
    return line + " " + text;
  }
  case output_style::human:
    break;
  }
  auto& colors = opts.colors;
  auto when = paint(clock_time(ev.ts_ms), style("2", colors.timestamp), opts.color);
  auto notice = style("2", colors.notice);
  if (ev.kind == chat_event::info)
    return when + " " + paint("* " + text, notice, opts.color);
  if (ev.kind == chat_event::error)
    return when + " " + paint("! " + text, style("1", colors.error), opts.color);
  // A notice, not a chat line; one nobody proved is marked like a message.
  if (is_membership(ev))
    return when + " " + paint("* " + text, notice, opts.color) +
           (ev.verified
                ? ""
                : paint(" (unverified)", style("", colors.unverified), opts.color));
  // Own lines under our own name (as irssi and WeeChat show them), in the
  // colour of our own lines.
  auto sender = ev.own && !opts.self_name.empty() ? printable(opts.self_name)
                : ev.own                          ? std::string{"you"}
                                                  : printable(ev.from);
  auto sender_style = ev.own ? style("1", colors.own_name)
                             : style("1", name_color(ev.from, colors.nicks));
  // "/me waves" is an action: "* alice waves".
  if (text.starts_with("/me ") && text.size() > 4) {
    auto action = when + " " + paint("* " + sender, sender_style, opts.color) + " " +
                  text.substr(4);
    return ev.verified || ev.own
               ? action
               : action +
                     paint(" (unverified)", style("", colors.unverified), opts.color);
  }
  // Names right-aligned in 5 terminal columns (wider ones push the text).
  auto name = sender;
  if (auto width = display_width(name); width < 5)
    name.insert(0, 5 - width, ' ');
  auto who = paint(name, sender_style, opts.color);
  if (ev.own)
    return when + " " + who + " │ " + text;
  // Every sender that did not prove itself is marked (an original client,
  // a forged name, a changed key); one under our own name without our
  // signature is called what it is.
  auto unproven = !ev.verified;
  auto impostor = unproven && !opts.self_name.empty() && ev.from == opts.self_name;
  auto mark =
      impostor   ? paint(" (not sent by you)", style("1", colors.unverified), opts.color)
      : unproven ? paint(" (unverified)", style("", colors.unverified), opts.color)
                 : "";
  return when + " " + who + " │ " + text + mark;
}

std::string render(const discovery_report& report, const render_options& opts) {
  if (opts.style == output_style::json) {
    auto all_printable = [](const std::vector<std::string>& xs) {
      std::vector<std::string> result;
      for (auto& x : xs)
        result.push_back(printable(x));
      return result;
    };
    json live = json::array();
    for (auto& peer : report.live)
      live.push_back({{"name", printable(peer.name)},
                      {"endpoint", printable(peer.endpoint)},
                      {"groups", all_printable(peer.groups)}});
    return dump(json{{"type", "discovery"},
                     {"live", live},
                     {"joined", all_printable(report.joined)},
                     {"left", all_printable(report.left)}});
  }
  std::string line = opts.style == output_style::plain ? "discovery online:" : "online:";
  if (report.live.empty())
    line += " nobody else";
  for (auto& peer : report.live) {
    line += " " + printable(peer.name);
    std::string details = printable(peer.endpoint);
    for (auto& group : peer.groups)
      details += (details.empty() ? "#" : " #") + printable(group);
    if (!details.empty())
      line += " (" + details + ")";
  }
  if (auto changes = render_changes(report, opts); !changes.empty())
    line += "; " + changes;
  return line;
}

discovery_report listing(discovery_report report) {
  report.joined.clear();
  report.left.clear();
  return report;
}

std::string render_changes(const discovery_report& report, const render_options&) {
  auto names = [](const std::vector<std::string>& xs) {
    std::string result;
    for (auto& x : xs)
      result += " " + printable(x);
    return result;
  };
  std::string line;
  if (!report.joined.empty())
    line += "joined:" + names(report.joined);
  if (!report.left.empty())
    line += (line.empty() ? "left:" : "; left:") + names(report.left);
  return line;
}

std::string render_status(const std::string& text, const render_options& opts) {
  switch (opts.style) {
  case output_style::json:
    return dump(json{{"type", "status"}, {"text", printable(text)}});
  case output_style::plain:
    return "status " + printable(text);
  case output_style::human:
    break;
  }
  return paint("-- " + printable(text), style("2", opts.colors.notice), opts.color);
}

std::string render_input(const std::string& prompt, const std::string& line,
                         const render_options& opts) {
  return paint(prompt + printable(line), "2", opts.color);
}

} // namespace chat::cli
