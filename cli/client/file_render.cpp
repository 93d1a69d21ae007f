#include "cli/client/file_render.hpp"

#include "adapters/client/file_names.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>

namespace chat::cli {

namespace {

using json = nlohmann::ordered_json;

std::string percent(const file_event& ev) {
  return std::to_string(ev.size == 0 ? 100 : ev.bytes * 100 / ev.size) + "%";
}

/// "12 s", "3 min", "" if unknown.
std::string time_left(const file_event& ev) {
  if (ev.rate <= 0 || ev.bytes >= ev.size)
    return {};
  auto secs = static_cast<uint64_t>(static_cast<double>(ev.size - ev.bytes) / ev.rate);
  return secs < 120 ? std::to_string(secs) + " s" : std::to_string(secs / 60) + " min";
}

/// The line for people and for --plain (after the kind).
std::string describe(const file_event& ev) {
  auto id = ev.id.substr(0, 8);
  auto name = printable(ev.name);
  auto peer = printable(ev.peer);
  auto size = human_size(static_cast<double>(ev.size));
  switch (ev.kind) {
  case file_event::offer:
    if (!ev.incoming)
      return "offered " + name + " (" + size + ") to " + peer + " [" + id + "]";
    return peer + " offers " + name + " (" + size + ", " +
           (ev.verified ? "verified" : "UNVERIFIED: key changed") + ") [" + id +
           "]: /accept " + id + " or /decline " + id;
  case file_event::progress: {
    auto line = name + (ev.incoming ? " from " : " to ") + peer + ": " + percent(ev) +
                " of " + size;
    if (ev.rate > 0)
      line += ", " + human_size(ev.rate) + "/s";
    if (auto left = time_left(ev); !left.empty())
      line += ", " + left + " left";
    return line + " [" + id + "]";
  }
  case file_event::done:
    return name + (ev.incoming ? " from " : " to ") + peer + ": done, " + size +
           ", SHA-256 " + ev.sha256 + (ev.incoming ? " → " + printable(ev.path) : "") +
           " [" + id + "]";
  case file_event::failed:
    if (ev.id.empty())
      return printable(ev.text);
    return name + (ev.incoming ? " from " : " to ") + peer + ": " + printable(ev.text) +
           " [" + id + "]";
  default:
    if (ev.id.empty())
      return printable(ev.text);
    return name + ": " + printable(ev.text) + " [" + id + "]";
  }
}

std::string iso_time(int64_t ms) {
  auto secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

} // namespace

std::string file_event_type(const file_event& ev) {
  switch (ev.kind) {
  case file_event::offer:
    return "file_offer";
  case file_event::progress:
    return "file_progress";
  case file_event::done:
    return "file_done";
  case file_event::failed:
    return "file_failed";
  default:
    return "file_info";
  }
}

std::string render(const file_event& ev, const render_options& opts) {
  switch (opts.style) {
  case output_style::json: {
    json j{{"type", file_event_type(ev)}, {"ts", iso_time(ev.ts_ms)}};
    if (!ev.id.empty()) {
      j["id"] = ev.id;
      j[ev.incoming ? "from" : "to"] = printable(ev.peer);
      j["name"] = printable(ev.name);
      j["size"] = ev.size;
    }
    switch (ev.kind) {
    case file_event::offer:
      j["sha256"] = ev.sha256;
      j["verified"] = ev.verified;
      break;
    case file_event::progress:
      j["bytes"] = ev.bytes;
      j["rate"] = static_cast<uint64_t>(ev.rate);
      break;
    case file_event::done:
      j["sha256"] = ev.sha256;
      j["path"] = printable(ev.path);
      break;
    default:
      j["text"] = printable(ev.text);
    }
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  case output_style::plain:
    return iso_time(ev.ts_ms) + " " + file_event_type(ev) + " " + describe(ev);
  case output_style::human:
    break;
  }
  auto line = (ev.kind == file_event::failed ? "! " : "* ") + describe(ev);
  if (!opts.color)
    return line;
  return (ev.kind == file_event::failed ? "\x1b[1;31m" : "\x1b[2m") + line + "\x1b[0m";
}

} // namespace chat::cli
