#pragma once

// The server nodes a client may use: the configured or located
// ones, plus the members the cluster publishes in the registry. Shared by
// the adapters that dial (the broker connection, the name server's tunnel),
// each on its own thread, hence the mutex. A single server is a list of one.

#include <mutex>
#include <string>
#include <vector>

namespace chat {

class server_list {
public:
  explicit server_list(std::vector<std::string> servers);

  /// "a,b , c" → {"a", "b", "c"}.
  static std::vector<std::string> parse(const std::string& text);

  /// Where to try next, in order: the one that worked last, then the others
  /// shuffled (so that the clients of a dead node spread over the rest).
  std::vector<std::string> candidates() const;

  /// `host` answered: try it first next time.
  void worked(const std::string& host);

  /// `host` is not one of ours (it failed the certificate pin).
  void forget(const std::string& host);

  /// Adds members we did not know.
  void merge(const std::vector<std::string>& more);

  std::vector<std::string> all() const;

private:
  mutable std::mutex mtx_;
  std::vector<std::string> servers_;
  std::string last_good_;
};

} // namespace chat
