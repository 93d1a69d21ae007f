// Start-up: from exec to "registered" with a configured server, vs the
// bare cost of exec'ing redis-cli for one HSET (process + one round trip).

#include "bench/bench_util.hpp"
#include "bench/cases.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace chat::bench {

namespace {

/// Milliseconds until `cmd` prints a line containing `marker` (then the
/// process gets EOF on stdin and exits).
double time_until(const std::string& cmd, const std::string& marker) {
  auto start = clock::now();
  auto pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr)
    return 0;
  char line[1024];
  double result = 0;
  while (std::fgets(line, sizeof(line), pipe) != nullptr)
    if (result == 0 && std::string{line}.find(marker) != std::string::npos)
      result = seconds_since(start) * 1000;
  pclose(pipe);
  return result;
}

} // namespace

void startup_case(const bench_settings& s) {
  std::vector<double> ours;
  std::vector<double> raw;
  auto port = std::to_string(s.redis_port);
  for (int i = 0; i < 5; ++i) {
    auto name = "boot" + std::to_string(i);
    ours.push_back(time_until(
        s.binary + " --batch --chat.server=127.0.0.1 --chat.redis-port=" + port +
            " --chat.name=" + name + " </dev/null 2>&1",
        "registered as"));
    raw.push_back(time_until("redis-cli -p " + port + " hset " + name +
                                 " ip_address 127.0.0.1 port 1 2>&1; echo done",
                             "done"));
  }
  row("start-up to registered (median of 5)", "ms", percentile(ours, 50),
      percentile(raw, 50));
}

} // namespace chat::bench
