#pragma once

// What file transfers tell the CLI and what the CLI asks of them
// (docs/files.md).

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>

namespace chat {

/// One event of a transfer, for the CLI (JSON `file_offer`, `file_progress`,
/// `file_done`, `file_failed`, `file_info`).
struct file_event {
  enum kind_t : uint8_t {
    offer,    ///< an offer made to us, or ours to a peer
    progress, ///< bytes so far (at most once a second per transfer)
    done,     ///< complete, SHA-256 checked
    failed,   ///< ended without the file; `text` says why
    info,     ///< a note on the way (waiting for the peer, resuming)
  };
  uint8_t kind = info;
  std::string id;
  /// The other side.
  std::string peer;
  /// We receive it.
  bool incoming = false;
  /// The name as offered.
  std::string name;
  /// Where it is read from (sending) or saved (receiving).
  std::string path;
  uint64_t size = 0;
  uint64_t bytes = 0;
  /// Bytes per second over the last interval; 0 if unknown.
  double rate = 0;
  std::string sha256;
  /// The offer is signed by the peer's pinned identity key.
  bool verified = false;
  std::string text;
  int64_t ts_ms = 0;
  friend bool operator==(const file_event&, const file_event&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, file_event& x) {
  return f(caf::meta::type_name("file_event"), x.kind, x.id, x.peer, x.incoming, x.name,
           x.path, x.size, x.bytes, x.rate, x.sha256, x.verified, x.text, x.ts_ms);
}

/// What the user asks of file transfers.
struct file_request {
  enum verb_t : uint8_t { send, accept, decline, cancel, list };
  uint8_t verb = list;
  /// send: the peer; accept, decline, cancel: the transfer id or a prefix
  /// of it (empty: the latest offer).
  std::string target;
  /// send: the file; accept: where to save it (a file or a directory).
  std::string path;
  friend bool operator==(const file_request&, const file_request&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, file_request& x) {
  return f(caf::meta::type_name("file_request"), x.verb, x.target, x.path);
}

} // namespace chat
