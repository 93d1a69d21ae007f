#pragma once

// Entry points of the subcommands, called by main after configuration.

#include <caf/fwd.hpp>

namespace chat {

class chat_config;

int run_server(caf::actor_system& sys, const chat_config& cfg);
int run_client(caf::actor_system& sys, const chat_config& cfg);

/// Prints the server's address as found by the LAN locator.
int run_locate(caf::actor_system& sys, const chat_config& cfg);

/// Blocks SIGINT/SIGTERM in every thread created from now on, so that only
/// `wait_for_shutdown_signal` sees them.
void block_shutdown_signals();

} // namespace chat
