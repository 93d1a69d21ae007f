#include "adapters/client/stalled_write.hpp"

#include <cerrno>

#include <poll.h>
#include <unistd.h>

namespace chat {

bool write_within(int fd, std::string_view data, std::chrono::milliseconds grace) {
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (!data.empty()) {
    auto n = ::write(fd, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno != EAGAIN)
      return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd out{fd, POLLOUT, 0};
    if (left.count() <= 0 || poll(&out, 1, static_cast<int>(left.count())) <= 0)
      return false;
  }
  return true;
}

} // namespace chat
