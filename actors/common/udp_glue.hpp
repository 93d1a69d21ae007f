#pragma once

// Wires a UDP socket to an actor: datagrams arrive as
// (datagram_atom, udp_datagram). Both LAN locator actors, the server's and
// the client's, open their sockets through a factory so that unit tests can
// hand them a fake.

#include "actors/common/atoms.hpp"
#include "adapters/common/udp_socket.hpp"

#include <caf/actor.hpp>
#include <caf/send.hpp>

#include <functional>
#include <memory>
#include <string>

namespace chat {

/// Opens an actor's UDP socket; replaced by a fake in unit tests.
using udp_socket_factory =
    std::function<std::unique_ptr<udp_socket>(caf::actor, std::string&)>;

/// A socket callback that hands datagrams to `receiver` as
/// (datagram_atom, udp_datagram).
inline udp_socket::datagram_handler datagrams_to(caf::actor receiver) {
  return [receiver = std::move(receiver)](udp_datagram d) {
    caf::anon_send(receiver, datagram_atom::value, std::move(d));
  };
}

} // namespace chat
