#pragma once

// The terminal, owned by the CLI actor. Reading blocks, so it runs on the
// adapter's own thread and hands each line, and the end of input, to the
// owner's callbacks (the CLI actor's send them to itself). Output from any
// thread goes through `print`, which never garbles the line being typed.
//
// Interactive: libedit (BSD-licensed readline replacement from Debian;
// GNU readline would make the binary GPL) in callback mode, so incoming
// messages are printed above the prompt and the typed line is redrawn.
// Batch: plain line reads from stdin; a writer thread writes to stdout.
//
// Output never blocks the caller: lines wait in a bounded queue
// (`output_limits`) for a terminal or a pipe reader that does not keep up;
// what does not fit is dropped with one notice saying how many.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace chat {

class terminal {
public:
  virtual ~terminal() = default;

  /// What input produces, called on the terminal's thread (the CLI actor
  /// makes them `anon_send`s).
  struct input_handler {
    std::function<void(std::string)> line;
    std::function<void()> eof;
    /// Full screen: the user brought up the window of this chat ("" for
    /// the status window) with a key or through `show_window_number`.
    std::function<void(std::string)> window = {};
  };

  /// Starts reading into `in`. Interactive: the input history is read from
  /// `history_file` (empty: none kept).
  virtual void start(input_handler in, std::string history_file) = 0;

  /// Keeps `line`, just typed, in the history file (the other lines are
  /// recalled in this session only).
  virtual void keep_in_history(std::string line) = 0;

  /// Prints one line (thread-safe, never blocks: queued for the writer).
  virtual void print(std::string line) = 0;

  /// Changes the prompt (interactive only).
  virtual void set_prompt(std::string prompt) = 0;

  /// Forgets the line being typed (Ctrl+C).
  virtual void clear_line() = 0;

  /// A send failed: puts `line` back into the input line so nothing typed
  /// is lost (unless another line is being typed: then Up recalls it, as
  /// it recalls every line of the session on a line terminal).
  virtual void restore_input(std::string /*line*/) {}

  // Front ends with a window per chat (full screen) override the rest; a
  // line terminal prints everything in one stream and ignores windows.

  /// Whether lines go to one window per chat.
  virtual bool has_windows() const { return false; }

  /// Prints `line` into the window of `chat` (opened if needed). `counts`:
  /// a message, unread while the window is not shown; `highlight`: it
  /// mentions the user (the terminal bell rings).
  virtual void print_to(std::string /*chat*/, std::string line, bool /*counts*/,
                        bool /*highlight*/) {
    print(std::move(line));
  }

  /// Opens the window of `chat` (if not open yet) without showing it.
  virtual void open_window(std::string /*chat*/) {}

  /// Shows the window of `chat` ("" the status window), opened if needed;
  /// `print` writes there from now on.
  virtual void show_window(std::string /*chat*/) {}

  /// Shows window `n` (1 is the status window) and reports which chat it
  /// is through `input_handler::window`; says so if there is no such window.
  virtual void show_window_number(size_t /*n*/) {}

  /// Closes the window of `chat`.
  virtual void close_window(std::string /*chat*/) {}

  /// Lists the windows (number, name, unread) in the shown window.
  virtual void list_windows() {}

  /// Empties the shown window.
  virtual void clear_window() {}

  /// Shows the lines of the shown window that contain `text` (/lastlog).
  virtual void search_window(std::string /*text*/) {}

  /// What the status bar says about the session: `connection` empty when
  /// connected, else e.g. "reconnecting…".
  virtual void set_session(std::string /*user*/, std::string /*server*/,
                           std::string /*connection*/) {}

  /// User and group names that Tab completes.
  virtual void set_names(std::vector<std::string> /*users*/,
                         std::vector<std::string> /*groups*/) {}
};

/// How much output may wait for a slow terminal or reader.
struct output_limits {
  /// Bytes of lines that may wait; more are dropped.
  size_t queue_bytes;
  /// The line that says `n` lines were dropped (in the output's style).
  std::function<std::string(size_t n)> drop_notice;
};

/// libedit on stdin/stdout, which must be a TTY.
std::unique_ptr<terminal> make_line_editor(output_limits limits);

/// Line by line on stdin/stdout, for scripts.
std::unique_ptr<terminal> make_batch_terminal(output_limits limits);

} // namespace chat
