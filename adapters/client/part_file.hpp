#pragma once

// A file being received (docs/files.md): its bytes so far in `<path>.part`
// and what it is in `<path>.part.state` beside it, so that the transfer
// continues from the last checkpoint after a restart. The whole SHA-256 is
// computed as the bytes arrive; the file takes its name only when it
// matches. Blocking file I/O: used by the detached fetch job only.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chat {

/// What the state file keeps: the signed offer and how far the copy is.
struct part_record {
  std::string id;
  std::string sender;
  std::string receiver;
  /// The name as offered (the saved one is the path's).
  std::string name;
  uint64_t size = 0;
  std::string sha256;
  std::string signature;
  /// Bytes of the .part file that are checked and synced.
  uint64_t offset = 0;
  friend bool operator==(const part_record&, const part_record&) = default;
};

/// The record as the state file holds it, and back (nothing if malformed).
std::string format_record(const part_record& r);
bool parse_record(std::string_view text, part_record& r);

class part_file {
public:
  /// `final_path`.part, cut back to record.offset (what lies beyond was
  /// never checkpointed) and hashed up to there; created empty at offset 0.
  /// nullptr and `error` set if it cannot be opened.
  static std::unique_ptr<part_file> open(std::string final_path, part_record record,
                                         std::string& error);

  ~part_file();
  part_file(const part_file&) = delete;
  part_file& operator=(const part_file&) = delete;

  const part_record& record() const { return record_; }
  const std::string& final_path() const { return final_path_; }
  /// Bytes written (checked against the size, maybe not yet checkpointed).
  uint64_t offset() const { return written_; }

  /// Writes one chunk; a one-line problem if it does not start where the
  /// copy ends, goes past the announced size, or cannot be written (disk
  /// full: the partial copy is kept).
  std::string append(uint64_t offset, std::string_view data);

  /// The last append failed on our side (disk full, I/O error), not
  /// because of what the sender sent.
  bool write_failed() const { return write_failed_; }

  /// Syncs the bytes and records their count in the state file.
  std::string checkpoint();

  /// Once every byte is there: compares the SHA-256 with the offer's and
  /// renames the copy into place (under a fresh name if the path was taken
  /// meanwhile), removing the state file; `placed` is where it went. A
  /// mismatch removes the copy.
  std::string finish(std::string& placed);

  /// Every transfer in `dir` left by a run that ended before it finished:
  /// (final path, record).
  static std::vector<std::pair<std::string, part_record>> find(const std::string& dir);

  /// Removes the copy and its state file (declined or cancelled).
  static void discard(const std::string& final_path);

private:
  part_file() = default;
  struct impl;
  std::unique_ptr<impl> impl_;
  std::string final_path_;
  part_record record_;
  uint64_t written_ = 0;
  bool write_failed_ = false;
};

/// SHA-256 (hex) and size of the file at `path`; `stop` is polled between
/// blocks and abandons the work when true. Empty and `error` set on failure.
std::string hash_file(const std::string& path, uint64_t& size, std::string& error,
                      const std::atomic<bool>* stop = nullptr);

} // namespace chat
