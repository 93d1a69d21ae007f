#pragma once

// Token buckets per source address, and one for all sources together, for
// the datagram ports of the server node (LAN locator, broker accounts): a
// source gets `burst` datagrams at once and `per_second` after that; all
// sources together get `total_per_second` (spoofed sources each look new).
// Refusals are counted, so that a flood costs one log line per interval,
// not one per datagram.

#include <caf/timestamp.hpp>

#include <cstdint>
#include <string>
#include <unordered_map>

namespace chat {

struct rate_limit_policy {
  double burst = 20;
  double per_second = 5;
  /// All sources together (burst: the same many seconds' worth).
  double total_per_second = 200;
  /// Sources tracked at once; past it, idle ones (full buckets) are dropped
  /// and a new source shares the total bucket only.
  size_t max_sources = 4096;
};

class source_rate_limit {
public:
  explicit source_rate_limit(rate_limit_policy policy = {});

  /// Whether a datagram from `source` arriving at `now` may be answered;
  /// takes a token if so, counts a refusal if not.
  bool admit(const std::string& source, caf::timestamp now);

  /// Refusals since the last call (and from how many sources).
  struct refusals {
    uint64_t datagrams = 0;
    size_t sources = 0;
  };
  refusals take_refusals();

private:
  struct bucket {
    double tokens = 0;
    caf::timestamp last;
  };

  /// Adds what `b` earned since its last use, at `rate`, up to `cap`.
  static void refill(bucket& b, caf::timestamp now, double rate, double cap);

  void drop_idle(caf::timestamp now);

  rate_limit_policy policy_;
  std::unordered_map<std::string, bucket> sources_;
  bucket total_;
  uint64_t refused_ = 0;
  std::unordered_map<std::string, bool> refused_sources_;
};

} // namespace chat
