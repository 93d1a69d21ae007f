#pragma once

// Where curses writes: a pipe whose other end a thread of its own copies to
// the terminal. A terminal that stops taking output (Ctrl+S, a stalled
// link) costs the screen's updates, dropped after a short wait, never the
// keys: curses never blocks on the terminal itself. Once the terminal takes
// output again, the UI repaints the whole screen.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace chat::ui {

class screen_output {
public:
  screen_output() = default;
  screen_output(const screen_output&) = delete;
  screen_output& operator=(const screen_output&) = delete;
  ~screen_output() { close(); }

  /// Starts copying; false if it cannot (then curses writes to stdout).
  bool open();

  /// The stream for curses (`newterm`); null before `open`.
  FILE* file() const { return file_; }

  /// True once when output was dropped and the terminal takes output
  /// again: the screen must be drawn anew.
  bool needs_repaint();

  /// Waits (at most `limit`) until what curses wrote so far is on the
  /// terminal: before the process stops (Ctrl+Z), the copier stops with it,
  /// and what leaves curses mode must reach the terminal first.
  void drain(std::chrono::milliseconds limit);

  /// Copies what curses still wrote (waiting a little for the terminal),
  /// then stops the thread.
  void close();

private:
  void copy();

  FILE* file_ = nullptr;
  int read_end_ = -1;
  int terminal_ = -1;
  std::atomic<bool> lost_ = false;
  /// The copier holds bytes it read and has not written yet.
  std::atomic<bool> copying_ = false;
  std::thread thread_;
};

} // namespace chat::ui
