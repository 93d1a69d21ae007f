#pragma once

// The windows of the full-screen client: the status window (lobby) first,
// then one per chat in the order they were opened. Each keeps a bounded
// scrollback, how far it is scrolled, its unread count and highlight, and
// a read marker where the user last left it. Pure, unit-tested; the curses
// front end owns one and only draws it.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace chat::ui {

/// "private:bob" → "@bob", "group:room" → "#room", "discovery" → "who",
/// "" → "status"; others as they are.
std::string window_title(const std::string& chat);

struct window_line {
  /// As render() made it (may hold SGR colours).
  std::string text;
  /// Mentions the user (drawn in reverse video).
  bool highlight = false;
  /// A line the window model added (day change); not a message.
  bool synthetic = false;
};

struct window {
  /// "" for the status window, else the chat's name ("group:room").
  std::string chat;
  std::deque<window_line> lines;
  /// Messages that arrived while the window was not shown.
  size_t unread = 0;
  /// One of them mentions the user, or it is a new private chat.
  bool highlighted = false;
  /// Lines before this index were there when the user last left the window
  /// (the read marker is drawn before the first line after them, if any).
  std::optional<size_t> read_marker;
  /// Rows scrolled back from the bottom (0: following new lines).
  size_t scroll = 0;
  /// The day of the last line ("Sun 29 Nov 2026"), to show a change.
  std::string day;
};

/// One entry of the activity list: a window not shown that has news.
struct activity {
  /// Window number as Alt+N and /window N use it (1 = status).
  size_t number;
  std::string title;
  size_t unread;
  bool highlighted;
};

class window_list {
public:
  /// Each window keeps its newest `max_lines` lines.
  explicit window_list(size_t max_lines);

  /// The window of `chat`, created (at the end) if there is none; its index.
  size_t open(const std::string& chat);

  /// Removes the window of `chat` (never the status window); the status
  /// window is shown if it was the current one.
  void close(const std::string& chat);

  /// Shows window `index` (0-based): the one left gets its read marker, the
  /// one shown has nothing unread. False if there is no such window.
  bool show(size_t index);

  /// Shows the window of `chat`, opening it if needed.
  void show(const std::string& chat) { show(open(chat)); }

  /// The next (`step` 1) or previous (-1) window, wrapping around.
  void cycle(int step);

  /// Adds a line to the window of `chat` (opened if needed) on `day`: a
  /// line naming the day goes first when it differs from the last line's.
  /// `counts`: a message, counted as unread when the window is not shown.
  void append(const std::string& chat, std::string text, const std::string& day,
              bool counts, bool highlight);

  /// /lastlog: the lines of the current window whose text (colours
  /// aside) contains `text`, ignoring case (ASCII), oldest first; at most
  /// `max` of the newest.
  std::vector<std::string> search(const std::string& text, size_t max) const;

  /// Empties the current window (/clear): its lines, read marker and
  /// scroll position.
  void clear_current();

  /// Scrolls the current window back (positive) or forward by `rows`, at
  /// most to `max_scroll`.
  void scroll_by(long rows, size_t max_scroll);

  size_t current_index() const { return current_; }
  const window& current() const { return windows_[current_]; }
  window& current() { return windows_[current_]; }
  const std::vector<window>& windows() const { return windows_; }

  /// Windows not shown with unread lines, in window order.
  std::vector<activity> activity_list() const;

private:
  std::optional<size_t> find(const std::string& chat) const;

  size_t max_lines_;
  std::vector<window> windows_;
  size_t current_ = 0;
};

} // namespace chat::ui
