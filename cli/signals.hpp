#pragma once

// SIGINT/SIGTERM/SIGHUP are blocked in every thread (block_shutdown_signals
// runs before the actor system starts) and taken synchronously here.

namespace chat {

/// Blocks until SIGINT, SIGTERM or SIGHUP; returns the signal.
int wait_for_shutdown_signal();

/// Releases a thread blocked in wait_for_shutdown_signal.
void wake_signal_waiter();

} // namespace chat
