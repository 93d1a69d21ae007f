#pragma once

// Small helpers for the benchmark cases: timing, percentiles, the table.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace chat::bench {

using clock = std::chrono::steady_clock;

inline double seconds_since(clock::time_point start) {
  return std::chrono::duration<double>(clock::now() - start).count();
}

/// The p-th percentile (0..100) of `xs` (sorted in place), in the unit of xs.
inline double percentile(std::vector<double>& xs, double p) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto index = static_cast<size_t>(p / 100.0 * static_cast<double>(xs.size() - 1) + 0.5);
  return xs[std::min(index, xs.size() - 1)];
}

/// The median of one field of repeated runs, e.g. median_of(runs, &numbers::p50).
template <class Run> double median_of(const std::vector<Run>& runs, double Run::*field) {
  std::vector<double> xs;
  for (auto& r : runs)
    xs.push_back(r.*field);
  return percentile(xs, 50);
}

/// One row: what was measured for chat-actors and for the raw library.
/// `higher_is_better` decides how the ratio reads (ours/raw either way).
inline void row(const std::string& name, const std::string& unit, double ours,
                double raw) {
  std::printf("| %-50s | %12.1f | %12.1f | %-8s | %5.2f |\n", name.c_str(), ours, raw,
              unit.c_str(), raw != 0 ? ours / raw : 0.0);
  std::fflush(stdout);
}

/// A row without a raw-library counterpart.
inline void row_ours(const std::string& name, const std::string& unit, double ours) {
  std::printf("| %-50s | %12.1f | %12s | %-8s | %5s |\n", name.c_str(), ours, "-",
              unit.c_str(), "-");
  std::fflush(stdout);
}

inline void header() {
  std::printf("| %-50s | %12s | %12s | %-8s | %5s |\n", "case", "chat-actors", "raw",
              "unit", "ratio");
  std::printf("|%s|%s|%s|%s|%s|\n", std::string(52, '-').c_str(),
              std::string(14, '-').c_str(), std::string(14, '-').c_str(),
              std::string(10, '-').c_str(), std::string(7, '-').c_str());
}

} // namespace chat::bench
