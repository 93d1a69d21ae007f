#define CAF_SUITE render_safety
#include <caf/test/unit_test.hpp>

// Property: whatever bytes arrive from the network, no renderer (human with
// and without colour, plain, JSON) lets a byte through that a terminal would
// act on: C0 controls (tab aside), DEL, C1 controls (raw 0x80-0x9F or
// encoded U+0080-U+009F), bidi overrides and isolates, invalid UTF-8, or a
// newline that would split one event into two lines.

#include "actors/client/private_chat_rules.hpp"
#include "cli/client/render.hpp"

#include <random>
#include <regex>

using namespace chat;
using namespace chat::cli;

namespace {

/// Random bytes, biased towards what attacks a terminal.
std::string hostile(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {"\x1b[2J",
                                                  "\x1b]0;PWNED\x07",
                                                  "\x9b"
                                                  "31m",
                                                  "\xc2\x9b"
                                                  "1m",
                                                  "\n",
                                                  "\r",
                                                  "\x7f",
                                                  "\xe2\x80\xae",
                                                  "\xe2\x81\xa6",
                                                  "\xe2\x80\x8f",
                                                  "\xff",
                                                  "\xc3",
                                                  "\xed\xa0\x80",
                                                  "\x00",
                                                  "\t",
                                                  "a",
                                                  "\xc3\xa9",
                                                  "\xf0\x9f\x8e\x89",
                                                  "\xe6\x97\xa5",
                                                  "\x1b",
                                                  "\x90",
                                                  "\xc2\x85",
                                                  "\\",
                                                  "\"",
                                                  "}"};
  std::uniform_int_distribution<size_t> count{0, 12};
  std::uniform_int_distribution<size_t> pick{0, pieces.size()};
  std::uniform_int_distribution<int> byte{0, 255};
  std::string result;
  for (auto n = count(rng); n > 0; --n) {
    auto i = pick(rng);
    if (i == pieces.size())
      result += static_cast<char>(byte(rng));
    else
      result += i == 13 ? std::string{"\0", 1} : pieces[i];
  }
  return result;
}

/// Why `line` is unsafe for a terminal, or empty.
std::string unsafe(std::string line, bool color) {
  if (color) // our own SGR colour sequences are the only escapes allowed
    line = std::regex_replace(line, std::regex{"\x1b\\[[0-9;]*m"}, "");
  if (!private_chat::valid_utf8(line))
    return "invalid UTF-8";
  for (size_t i = 0; i < line.size(); ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7F)
      return "control byte " + std::to_string(c);
    auto next = i + 1 < line.size() ? static_cast<unsigned char>(line[i + 1]) : 0;
    if (c == 0xC2 && next >= 0x80 && next <= 0x9F)
      return "C1 control";
    auto third = i + 2 < line.size() ? static_cast<unsigned char>(line[i + 2]) : 0;
    if (c == 0xE2 && next == 0x80 && (third >= 0xAA && third <= 0xAE))
      return "bidi override";
    if (c == 0xE2 && next == 0x81 && (third >= 0xA6 && third <= 0xA9))
      return "bidi isolate";
  }
  return {};
}

std::vector<render_options> every_style() {
  return {{output_style::human, true, "alice"},
          {output_style::human, false, "alice"},
          {output_style::plain, false, "alice"},
          {output_style::json, false, "alice"}};
}

} // namespace

CAF_TEST(no renderer lets terminal controls through) {
  std::mt19937 rng{20261129};
  size_t lines = 0;
  for (int round = 0; round < 3000; ++round) {
    chat_event ev;
    ev.kind = static_cast<uint8_t>(round % 3);
    ev.chat = round % 2 == 0 ? "group:" + hostile(rng) : "private:" + hostile(rng);
    ev.from = hostile(rng);
    ev.text = hostile(rng);
    ev.verified = round % 4 != 0;
    discovery_report report;
    report.live.push_back({hostile(rng), hostile(rng), {hostile(rng), hostile(rng)}});
    report.joined.push_back(hostile(rng));
    report.left.push_back(hostile(rng));
    auto status = hostile(rng);
    for (auto& opts : every_style()) {
      auto color = opts.style == output_style::human && opts.color;
      for (auto& line : {render(ev, opts), render(report, opts),
                         render_changes(report, opts), render_status(status, opts)}) {
        ++lines;
        auto why = unsafe(line, color);
        if (!why.empty())
          CAF_FAIL("unsafe output (" << why << ") in style "
                                     << static_cast<int>(opts.style) << ": " << line);
      }
    }
  }
  CAF_CHECK_EQUAL(lines, 3000u * 4 * 4);
}
