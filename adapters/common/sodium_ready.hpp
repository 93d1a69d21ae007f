#pragma once

// libsodium must be initialised once before use; every adapter that uses
// it calls this first.

namespace chat {

/// Initialises libsodium (thread-safe, idempotent); throws
/// std::runtime_error if it cannot.
void require_sodium();

} // namespace chat
