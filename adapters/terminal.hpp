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

namespace chat {

class terminal {
public:
  virtual ~terminal() = default;

  /// What input produces, called on the terminal's thread (the CLI actor
  /// makes them `anon_send`s).
  struct input_handler {
    std::function<void(std::string)> line;
    std::function<void()> eof;
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
