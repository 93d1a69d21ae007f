#pragma once

// Root of a client session: supervises the registry, the private chats and
// the broker link. The broker link is restarted with a growing delay when
// it fails (the CLI gets the new handle); losing the registry or the
// private chats ends the session cleanly, with the reason shown. Exiting
// the supervisor (main does, when the CLI is done) stops them all: the
// name is unregistered and the session's queues deleted.

#include "cli/client/cli_actor.hpp"

#include <caf/fwd.hpp>

#include <functional>

namespace chat {

struct client_children {
  cli_peers peers;
  /// Spawns a new broker link (same user, endpoint and listener).
  std::function<caf::actor()> respawn_broker;
};

caf::actor spawn_client_supervisor(caf::actor_system& sys, cli_actor cli,
                                   client_children children);

} // namespace chat
