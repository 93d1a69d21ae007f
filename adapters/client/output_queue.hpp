#pragma once

// Lines waiting for a terminal or a pipe that may not keep up. At most
// `capacity` bytes wait (bytes, not lines: a chat's whole history, shown at
// once, fits, however short its lines); a line that does not fit is dropped
// and counted,
// and one notice line takes the place of what was dropped, so the reader
// sees where the gap is and how big it was. Not thread-safe: the terminal
// adapter guards it.

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>

namespace chat {

class output_queue {
public:
  /// Makes the notice for `n` lines dropped in a row.
  using notice_maker = std::function<std::string(size_t n)>;

  output_queue(size_t capacity, notice_maker notice);

  /// Queues `line`, or drops it when it does not fit in `capacity` bytes
  /// (a line is always taken into an empty queue).
  void push(std::string line);

  /// The next line to write: the oldest waiting one, else the notice for
  /// lines dropped since; nothing when neither.
  std::optional<std::string> pop();

  /// Lines waiting (notices included).
  size_t size() const noexcept { return lines_.size(); }

  /// Bytes waiting.
  size_t bytes() const noexcept { return bytes_; }

  /// Lines dropped since the start.
  size_t dropped_total() const noexcept { return dropped_total_; }

private:
  size_t capacity_;
  notice_maker notice_;
  std::deque<std::string> lines_;
  size_t bytes_ = 0;
  /// Dropped since the last notice.
  size_t dropped_ = 0;
  size_t dropped_total_ = 0;
};

} // namespace chat
