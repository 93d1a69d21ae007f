#include "adapters/common/state_files.hpp"

#include "config/errors.hpp"

#include <cstdio>
#include <cstdlib>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chat {

std::string default_state_dir() {
  if (auto xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg)
    return std::string{xdg} + "/chat-actors";
  if (auto home = std::getenv("HOME"); home && *home)
    return std::string{home} + "/.local/state/chat-actors";
  return "/tmp/chat-actors-" + std::to_string(getuid());
}

caf::error write_private_file(const std::string& path, const std::string& text) {
  auto tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_error(errc::service_failed, "cannot write " + path);
  fchmod(fd, 0600);
  auto n = ::write(fd, text.data(), text.size());
  bool ok = n == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0)
    return make_error(errc::service_failed, "cannot write " + path);
  return {};
}

} // namespace chat
