#include "adapters/client/file_names.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sys/stat.h>

namespace chat {

namespace {

/// Length of the UTF-8 sequence at `i` and its code point; 0 if invalid.
size_t utf8_at(std::string_view s, size_t i, uint32_t& cp) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80         ? 1
             : (c >> 5) == 6  ? 2
             : (c >> 4) == 14 ? 3
             : (c >> 3) == 30 ? 4
                              : 0;
  if (n == 0 || i + n > s.size())
    return 0;
  cp = n == 1 ? c : c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (d & 0x3f);
  }
  static constexpr uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

bool control(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

std::string home() {
  auto h = std::getenv("HOME");
  return h != nullptr && *h != '\0' ? std::string{h} : std::string{"/tmp"};
}

} // namespace

std::string sanitize_file_name(std::string_view offered, std::string& problem) {
  if (offered.size() > max_file_name_bytes) {
    problem = "file name longer than " + std::to_string(max_file_name_bytes) + " bytes";
    return {};
  }
  if (offered == "." || offered == "..") {
    problem = "file name '" + std::string{offered} + "' is a directory";
    return {};
  }
  for (size_t i = 0; i < offered.size();) {
    uint32_t cp = 0;
    auto n = utf8_at(offered, i, cp);
    if (n == 0) {
      problem = "file name is not UTF-8";
      return {};
    }
    if (cp == '/' || cp == '\\') {
      problem = "file name holds a path separator";
      return {};
    }
    if (control(cp)) {
      problem = "file name holds a control character";
      return {};
    }
    i += n;
  }
  // No hidden file, no name that ends in a dot or blank.
  auto first = offered.find_first_not_of(". ");
  auto last = offered.find_last_not_of(". ");
  if (first == std::string_view::npos) {
    problem = "file name is empty";
    return {};
  }
  return std::string{offered.substr(first, last - first + 1)};
}

std::string unique_path(const std::string& dir, const std::string& name,
                        const std::function<bool(const std::string&)>& taken) {
  auto base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  if (!taken(base + name))
    return base + name;
  // "report.tar.gz" → "report (1).tar.gz"? Only the last extension counts:
  // "report.tar (1).gz" would hide the type; "report (1).tar.gz" is what
  // browsers do for the common case of one dot.
  auto dot = name.find('.');
  auto stem = dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
  auto ext = dot == std::string::npos || dot == 0 ? std::string{} : name.substr(dot);
  for (int i = 1;; ++i) {
    auto candidate = base + stem + " (" + std::to_string(i) + ")" + ext;
    if (!taken(candidate))
      return candidate;
  }
}

bool path_taken(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0 || lstat((path + ".part").c_str(), &st) == 0;
}

std::string default_download_dir() {
  if (auto x = std::getenv("XDG_DOWNLOAD_DIR"); x != nullptr && *x != '\0')
    return x;
  auto config = std::getenv("XDG_CONFIG_HOME");
  auto dirs =
      (config != nullptr && *config != '\0' ? std::string{config} : home() + "/.config") +
      "/user-dirs.dirs";
  std::ifstream in{dirs};
  for (std::string line; std::getline(in, line);) {
    constexpr std::string_view key = "XDG_DOWNLOAD_DIR=\"";
    if (!line.starts_with(key) || line.back() != '"')
      continue;
    auto value = line.substr(key.size(), line.size() - key.size() - 1);
    if (value.starts_with("$HOME"))
      value = home() + value.substr(5);
    if (!value.empty() && value.front() == '/')
      return value;
  }
  return home() + "/Downloads";
}

std::string human_size(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char buf[32];
  if (unit == 0)
    std::snprintf(buf, sizeof(buf), "%.0f B", bytes);
  else
    std::snprintf(buf, sizeof(buf), "%.1f %s", bytes, units[unit]);
  return buf;
}

} // namespace chat
