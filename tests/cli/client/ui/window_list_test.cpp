#define CAF_SUITE ui_window_list
#include <caf/test/unit_test.hpp>

#include "cli/client/ui/status_bar.hpp"
#include "cli/client/ui/window_list.hpp"

using namespace chat::ui;

CAF_TEST(one window per chat after the status window) {
  window_list ws{100};
  CAF_CHECK_EQUAL(ws.windows().size(), 1u);
  CAF_CHECK_EQUAL(window_title(ws.current().chat), "status");
  CAF_CHECK_EQUAL(ws.open("group:room"), 1u);
  CAF_CHECK_EQUAL(ws.open("private:bob"), 2u);
  CAF_CHECK_EQUAL(ws.open("group:room"), 1u);
  CAF_CHECK_EQUAL(window_title("private:bob"), "@bob");
  CAF_CHECK_EQUAL(window_title("discovery"), "who");
  ws.show(size_t{2});
  ws.cycle(1);
  CAF_CHECK_EQUAL(ws.current_index(), 0u);
  ws.cycle(-1);
  CAF_CHECK_EQUAL(ws.current_index(), 2u);
  CAF_CHECK(!ws.show(size_t{7}));
  ws.close("private:bob");
  CAF_CHECK_EQUAL(ws.current_index(), 0u);
  CAF_CHECK_EQUAL(ws.windows().size(), 2u);
}

CAF_TEST(messages elsewhere count as unread and never spill over) {
  window_list ws{100};
  ws.show("group:room");
  ws.append("private:bob", "hi", "Sun", true, false);
  ws.append("private:bob", "alice?", "Sun", true, true);
  ws.append("group:room", "here", "Sun", true, false);
  ws.append("group:dev", "join notice", "Sun", false, false);
  auto& room = ws.current();
  CAF_CHECK_EQUAL(room.lines.size(), 2u); // the day, then "here"
  CAF_CHECK_EQUAL(room.lines.back().text, "here");
  CAF_CHECK_EQUAL(room.unread, 0u);
  auto act = ws.activity_list();
  CAF_REQUIRE_EQUAL(act.size(), 1u);
  CAF_CHECK_EQUAL(act[0].number, 3u);
  CAF_CHECK_EQUAL(act[0].title, "@bob");
  CAF_CHECK_EQUAL(act[0].unread, 2u);
  CAF_CHECK(act[0].highlighted);
  ws.show("private:bob");
  CAF_CHECK(ws.activity_list().empty());
}

CAF_TEST(a day line when the date changes) {
  window_list ws{100};
  ws.append("", "a", "Sat 28 Nov 2026", true, false);
  ws.append("", "b", "Sat 28 Nov 2026", true, false);
  ws.append("", "c", "Sun 29 Nov 2026", true, false);
  auto& lines = ws.current().lines;
  CAF_REQUIRE_EQUAL(lines.size(), 5u);
  CAF_CHECK_EQUAL(lines[0].text, "── Sat 28 Nov 2026 ──");
  CAF_CHECK(lines[0].synthetic);
  CAF_CHECK_EQUAL(lines[3].text, "── Sun 29 Nov 2026 ──");
}

CAF_TEST(the read marker is where the user left and scrollback is bounded) {
  window_list ws{3};
  ws.show("group:room");
  ws.append("group:room", "1", "", true, false);
  ws.append("group:room", "2", "", true, false);
  ws.show(size_t{0});
  CAF_REQUIRE(ws.windows()[1].read_marker.has_value());
  CAF_CHECK_EQUAL(*ws.windows()[1].read_marker, 2u);
  ws.append("group:room", "3", "", true, false);
  ws.append("group:room", "4", "", true, false);
  auto& room = ws.windows()[1];
  CAF_CHECK_EQUAL(room.lines.size(), 3u);
  CAF_CHECK_EQUAL(room.lines.front().text, "2");
  CAF_CHECK_EQUAL(*room.read_marker, 1u); // still before "3"
  ws.scroll_by(10, 4);
  CAF_CHECK_EQUAL(ws.current().scroll, 4u);
  ws.show(size_t{1});
  CAF_CHECK_EQUAL(ws.current().scroll, 0u); // scrolling is per window
  ws.scroll_by(10, 4);
  CAF_CHECK_EQUAL(ws.current().scroll, 4u);
  ws.scroll_by(-3, 4);
  CAF_CHECK_EQUAL(ws.current().scroll, 1u);
}

CAF_TEST(the status bar names user and server and window and activity) {
  window_list ws{10};
  ws.show("group:room");
  ws.append("private:bob", "hi", "", true, false);
  ws.append("private:bob", "hi", "", true, false);
  ws.append("group:dev", "alice!", "", true, true);
  auto bar = status_bar({"alice", "127.0.0.1", ""}, ws);
  // Highlights first: a narrow terminal cuts the end of the bar.
  CAF_CHECK_EQUAL(plain_text(bar),
                  "[alice@127.0.0.1] [2:#room] [act: 4:#dev(1!) 3:@bob(2)]");
  CAF_CHECK(bar[bar.size() - 3].style.bold); // the highlighted one stands out
  CAF_CHECK(!bar[bar.size() - 2].style.bold);
  ws.show(size_t{0});
  ws.show(size_t{2});
  ws.show(size_t{3});
  auto quiet = status_bar({"alice", "127.0.0.1", "reconnecting…"}, ws);
  CAF_CHECK_EQUAL(plain_text(quiet), "[alice@127.0.0.1] [reconnecting…] [4:#dev]");
}

CAF_TEST(clear empties the shown window only) {
  window_list windows{100};
  windows.append("group:room", "one", "Mon", true, false);
  windows.append("private:bob", "two", "Mon", true, false);
  windows.show("group:room");
  windows.clear_current();
  CAF_CHECK(windows.current().lines.empty());
  CAF_CHECK(!windows.current().read_marker);
  // The next line names its day again; the other window keeps its lines.
  windows.append("group:room", "three", "Mon", true, false);
  CAF_CHECK_EQUAL(windows.current().lines.size(), 2u);
  CAF_CHECK_EQUAL(windows.windows()[2].lines.size(), 2u);
}

CAF_TEST(lastlog finds lines of the shown window) {
  window_list windows{100};
  windows.show("group:room");
  windows.append("group:room", "12:00 \033[1mbob\033[0m │ Lunch at noon?", "Mon", true,
                 false);
  windows.append("group:room", "12:01 carol │ no", "Mon", true, false);
  windows.append("group:room", "12:02 bob │ lunch then", "Mon", true, false);
  windows.append("private:bob", "12:03 bob │ lunch alone", "Mon", true, false);
  auto found = windows.search("LUNCH", 10);
  CAF_REQUIRE_EQUAL(found.size(), 2u);
  CAF_CHECK_EQUAL(found[0], "12:00 bob │ Lunch at noon?"); // colours aside
  CAF_CHECK_EQUAL(found[1], "12:02 bob │ lunch then");
  CAF_CHECK_EQUAL(windows.search("lunch", 1).size(), 1u);
  CAF_CHECK(windows.search("Mon", 10).empty()); // not the day line
}
