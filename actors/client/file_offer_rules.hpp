#pragma once

// What makes a file offer genuine (docs/files.md): it is signed by the
// sender's identity key, the one its registry entry publishes (and that
// vouches for the TLS certificate the offer came with), for exactly this
// receiver, name, size and SHA-256. Pure: unit-tested.

#include "actors/client/registry_actor.hpp"
#include "adapters/client/file_transfer_grpc.hpp"
#include "adapters/common/ed25519.hpp"

#include <string>

namespace chat {

/// The bytes the sender's identity key signs.
std::string offer_payload(const file_offer& offer);

/// `offer` with its signature by `identity`.
file_offer sign_offer(file_offer offer, const ed25519_key& identity);

/// Why `offer`, which came on a connection with certificate
/// offer.peer_cert, is not a genuine offer from offer.sender to `me`, whose
/// registry entry is `entry`; empty if it is one. The name is checked
/// separately (sanitize_file_name).
std::string offer_problem(const file_offer& offer, const endpoint& entry,
                          const std::string& me);

/// A fresh transfer id: 32 random hex digits.
std::string new_transfer_id();

/// Whether `x` is `n` lowercase hex digits.
bool is_hex(const std::string& x, size_t n);

} // namespace chat
