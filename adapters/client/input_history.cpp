#include "adapters/client/input_history.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chat {

std::string input_history_file(const std::string& dir, const std::string& user) {
  if (dir.empty())
    return {};
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return {};
  // Only the owner may list what is kept there.
  chmod(dir.c_str(), 0700);
  return dir + "/history-" + user;
}

std::vector<std::string> load_input_history(const std::string& path) {
  std::vector<std::string> result;
  std::ifstream in{path};
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      result.emplace_back(std::move(line));
  return result;
}

std::vector<std::string> merge_input_history(std::vector<std::string> before,
                                             const std::vector<std::string>& added,
                                             size_t max_lines) {
  for (auto& line : added)
    if (before.empty() || before.back() != line)
      before.emplace_back(line);
  if (before.size() > max_lines)
    before.erase(before.begin(), before.end() - static_cast<ptrdiff_t>(max_lines));
  return before;
}

bool save_input_history(const std::string& path, const std::vector<std::string>& lines) {
  auto tmp = path + "." + std::to_string(getpid());
  auto fd =
      open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return false;
  std::string text;
  for (auto& line : lines)
    text.append(line).push_back('\n');
  auto ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = close(fd) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

} // namespace chat
