#include "adapters/client/identity_store.hpp"

#include "adapters/common/openssl_util.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chat {

namespace {

/// Creates `dir` (owner only); false if it does not exist afterwards.
bool private_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return false;
  chmod(dir.c_str(), 0700);
  return true;
}

/// Writes `text` to `path` through a temporary file renamed over it, so a
/// crash never leaves half a file; mode 0600 from the start.
bool write_private(const std::string& path, const std::string& text) {
  auto tmp = path + ".tmp" + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

/// What changes whenever the file is written: every write renames a new
/// file (inode) into place; the time alone is too coarse (one clock tick).
/// 0 if there is no such file.
int64_t version_of(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0)
    return 0;
  auto ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  return ns ^ static_cast<int64_t>(st.st_ino) << 20 ^ static_cast<int64_t>(st.st_size);
}

bool is_key_hex(const std::string& x) {
  std::string raw;
  return x.size() == 64 && openssl::from_hex(x, raw);
}

} // namespace

std::shared_ptr<const ed25519_key>
load_identity(const std::string& dir, const std::string& name, std::string& error) {
  if (dir.empty())
    return ed25519_key::generate();
  auto path = dir + "/identity-" + name + ".key";
  std::ifstream in{path};
  if (in) {
    std::string hex;
    in >> hex;
    std::string raw;
    auto key = openssl::from_hex(hex, raw) ? ed25519_key::from_private(raw) : nullptr;
    if (!key)
      error = "identity file " + path +
              " is damaged (move it away to start a new "
              "identity; peers will see a changed key)";
    return key;
  }
  auto key = ed25519_key::generate();
  if (!private_dir(dir) ||
      !write_private(path, openssl::to_hex(key->private_bytes()) + "\n")) {
    error = "cannot write identity file " + path;
    return nullptr;
  }
  return key;
}

known_peers::known_peers(const std::string& dir, const std::string& self) {
  if (dir.empty() || !private_dir(dir))
    return;
  path_ = dir + "/known-peers-" + self;
  refresh();
}

void known_peers::refresh() const {
  if (path_.empty())
    return;
  auto version = version_of(path_);
  if (version == seen_version_)
    return;
  seen_version_ = version;
  pins_.clear();
  std::ifstream in{path_};
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields{line};
    std::string name;
    std::string key;
    if (fields >> name >> key && is_key_hex(key))
      pins_[name] = key;
  }
}

pin_status known_peers::check(const std::string& name, const std::string& key) {
  std::lock_guard guard{mtx_};
  refresh();
  auto i = pins_.find(name);
  if (i != pins_.end())
    return i->second == key ? pin_status::matches : pin_status::changed;
  if (key.empty())
    return pin_status::first_contact; // nothing to pin: an original client
  pins_.emplace(name, key);
  save();
  return pin_status::first_contact;
}

std::string known_peers::pinned(const std::string& name) const {
  std::lock_guard guard{mtx_};
  refresh();
  auto i = pins_.find(name);
  return i != pins_.end() ? i->second : std::string{};
}

void known_peers::trust(const std::string& name, const std::string& key) {
  std::lock_guard guard{mtx_};
  refresh();
  if (key.empty())
    pins_.erase(name);
  else
    pins_[name] = key;
  save();
}

void known_peers::save() const {
  if (path_.empty())
    return;
  std::string text;
  for (auto& [name, key] : pins_)
    text += name + ' ' + key + '\n';
  if (write_private(path_, text))
    seen_version_ = version_of(path_); // what we wrote is what we hold
}

} // namespace chat
