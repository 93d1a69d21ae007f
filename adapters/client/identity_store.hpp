#pragma once

// What a client keeps about identities between runs, in its state dir
// (~/.local/state/chat-actors, mode 0700, files 0600):
// - identity-<name>.key: the user's long-lived Ed25519 key (hex of the
//   private key), made on first use of the name on this machine;
// - known-peers-<name>: the identity key pinned for every peer on first
//   contact (trust on first use, like SSH's known_hosts).
// An empty dir keeps both for this process only (tests, throwaway names).

#include "adapters/common/ed25519.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace chat {

/// The identity key of `name` in `dir`; nullptr and `error` set if the file
/// cannot be read or written. A malformed file is an error, never replaced
/// silently: a new key would be a new identity to every peer.
std::shared_ptr<const ed25519_key>
load_identity(const std::string& dir, const std::string& name, std::string& error);

/// How a peer's current identity key compares with the pinned one.
enum class pin_status {
  /// Nothing was pinned: the key is pinned now.
  first_contact,
  matches,
  /// Another key (or none) than the pinned one: not verified until trusted.
  changed,
};

/// The pins of one user; safe to share between actors. Every process and
/// actor of the user sees the others' pins: the file is read again when it
/// changed, and a change is written at once.
class known_peers {
public:
  /// Loads `dir`/known-peers-<self>; malformed lines are skipped.
  known_peers(const std::string& dir, const std::string& self);

  /// Compares `key` (empty: the peer has no key) with the pin of `name`,
  /// pinning it on first contact.
  pin_status check(const std::string& name, const std::string& key);

  /// The key pinned for `name`, empty if none.
  std::string pinned(const std::string& name) const;

  /// Trusts `key` for `name` from now on (empty: forget the pin).
  void trust(const std::string& name, const std::string& key);

private:
  /// Reads the file again if it changed since we last read or wrote it.
  void refresh() const;
  void save() const;

  mutable std::mutex mtx_;
  mutable std::map<std::string, std::string> pins_;
  /// Empty: kept in memory only.
  std::string path_;
  /// The file's version (identity_store.cpp: version_of) as we last saw it.
  mutable int64_t seen_version_ = -1;
};

} // namespace chat
