#pragma once

// A chat's history for groups and the insult channel: the last `capacity`
// events that fit in `max_bytes` of text, oldest first, and the message ids
// seen recently, so a redelivery (after a reconnect or a requeue) is shown
// once. Both stay bounded however long the session runs and whatever the
// senders send.

#include "actors/client/chat_types.hpp"
#include "adapters/client/short_hash.hpp"
#include "config/defaults.hpp"

#include <deque>
#include <string>
#include <unordered_set>
#include <vector>

namespace chat {

class bounded_history {
public:
  explicit bounded_history(
      size_t capacity = static_cast<size_t>(defaults::history_size),
      size_t max_bytes = static_cast<size_t>(defaults::history_bytes))
      : capacity_(capacity), max_bytes_(max_bytes) {}

  /// Keeps at most `capacity` events from now on.
  void set_capacity(size_t capacity) { capacity_ = capacity; }

  /// Keeps at most `max_bytes` of sender names and texts from now on.
  void set_max_bytes(size_t max_bytes) { max_bytes_ = max_bytes; }

  void push(chat_event ev) {
    bytes_ += weight(ev);
    events_.emplace_back(std::move(ev));
    // The newest event stays, even if it alone is over the budget.
    while (events_.size() > 1 && (events_.size() > capacity_ || bytes_ > max_bytes_)) {
      bytes_ -= weight(events_.front());
      events_.pop_front();
    }
  }

  /// True the first time `id` comes along (empty ids always count as new).
  bool first_time(const std::string& id) {
    if (id.empty())
      return true;
    auto key = hash_(id);
    if (!ids_.insert(key).second)
      return false;
    id_order_.push_back(key);
    // Redeliveries come soon after the original: twice the history is ample.
    if (id_order_.size() > 2 * capacity_) {
      ids_.erase(id_order_.front());
      id_order_.pop_front();
    }
    return true;
  }

  std::vector<chat_event> snapshot() const { return {events_.begin(), events_.end()}; }

  size_t size() const { return events_.size(); }

  /// Bytes of sender names and texts held.
  size_t bytes() const { return bytes_; }

private:
  static size_t weight(const chat_event& ev) {
    return ev.from.size() + ev.text.size() + ev.chat.size();
  }

  size_t capacity_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::deque<chat_event> events_;
  /// The ids seen, by keyed hash (two ids that differ collide with
  /// probability 2^-64, and no sender can aim at another's). Ids share long
  /// prefixes (`<user>-<n>`): as strings in an ordered set they were 10 % of
  /// the group path's CPU in perf, in a hashed set 3.4 %, as hashes 2.0-2.5 %.
  short_hasher hash_;
  std::unordered_set<uint64_t> ids_;
  std::deque<uint64_t> id_order_;
};

} // namespace chat
