#include "config/backoff.hpp"

#include <algorithm>
#include <random>

namespace chat {

std::optional<caf::timespan> backoff::next() {
  if (policy_.max_attempts > 0 && failures_ >= policy_.max_attempts)
    return std::nullopt;
  ++failures_;
  auto result = delay_;
  delay_ = std::min(delay_ * 2, policy_.max);
  if (policy_.jitter > 0) {
    static thread_local std::minstd_rand rng{std::random_device{}()};
    auto spread =
        static_cast<int64_t>(static_cast<double>(result.count()) * policy_.jitter);
    result += caf::timespan{std::uniform_int_distribution<int64_t>{0, spread}(rng)};
  }
  return result;
}

} // namespace chat
