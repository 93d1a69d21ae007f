#define CAF_SUITE render
#include <caf/test/unit_test.hpp>

#include "cli/client/render.hpp"
#include "tests/cli/client/sample_events.hpp"

#include <algorithm>
#include <array>
#include <cmath>

using namespace chat;
using namespace chat::cli;

CAF_TEST(json lines carry the documented fields) {
  render_options opts{output_style::json, false};
  CAF_CHECK_EQUAL(
      render(test::group_message("bob", "hi"), opts),
      R"({"type":"message","chat":"group:room","text":"hi",)"
      R"("ts":"2023-11-14T22:13:20.123Z","from":"bob","own":false,"verified":true})");
}

CAF_TEST(control characters never reach the terminal) {
  render_options opts{output_style::human, false};
  auto line = render(test::group_message("bob", "a\033[2Jb\rc\td"), opts);
  CAF_CHECK(line.find('\033') == std::string::npos);
  CAF_CHECK(line.find('\r') == std::string::npos);
  CAF_CHECK(line.find("a[2Jbc\td") != std::string::npos);
}

CAF_TEST(own and unverified lines are set apart) {
  render_options opts{output_style::human, false};
  auto own = test::group_message("alice", "mine");
  own.own = true;
  CAF_CHECK(render(own, opts).find("you │ mine") != std::string::npos);
  // With our name known, own lines carry it, as irssi and WeeChat show them.
  auto named = opts;
  named.self_name = "alice";
  CAF_CHECK(render(own, named).find("alice │ mine") != std::string::npos);
  auto forged = test::group_message("bob", "trust me");
  forged.chat = "private:bob";
  forged.verified = false;
  CAF_CHECK(render(forged, opts).find("(unverified)") != std::string::npos);
}

CAF_TEST(colours are stable per name and off without color) {
  CAF_CHECK_EQUAL(name_color("bob"), name_color("bob"));
  render_options plain{output_style::human, false};
  CAF_CHECK(render(test::group_message("bob", "x"), plain).find('\033') ==
            std::string::npos);
  render_options color{output_style::human, true};
  CAF_CHECK(render(test::group_message("bob", "x"), color).find('\033') !=
            std::string::npos);
}

CAF_TEST(discovery reports list users and groups) {
  discovery_report report;
  report.live = {{"bob", "10.0.0.2:5000", {"room", "news"}}, {"carol", "", {}}};
  report.joined = {"carol"};
  render_options opts{output_style::plain, false};
  CAF_CHECK_EQUAL(
      render(report, opts),
      "discovery online: bob (10.0.0.2:5000 #room #news) carol; joined: carol");
}

CAF_TEST(nothing sent can steer the terminal or split a script line) {
  // ESC sequences, the one-byte CSI (raw and as U+009B), a bidi override,
  // a title change, bytes that are not UTF-8; accents and emoji stay.
  CAF_CHECK_EQUAL(printable("a\x1b[2J\x1b]0;PWNED\x07"
                            "b"),
                  "a[2J]0;PWNEDb");
  CAF_CHECK_EQUAL(printable("x\x9b"
                            "1mx\xc2\x9b"
                            "1my"),
                  "x1mx1my");
  CAF_CHECK_EQUAL(printable("evil\xe2\x80\xaetxt.exe"), "eviltxt.exe");
  CAF_CHECK_EQUAL(printable("caf\xc3\xa9 \xf0\x9f\x8e\x89\t!"),
                  "caf\xc3\xa9 \xf0\x9f\x8e\x89\t!");
  CAF_CHECK_EQUAL(printable("\xe0\x80\xaf\xed\xa0\x80"), ""); // overlong, surrogate
  auto forged = test::group_message("bob\nbatch injected", "hi");
  render_options plain{output_style::plain, false};
  CAF_CHECK_EQUAL(render(forged, plain).find('\n'), std::string::npos);
}

CAF_TEST(a line under our own name that we did not send is set apart) {
  render_options opts{output_style::human, false, "alice"};
  auto forged = test::group_message("alice", "I owe mallory 100");
  forged.verified = false; // no signature of ours
  CAF_CHECK(render(forged, opts).find("(not sent by you)") != std::string::npos);
  CAF_CHECK(render(test::group_message("bob", "hi"), opts).find("(not sent by") ==
            std::string::npos);
  // Signed by our own key: another session of ours, not an impostor.
  CAF_CHECK(render(test::group_message("alice", "from my laptop"), opts).find("(not") ==
            std::string::npos);
}

CAF_TEST(every unverified sender is marked in the interactive view) {
  render_options opts{output_style::human, false, "alice"};
  for (auto chat : {"group:room", "insults", "private:bob"}) {
    auto ev = test::group_message("bob", "hi");
    ev.chat = chat;
    CAF_CHECK(render(ev, opts).find("(unverified)") == std::string::npos);
    ev.verified = false;
    CAF_CHECK(render(ev, opts).find("(unverified)") != std::string::npos);
  }
}

CAF_TEST(later rounds show only who joined or left) {
  discovery_report report;
  report.live = {{"bob", "10.0.0.2:5000", {}}};
  render_options opts{output_style::human, false};
  CAF_CHECK_EQUAL(render_changes(report, opts), "");
  report.joined = {"dave"};
  report.left = {"carol", "erin"};
  CAF_CHECK_EQUAL(render_changes(report, opts), "joined: dave; left: carol erin");
}

CAF_TEST(the name column is padded by width) {
  render_options opts{output_style::human, false};
  // After "HH:MM ": names right-aligned in 5 columns, counted as shown.
  auto after_time = [&](const std::string& from) {
    return render(test::group_message(from, "x"), opts).substr(6);
  };
  CAF_CHECK_EQUAL(after_time("bob"), "  bob │ x");
  CAF_CHECK_EQUAL(after_time("Ñu"), "   Ñu │ x");
  CAF_CHECK_EQUAL(after_time("日本"), " 日本 │ x");
  CAF_CHECK_EQUAL(after_time("mallory"), "mallory │ x");
}

namespace {

/// CIE L*a*b* of an xterm 256-colour cube index (16..231), sRGB, D65.
std::array<double, 3> lab_of(int index) {
  static const int level[] = {0, 95, 135, 175, 215, 255};
  auto linear = [](int c) {
    auto x = c / 255.0;
    return x <= 0.04045 ? x / 12.92 : std::pow((x + 0.055) / 1.055, 2.4);
  };
  index -= 16;
  auto r = linear(level[index / 36]);
  auto g = linear(level[index / 6 % 6]);
  auto b = linear(level[index % 6]);
  auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116; };
  auto x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  auto y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  auto z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return {116 * y - 16, 500 * (x - y), 200 * (y - z)};
}

double delta_e(int a, int b) {
  auto x = lab_of(a);
  auto y = lab_of(b);
  return std::hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
}

/// WCAG contrast ratio of a cube colour against black and against white,
/// whichever is lower.
double worst_contrast(int index) {
  // L* back to relative luminance.
  auto l = lab_of(index)[0];
  auto y = l > 8 ? std::pow((l + 16) / 116, 3) : l / 903.3;
  return std::min((y + 0.05) / 0.05, 1.05 / (y + 0.05));
}

} // namespace

CAF_TEST(name colours are far apart and readable on dark and light) {
  auto& palette = name_palette();
  CAF_REQUIRE_GREATER_OR_EQUAL(palette.size(), 10u);
  for (size_t i = 0; i < palette.size(); ++i) {
    CAF_CHECK_GREATER_OR_EQUAL(worst_contrast(palette[i]), 3.0);
    for (size_t j = i + 1; j < palette.size(); ++j)
      if (delta_e(palette[i], palette[j]) < 30)
        CAF_FAIL("colours " << palette[i] << " and " << palette[j] << " look alike");
  }
  // The names the examples use, pair by pair, are far apart too.
  CAF_CHECK_GREATER_OR_EQUAL(delta_e(name_color("alice"), name_color("bob")), 30);
  CAF_CHECK_GREATER_OR_EQUAL(delta_e(name_color("carol"), name_color("mallory")), 30);
  CAF_CHECK_EQUAL(name_color("alice"), name_color("alice"));
}

CAF_TEST(join and leave notices are events and not chat lines) {
  auto ev = test::group_message("bob", "bob joined #room");
  ev.kind = chat_event::joined;
  render_options human{output_style::human, false};
  auto line = render(ev, human);
  CAF_CHECK(line.find("* bob joined #room") != std::string::npos);
  CAF_CHECK(line.find("│") == std::string::npos);
  CAF_CHECK(line.find("unverified") == std::string::npos);
  render_options json{output_style::json, false};
  CAF_CHECK_EQUAL(render(ev, json),
                  R"({"type":"event","chat":"group:room","text":"bob joined #room",)"
                  R"("ts":"2023-11-14T22:13:20.123Z","event":"join","from":"bob",)"
                  R"("verified":true})");
  ev.kind = chat_event::left;
  ev.text = "bob left #room";
  ev.verified = false;
  CAF_CHECK(render(ev, human).find("* bob left #room (unverified)") != std::string::npos);
  CAF_CHECK(render(ev, json).find(R"("event":"leave")") != std::string::npos);
  render_options plain{output_style::plain, false};
  CAF_CHECK_EQUAL(
      render(ev, plain),
      "2023-11-14T22:13:20.123Z event group:room bob left #room (unverified)");
}

CAF_TEST(an action is shown as one) {
  render_options opts{output_style::human, false};
  auto line = render(test::group_message("bob", "/me waves"), opts);
  CAF_CHECK(line.find("* bob waves") != std::string::npos);
  CAF_CHECK(line.find("│") == std::string::npos);
  // Scripts read the text as it came.
  render_options json{output_style::json, false};
  CAF_CHECK(render(test::group_message("bob", "/me waves"), json).find("\"/me waves\"") !=
            std::string::npos);
}

CAF_TEST(a listing says who is online not who joined) {
  discovery_report report;
  report.live.push_back({"bob", "10.0.0.2:1", {}});
  report.joined = {"bob"};
  render_options opts{output_style::human, false};
  CAF_CHECK(render(report, opts).find("joined: bob") != std::string::npos);
  auto line = render(listing(report), opts);
  CAF_CHECK(line.find("online: bob") != std::string::npos);
  CAF_CHECK(line.find("joined") == std::string::npos);
}
