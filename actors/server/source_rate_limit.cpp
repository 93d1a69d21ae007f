#include "actors/server/source_rate_limit.hpp"

#include <algorithm>
#include <chrono>

namespace chat {

source_rate_limit::source_rate_limit(rate_limit_policy policy) : policy_(policy) {
  total_.tokens = policy_.total_per_second;
}

void source_rate_limit::refill(bucket& b, caf::timestamp now, double rate, double cap) {
  auto elapsed = std::chrono::duration<double>(now - b.last).count();
  if (elapsed > 0)
    b.tokens = std::min(cap, b.tokens + elapsed * rate);
  b.last = std::max(b.last, now);
}

void source_rate_limit::drop_idle(caf::timestamp now) {
  for (auto i = sources_.begin(); i != sources_.end();) {
    refill(i->second, now, policy_.per_second, policy_.burst);
    if (i->second.tokens >= policy_.burst)
      i = sources_.erase(i);
    else
      ++i;
  }
}

bool source_rate_limit::admit(const std::string& source, caf::timestamp now) {
  auto refuse = [&] {
    ++refused_;
    if (refused_sources_.size() < policy_.max_sources)
      refused_sources_.emplace(source, true);
    return false;
  };
  if (total_.last == caf::timestamp{})
    total_.last = now;
  refill(total_, now, policy_.total_per_second, policy_.total_per_second);
  auto i = sources_.find(source);
  if (i == sources_.end()) {
    if (sources_.size() >= policy_.max_sources)
      drop_idle(now);
    if (sources_.size() < policy_.max_sources)
      i = sources_.emplace(source, bucket{policy_.burst, now}).first;
  } else {
    refill(i->second, now, policy_.per_second, policy_.burst);
  }
  if (total_.tokens < 1 || (i != sources_.end() && i->second.tokens < 1))
    return refuse();
  total_.tokens -= 1;
  if (i != sources_.end())
    i->second.tokens -= 1;
  return true;
}

source_rate_limit::refusals source_rate_limit::take_refusals() {
  refusals result{refused_, refused_sources_.size()};
  refused_ = 0;
  refused_sources_.clear();
  return result;
}

} // namespace chat
