#define CAF_SUITE render
#include <caf/test/unit_test.hpp>

#include "cli/render.hpp"

using namespace chat;
using namespace chat::cli;

namespace {

chat_event message(std::string from, std::string text) {
  chat_event ev;
  ev.chat = "group:room";
  ev.from = std::move(from);
  ev.text = std::move(text);
  ev.ts_ms = 1'700'000'000'123;
  return ev;
}

} // namespace

CAF_TEST(json lines carry the documented fields) {
  render_options opts{output_style::json, false};
  CAF_CHECK_EQUAL(
      render(message("bob", "hi"), opts),
      R"({"type":"message","chat":"group:room","text":"hi",)"
      R"("ts":"2023-11-14T22:13:20.123Z","from":"bob","own":false,"verified":true})");
}

CAF_TEST(control characters never reach the terminal) {
  render_options opts{output_style::human, false};
  auto line = render(message("bob", "a\033[2Jb\rc\td"), opts);
  CAF_CHECK(line.find('\033') == std::string::npos);
  CAF_CHECK(line.find('\r') == std::string::npos);
  CAF_CHECK(line.find("a[2Jbc\td") != std::string::npos);
}

CAF_TEST(own and unverified lines are set apart) {
  render_options opts{output_style::human, false};
  auto own = message("alice", "mine");
  own.own = true;
  CAF_CHECK(render(own, opts).find("you │ mine") != std::string::npos);
  auto forged = message("bob", "trust me");
  forged.chat = "private:bob";
  forged.verified = false;
  CAF_CHECK(render(forged, opts).find("(unverified)") != std::string::npos);
}

CAF_TEST(colours are stable per name and off without color) {
  CAF_CHECK_EQUAL(name_color("bob"), name_color("bob"));
  render_options plain{output_style::human, false};
  CAF_CHECK(render(message("bob", "x"), plain).find('\033') == std::string::npos);
  render_options color{output_style::human, true};
  CAF_CHECK(render(message("bob", "x"), color).find('\033') != std::string::npos);
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

CAF_TEST(the name column is padded by width) {
  render_options opts{output_style::human, false};
  // After "HH:MM ": names right-aligned in 5 columns, counted as shown.
  auto after_time = [&](const std::string& from) {
    return render(message(from, "x"), opts).substr(6);
  };
  CAF_CHECK_EQUAL(after_time("bob"), "  bob │ x");
  CAF_CHECK_EQUAL(after_time("Ñu"), "   Ñu │ x");
  CAF_CHECK_EQUAL(after_time("日本"), " 日本 │ x");
  CAF_CHECK_EQUAL(after_time("mallory"), "mallory │ x");
}
