#include "adapters/client/part_file.hpp"

#include "adapters/client/file_names.hpp"
#include "adapters/common/openssl_util.hpp"

#include <openssl/evp.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace chat {

namespace {

constexpr std::string_view part_suffix = ".part";
constexpr std::string_view state_suffix = ".part.state";
constexpr size_t block = 256 * 1024;

struct md_deleter {
  void operator()(EVP_MD_CTX* x) const { EVP_MD_CTX_free(x); }
};
using md_ptr = std::unique_ptr<EVP_MD_CTX, md_deleter>;

md_ptr new_sha256() {
  md_ptr md{EVP_MD_CTX_new()};
  if (md && EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1)
    md.reset();
  return md;
}

std::string final_hex(EVP_MD_CTX* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (EVP_DigestFinal_ex(md, out, &len) != 1)
    return {};
  return openssl::to_hex({reinterpret_cast<const char*>(out), len});
}

std::string why(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

/// Writes `text` to `path` through a temporary file and a rename, so that
/// a crash leaves the old state or the new one, never half of one.
bool write_atomically(const std::string& path, const std::string& text) {
  auto tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fdatasync(fd) == 0;
  ::close(fd);
  return ok && std::rename(tmp.c_str(), path.c_str()) == 0;
}

} // namespace

std::string format_record(const part_record& r) {
  std::ostringstream out;
  out << "id=" << r.id << "\nsender=" << r.sender << "\nreceiver=" << r.receiver
      << "\nname=" << openssl::to_hex(r.name) << "\nsize=" << r.size
      << "\nsha256=" << r.sha256 << "\nsignature=" << r.signature
      << "\noffset=" << r.offset << "\n";
  return out.str();
}

bool parse_record(std::string_view text, part_record& r) {
  part_record result;
  int seen = 0;
  std::istringstream in{std::string{text}};
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq == std::string::npos)
      return false;
    auto key = line.substr(0, eq);
    auto value = line.substr(eq + 1);
    auto number = [&](uint64_t& x) {
      if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos ||
          value.size() > 19)
        return false;
      x = std::stoull(value);
      return true;
    };
    bool ok = true;
    if (key == "id")
      result.id = value;
    else if (key == "sender")
      result.sender = value;
    else if (key == "receiver")
      result.receiver = value;
    else if (key == "name")
      ok = openssl::from_hex(value, result.name);
    else if (key == "size")
      ok = number(result.size);
    else if (key == "sha256")
      result.sha256 = value;
    else if (key == "signature")
      result.signature = value;
    else if (key == "offset")
      ok = number(result.offset);
    else
      continue; // a later version's field
    if (!ok)
      return false;
    ++seen;
  }
  if (seen < 8 || result.offset > result.size || result.id.empty())
    return false;
  r = std::move(result);
  return true;
}

struct part_file::impl {
  int fd = -1;
  md_ptr md;
  ~impl() {
    if (fd >= 0)
      ::close(fd);
  }
};

std::unique_ptr<part_file> part_file::open(std::string final_path, part_record record,
                                           std::string& error) {
  std::unique_ptr<part_file> result{new part_file};
  result->impl_ = std::make_unique<impl>();
  auto& st = *result->impl_;
  auto part = final_path + std::string{part_suffix};
  st.fd = ::open(part.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  st.md = new_sha256();
  if (st.fd < 0 || !st.md) {
    error = why("cannot open " + part);
    return nullptr;
  }
  struct stat info {};
  if (::fstat(st.fd, &info) != 0) {
    error = why("cannot read " + part);
    return nullptr;
  }
  // Never more than the state file vouches for; less if the part is short.
  auto have = std::min<uint64_t>(record.offset, static_cast<uint64_t>(info.st_size));
  if (::ftruncate(st.fd, static_cast<off_t>(have)) != 0) {
    error = why("cannot cut " + part);
    return nullptr;
  }
  std::string buf(block, '\0');
  for (uint64_t at = 0; at < have;) {
    auto want = static_cast<size_t>(std::min<uint64_t>(block, have - at));
    auto n = ::pread(st.fd, buf.data(), want, static_cast<off_t>(at));
    if (n <= 0) {
      error = why("cannot read " + part);
      return nullptr;
    }
    EVP_DigestUpdate(st.md.get(), buf.data(), static_cast<size_t>(n));
    at += static_cast<uint64_t>(n);
  }
  record.offset = have;
  result->final_path_ = std::move(final_path);
  result->record_ = std::move(record);
  result->written_ = have;
  if (auto problem = result->checkpoint(); !problem.empty()) {
    error = problem;
    return nullptr;
  }
  return result;
}

part_file::~part_file() = default;

std::string part_file::append(uint64_t offset, std::string_view data) {
  if (offset != written_)
    return "the sender sent bytes from " + std::to_string(offset) + ", not from " +
           std::to_string(written_);
  if (data.size() > record_.size - written_)
    return "the sender sent more than the " + std::to_string(record_.size) +
           " bytes it announced";
  for (size_t done = 0; done < data.size();) {
    auto n = ::pwrite(impl_->fd, data.data() + done, data.size() - done,
                      static_cast<off_t>(written_ + done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      write_failed_ = true;
      auto reason = errno == ENOSPC ? std::string{"disk full"} : std::strerror(errno);
      // What was written of this chunk is not counted: cut it off again.
      [[maybe_unused]] auto ignored =
          ::ftruncate(impl_->fd, static_cast<off_t>(written_));
      return reason + " writing " + final_path_ + std::string{part_suffix} + " at " +
             human_size(static_cast<double>(written_)) + " (partial kept)";
    }
    done += static_cast<size_t>(n);
  }
  EVP_DigestUpdate(impl_->md.get(), data.data(), data.size());
  written_ += data.size();
  return {};
}

std::string part_file::checkpoint() {
  if (record_.offset == written_ && written_ != 0)
    return {};
  if (::fdatasync(impl_->fd) != 0)
    return why("cannot sync " + final_path_ + std::string{part_suffix});
  auto next = record_;
  next.offset = written_;
  if (!write_atomically(final_path_ + std::string{state_suffix}, format_record(next)))
    return why("cannot write " + final_path_ + std::string{state_suffix});
  record_ = std::move(next);
  return {};
}

std::string part_file::finish(std::string& placed) {
  if (written_ != record_.size)
    return "only " + std::to_string(written_) + " of " + std::to_string(record_.size) +
           " bytes arrived";
  // A copy of the context: finish may be asked again after a failed rename.
  md_ptr copy{EVP_MD_CTX_new()};
  if (!copy || EVP_MD_CTX_copy_ex(copy.get(), impl_->md.get()) != 1)
    return "cannot compute the SHA-256";
  auto got = final_hex(copy.get());
  if (got != record_.sha256) {
    discard(final_path_);
    return "the file's SHA-256 is " + got + ", not the " + record_.sha256 +
           " the sender announced: discarded";
  }
  if (::fdatasync(impl_->fd) != 0)
    return why("cannot sync " + final_path_ + std::string{part_suffix});
  auto part = final_path_ + std::string{part_suffix};
  // The name was free when the transfer began; if someone took it since,
  // the next free one (the part itself counts as taken, so skip it).
  struct stat info {};
  placed = final_path_;
  if (::lstat(placed.c_str(), &info) == 0) {
    auto slash = final_path_.rfind('/');
    auto dir =
        slash == std::string::npos ? std::string{"."} : final_path_.substr(0, slash);
    auto name = final_path_.substr(slash + 1);
    placed = unique_path(dir, name, [&](const std::string& p) {
      return p == final_path_ || path_taken(p);
    });
  }
  // link + unlink, not rename: rename would replace a file created between
  // the check and here.
  if (::link(part.c_str(), placed.c_str()) != 0)
    return why("cannot name the file " + placed);
  ::unlink(part.c_str());
  ::unlink((final_path_ + std::string{state_suffix}).c_str());
  return {};
}

std::vector<std::pair<std::string, part_record>> part_file::find(const std::string& dir) {
  std::vector<std::pair<std::string, part_record>> result;
  std::unique_ptr<DIR, int (*)(DIR*)> d{::opendir(dir.c_str()), ::closedir};
  if (!d)
    return result;
  while (auto* entry = ::readdir(d.get())) {
    std::string_view name = entry->d_name;
    if (name.size() <= state_suffix.size() || !name.ends_with(state_suffix))
      continue;
    auto path = dir + "/" + std::string{name};
    std::ifstream in{path};
    std::stringstream text;
    text << in.rdbuf();
    part_record r;
    if (parse_record(text.str(), r))
      result.emplace_back(path.substr(0, path.size() - state_suffix.size()), r);
  }
  return result;
}

void part_file::discard(const std::string& final_path) {
  ::unlink((final_path + std::string{part_suffix}).c_str());
  ::unlink((final_path + std::string{state_suffix}).c_str());
}

std::string hash_file(const std::string& path, uint64_t& size, std::string& error,
                      const std::atomic<bool>* stop) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = why("cannot read " + path);
    return {};
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    error = path + " is not a regular file";
    return {};
  }
  auto md = new_sha256();
  std::string buf(block, '\0');
  uint64_t total = 0;
  for (;;) {
    if (stop != nullptr && stop->load()) {
      ::close(fd);
      error = "cancelled";
      return {};
    }
    auto n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      error = why("cannot read " + path);
      ::close(fd);
      return {};
    }
    if (n == 0)
      break;
    EVP_DigestUpdate(md.get(), buf.data(), static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
  }
  ::close(fd);
  size = total;
  return final_hex(md.get());
}

} // namespace chat
