#pragma once

// File transfers of this session (docs/files.md): offers made to us wait
// here for /accept or /decline; every transfer, either way, is a
// file_transfer_actor of its own, spawned and listed here. The gRPC file
// service reaches this actor through a file_slot; the user through the
// private-chat manager, which spawns it once the session is registered.

#include "actors/client/file_transfer_actor.hpp"
#include "actors/client/file_types.hpp"
#include "actors/common/atoms.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace chat {

/// file: what the user asks (one line back, or a one-line error).
/// incoming: an offer to us, or the end of one of ours, from the service.
/// progress: bytes of one of our offers served so far. recheck: a fetch
/// of one of our offers came with this certificate. event: a transfer
/// tells the user something.
using file_manager_actor =
    caf::typed_actor<caf::replies_to<file_atom, file_request>::with<std::string>,
                     caf::reacts_to<incoming_atom, file_offer, delivery_reply>,
                     caf::reacts_to<incoming_atom, file_conclusion, delivery_reply>,
                     caf::reacts_to<progress_atom, std::string, uint64_t>,
                     caf::reacts_to<recheck_atom, std::string, std::string>,
                     caf::reacts_to<event_atom, file_event>>;

/// Where gRPC threads find the manager (none before the session registers).
class file_slot {
public:
  void set(file_manager_actor hdl);
  file_manager_actor get() const;

private:
  mutable std::mutex mtx_;
  file_manager_actor hdl_;
};

/// The file service's hooks, handing calls to the manager in `slot`.
file_service_hooks file_hooks(std::shared_ptr<file_slot> slot,
                              std::shared_ptr<offered_files> offered);

struct file_manager_state {
  file_context ctx;
  /// Gets (event_atom, file_event).
  caf::actor listener;
  /// Where accepted files go (chat.download-dir).
  std::string download_dir;
  /// Offers to us not answered yet, oldest first.
  std::vector<file_event> pending;
  std::map<std::string, part_record> pending_records;
  /// Every running transfer and what it last said.
  std::map<std::string, file_transfer_actor> transfers;
  std::map<std::string, file_event> latest;

  static inline const char* name = "file_transfers";
};

using file_manager_pointer = file_manager_actor::stateful_pointer<file_manager_state>;

/// Resumes every transfer to `ctx.user` left in `download_dir`.
file_manager_actor::behavior_type file_manager_impl(file_manager_pointer self,
                                                    file_context ctx, caf::actor listener,
                                                    std::string download_dir);

} // namespace chat
