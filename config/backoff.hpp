#pragma once

// The one retry policy of chat-actors: delays doubling from `min` to `max`,
// optionally with random jitter, giving up after `max_attempts` failures in
// a row. Used for supervised children, managed services, re-joined groups
// and broker (re)connects; the values live in config/defaults.hpp.

#include <caf/timespan.hpp>

#include <optional>

namespace chat {

struct backoff_policy {
  caf::timespan min{};
  caf::timespan max{};
  /// Up to this share of a delay is added at random (reconnect storms
  /// after a broker restart spread out).
  double jitter = 0.0;
  /// Failures in a row before giving up; 0: never give up.
  int max_attempts = 0;
};

/// One thing being retried under a policy.
class backoff {
public:
  explicit backoff(backoff_policy policy = {}) : policy_(policy), delay_(policy.min) {}

  /// The delay before the next attempt, or nothing: give up.
  std::optional<caf::timespan> next();

  /// It worked: the next failure starts from `min` again.
  void reset() {
    failures_ = 0;
    delay_ = policy_.min;
  }

  /// Failures since the last reset.
  int failures() const { return failures_; }

private:
  backoff_policy policy_;
  caf::timespan delay_;
  int failures_ = 0;
};

} // namespace chat
