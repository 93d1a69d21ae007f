#pragma once

// One file transfer, on either side (docs/files.md). The actor owns the
// transfer's state; blocking work (hashing, gRPC calls, file writes) runs
// in detached jobs that report back by message.
//
// Sending: hash the file, look the receiver up, sign the offer, publish it
// for Fetch and announce it (again every few seconds while the receiver is
// away); then follow what the receiver fetches until it concludes.
//
// Receiving: look the sender up, fetch from the verified offset into the
// .part file (adapters/client/part_file.hpp), and after a broken
// connection, a stalled one, or a restart of either side, fetch again
// from there: never from the start, never a byte twice. The file takes its
// name once its whole SHA-256 matches the signed offer.

#include "actors/client/file_types.hpp"
#include "actors/client/registry_actor.hpp"
#include "actors/common/atoms.hpp"
#include "adapters/client/file_transfer_grpc.hpp"
#include "adapters/client/identity_store.hpp"
#include "adapters/client/part_file.hpp"

#include <caf/actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace chat {

/// ready: the file's SHA-256 and size, or why not (sending). sent: how the
/// announcement went. progress: bytes so far (fetched, or served to the
/// receiver). finish: a fetch ended (code, detail, where the file went) or
/// the receiver concluded (code, detail). recheck: the receiver fetched
/// with this certificate (sending). cancel: the user's /cancel. retry,
/// timeout: internal timers.
using file_transfer_actor =
    caf::typed_actor<caf::reacts_to<ready_atom, std::string, uint64_t, std::string>,
                     caf::reacts_to<sent_atom, int32_t, std::string>,
                     caf::reacts_to<progress_atom, uint64_t>,
                     caf::reacts_to<finish_atom, int32_t, std::string, std::string>,
                     caf::reacts_to<recheck_atom, std::string>,
                     caf::reacts_to<cancel_atom>, caf::reacts_to<retry_atom>,
                     caf::reacts_to<timeout_atom>>;

/// What every transfer of this session shares.
struct file_context {
  std::string user;
  std::shared_ptr<const ed25519_key> identity;
  std::shared_ptr<const tls_identity> tls;
  std::shared_ptr<known_peers> pins;
  registry_actor registry;
  /// Files this session offers, for the Fetch service.
  std::shared_ptr<offered_files> offered;
  /// Bound of each Announce or Conclude call.
  caf::timespan call_timeout{std::chrono::seconds{10}};
  /// A fetch that brings nothing for this long is abandoned and tried again.
  caf::timespan stall_timeout{std::chrono::seconds{6}};
  /// Pause before trying again (peer away, link down).
  caf::timespan retry_delay{std::chrono::seconds{1}};
};

struct file_transfer_state {
  file_context ctx;
  /// Gets (event_atom, file_event); the manager.
  caf::actor manager;
  /// The transfer as the user sees it (kind, ids, sizes, paths).
  file_event info;
  /// Sending: the signed offer. Receiving: the record of the .part file.
  file_offer offer;
  part_record record;
  /// Receiving: the copy so far, opened by the first fetch job (used by
  /// one job at a time).
  std::shared_ptr<std::unique_ptr<part_file>> part;
  /// The running fetch (to cancel it); nullptr between fetches.
  std::shared_ptr<file_fetch> fetch;
  /// Stops a running hash job.
  std::shared_ptr<std::atomic<bool>> stop = std::make_shared<std::atomic<bool>>(false);
  /// The peer's TLS endpoint, as last looked up.
  file_peer peer;
  /// Receiving: bytes at the last watchdog tick; the fetch made no progress
  /// since if it is unchanged.
  uint64_t watched = 0;
  /// When the last progress event went out, and at how many bytes.
  std::chrono::steady_clock::time_point last_report{};
  uint64_t reported_bytes = 0;
  /// A note was given for the current wait (told once, not every retry).
  bool told_waiting = false;
  /// The user cancelled.
  bool cancelled = false;
  /// Sending: the receiver answered the announcement.
  bool announced = false;

  /// Withdraws a published offer and stops running jobs.
  ~file_transfer_state();

  static inline const char* name = "file_transfer";
};

using file_transfer_pointer = file_transfer_actor::stateful_pointer<file_transfer_state>;

/// Offers the file at `path` to `peer` under transfer id `id`.
file_transfer_actor::behavior_type file_send_impl(file_transfer_pointer self,
                                                  file_context ctx, caf::actor manager,
                                                  std::string id, std::string peer,
                                                  std::string path);

/// Fetches the offer in `record` into `final_path` (continuing a .part file
/// if there is one); `verified`: the offer's key is the pinned one.
file_transfer_actor::behavior_type
file_receive_impl(file_transfer_pointer self, file_context ctx, caf::actor manager,
                  part_record record, std::string final_path, bool verified);

/// Runs `job` in a detached actor of its own (blocking work beside actors).
void run_detached(caf::local_actor* self, std::function<void()> job);

} // namespace chat
