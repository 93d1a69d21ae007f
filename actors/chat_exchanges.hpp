#pragma once

// The exchanges of PROTOCOL.md and the durable twins that make persistent
// traffic survive a broker restart.
//
// PROTOCOL.md's exchanges are non-durable (original clients declare them so,
// and a durable redeclare would fail for them): a broker restart drops them
// with every binding, and a message published before a receiver re-bound is
// confirmed and lost. So group messages and insults of chat-actors clients
// go through a durable twin exchange instead, to which our durable queues
// are bound durably: those bindings are back the moment the broker is. The
// twin and the public exchange are bound to each other both ways ("#"), so
// original clients' messages reach our queues and ours reach theirs (the
// broker routes through such a cycle once per queue). Those two bindings
// die with the public exchange; the server node's topology actor and every
// client re-create them whenever they (re)connect.

#include <caf/error.hpp>

namespace chat {

class amqp_connection;
class amqp_mux;

struct exchange_spec {
  const char* name;
  const char* type;
  /// Our durable exchange of the same type, or nullptr.
  const char* durable_twin = nullptr;
};

inline constexpr exchange_spec group_exchange{"group_chat", "topic",
                                              "chat-actors.groups"};
inline constexpr exchange_spec insult_exchange{"insults", "fanout",
                                               "chat-actors.insults"};
inline constexpr exchange_spec discovery_request_exchange{"discovery_requests", "fanout"};
inline constexpr exchange_spec discovery_response_exchange{"discovery_responses",
                                                           "direct"};

inline constexpr exchange_spec chat_exchanges[] = {group_exchange, insult_exchange,
                                                   discovery_request_exchange,
                                                   discovery_response_exchange};

/// Where our clients publish and bind for `x`: its twin if it has one.
inline const char* durable_name(const exchange_spec& x) {
  return x.durable_twin != nullptr ? x.durable_twin : x.name;
}

/// Declares `x` and its twin, bound to each other both ways; the mux
/// re-asserts all of it after every reconnect.
void declare(amqp_mux& mux, const exchange_spec& x);

/// The same, once, on a connection's first channel.
caf::error declare(amqp_connection& conn, const exchange_spec& x);

} // namespace chat
