#include "cli/client/ui/screen_output.hpp"
#include "adapters/common/thread_name.hpp"

#include "adapters/client/stalled_write.hpp"

#include <cerrno>
#include <chrono>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace chat::ui {

namespace {

bool writable(int fd) {
  pollfd out{fd, POLLOUT, 0};
  return poll(&out, 1, 0) > 0 && (out.revents & POLLOUT) != 0;
}

} // namespace

bool screen_output::open() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return false;
  // Our own, non-blocking description of the terminal (the shell's stays
  // blocking).
  terminal_ = ::open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  file_ = terminal_ >= 0 ? fdopen(fds[1], "w") : nullptr;
  if (file_ == nullptr) {
    ::close(fds[0]);
    ::close(fds[1]);
    if (terminal_ >= 0)
      ::close(terminal_);
    terminal_ = -1;
    return false;
  }
  read_end_ = fds[0];
  thread_ = std::thread{[this] {
    name_this_thread("chat.screen");
    copy();
  }};
  return true;
}

void screen_output::copy() {
  char buf[16384];
  bool dropping = false;
  for (;;) {
    copying_ = false;
    auto n = ::read(read_end_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return; // curses closed its end
    copying_ = true;
    // After one wait in vain, no more waiting while the terminal takes
    // nothing: what it does not take at once is dropped, so curses (and the
    // keys) never wait for it; the screen is drawn anew later.
    if (dropping) {
      if (::write(terminal_, buf, static_cast<size_t>(n)) == n)
        dropping = false;
      else
        lost_ = true;
      continue;
    }
    dropping = !write_within(terminal_, {buf, static_cast<size_t>(n)});
    if (dropping)
      lost_ = true;
  }
}

bool screen_output::needs_repaint() {
  if (!lost_ || !writable(terminal_))
    return false;
  lost_ = false;
  return true;
}

void screen_output::drain(std::chrono::milliseconds limit) {
  if (file_ == nullptr)
    return;
  std::fflush(file_);
  auto deadline = std::chrono::steady_clock::now() + limit;
  // Empty pipe and an idle copier, seen twice a few ms apart (the copier
  // may just have taken the last bytes out of the pipe).
  int calm = 0;
  while (calm < 2 && std::chrono::steady_clock::now() < deadline) {
    int queued = 0;
    ioctl(read_end_, FIONREAD, &queued);
    calm = queued == 0 && !copying_ ? calm + 1 : 0;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
}

void screen_output::close() {
  if (file_ == nullptr)
    return;
  fclose(file_); // the copier sees the end
  file_ = nullptr;
  if (thread_.joinable())
    thread_.join();
  ::close(read_end_);
  ::close(terminal_);
}

} // namespace chat::ui
