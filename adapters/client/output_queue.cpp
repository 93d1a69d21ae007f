#include "adapters/client/output_queue.hpp"

namespace chat {

output_queue::output_queue(size_t capacity, notice_maker notice)
    : capacity_(capacity), notice_(std::move(notice)) {}

void output_queue::push(std::string line) {
  if (!lines_.empty() && bytes_ + line.size() > capacity_) {
    ++dropped_;
    ++dropped_total_;
    return;
  }
  // The notice goes where the gap is, before what comes after it.
  if (dropped_ > 0) {
    lines_.emplace_back(notice_(dropped_));
    bytes_ += lines_.back().size();
    dropped_ = 0;
  }
  bytes_ += line.size();
  lines_.emplace_back(std::move(line));
}

std::optional<std::string> output_queue::pop() {
  if (!lines_.empty()) {
    auto line = std::move(lines_.front());
    lines_.pop_front();
    bytes_ -= line.size();
    return line;
  }
  if (dropped_ > 0) {
    auto n = dropped_;
    dropped_ = 0;
    return notice_(n);
  }
  return std::nullopt;
}

} // namespace chat
