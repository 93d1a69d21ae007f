#include "cli/client/chat_log.hpp"

#include "cli/client/render.hpp"

#include <ctime>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chat::cli {

namespace {

std::tm local_time(int64_t ts_ms) {
  std::time_t secs = ts_ms / 1000;
  std::tm tm{};
  localtime_r(&secs, &tm);
  return tm;
}

std::string format(int64_t ts_ms, const char* pattern) {
  auto tm = local_time(ts_ms);
  char buf[32];
  std::strftime(buf, sizeof(buf), pattern, &tm);
  return buf;
}

} // namespace

std::string log_file_name(const std::string& chat, int64_t ts_ms) {
  std::string name;
  for (char c : chat) {
    auto ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-';
    name += ok ? c : (c == ':' ? '-' : '_');
  }
  return name + "-" + format(ts_ms, "%Y-%m-%d") + ".log";
}

std::string log_line(const chat_event& ev) {
  auto who = ev.own ? std::string{"you"} : printable(ev.from);
  return format(ev.ts_ms, "%Y-%m-%d %H:%M:%S") + " " + who + ": " + printable(ev.text);
}

bool append_to_log(const std::string& dir, const chat_event& ev) {
  mkdir(dir.c_str(), 0700); // exists already, or the open below says so
  auto path = dir + "/" + log_file_name(ev.chat, ev.ts_ms);
  auto fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return false;
  auto line = log_line(ev) + "\n";
  auto n = write(fd, line.data(), line.size());
  close(fd);
  return n == static_cast<ssize_t>(line.size());
}

} // namespace chat::cli
