#include "adapters/common/udp_exchange.hpp"

#include "config/errors.hpp"

#include <algorithm>
#include <chrono>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chat {

caf::expected<bool> udp_exchange(const std::string& host, uint16_t port,
                                 std::string_view request, caf::timespan timeout,
                                 const std::function<bool(std::string_view)>& accept) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
    return make_error(errc::service_failed, host + " is not an IPv4 address");
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return make_error(errc::service_failed, "no UDP socket");
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto next_send = std::chrono::steady_clock::now();
  std::string buf(65536, '\0');
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline)
      break;
    if (now >= next_send) {
      sendto(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&addr),
             sizeof(addr));
      next_send = now + std::chrono::seconds{1};
    }
    auto wait = std::min(deadline, next_send) - now;
    pollfd p{fd, POLLIN, 0};
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wait).count();
    if (poll(&p, 1, static_cast<int>(std::max<int64_t>(ms, 1))) <= 0)
      continue;
    sockaddr_in from{};
    socklen_t len = sizeof(from);
    auto n =
        recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0 || from.sin_addr.s_addr != addr.sin_addr.s_addr)
      continue;
    if (accept(std::string_view{buf.data(), static_cast<size_t>(n)})) {
      close(fd);
      return true;
    }
  }
  close(fd);
  return false;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    auto pos = text.find(sep, start);
    parts.push_back(text.substr(start, pos - start));
    if (pos == std::string_view::npos)
      return parts;
    start = pos + 1;
  }
}

} // namespace chat
