#pragma once

// What gRPC threads need to hand an incoming private message straight to
// the peer actor that owns the conversation, without a detour through the
// manager: the peer actors by name (the manager adds them, a leaving one
// removes itself) and this session's name and session key for the checks
// every call passes first. A call for a peer with no actor yet goes to the
// manager, which spawns one.

#include "actors/client/private_chat_peer_actor.hpp"

#include <map>
#include <mutex>
#include <string>

namespace chat {

class peer_directory {
public:
  /// Who we are once registered (the checks refuse everything before).
  struct self_info {
    std::string user;
    std::string session_key;
  };

  void set_self(self_info info) {
    std::lock_guard guard{mtx_};
    self_ = std::move(info);
  }

  self_info self() const {
    std::lock_guard guard{mtx_};
    return self_;
  }

  void add(const std::string& peer, private_chat_peer_actor hdl) {
    std::lock_guard guard{mtx_};
    peers_[peer] = std::move(hdl);
  }

  /// Removes `peer` if `hdl` is still the actor listed for it.
  void remove(const std::string& peer, const caf::actor_addr& hdl) {
    std::lock_guard guard{mtx_};
    if (auto i = peers_.find(peer); i != peers_.end() && i->second.address() == hdl)
      peers_.erase(i);
  }

  /// The actor of `peer`; invalid if none.
  private_chat_peer_actor find(const std::string& peer) const {
    std::lock_guard guard{mtx_};
    auto i = peers_.find(peer);
    return i != peers_.end() ? i->second : private_chat_peer_actor{};
  }

private:
  mutable std::mutex mtx_;
  self_info self_;
  std::map<std::string, private_chat_peer_actor> peers_;
};

/// Checks an incoming call before any peer actor sees it (any thread).
caf::error check_incoming(const wire_message& msg, const peer_directory::self_info& self,
                          size_t max_message_bytes);

} // namespace chat
