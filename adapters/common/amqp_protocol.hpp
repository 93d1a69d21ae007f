#pragma once

// The AMQP vocabulary in one place: docs/protocol.md's exchanges, queues and the
// headers our clients add, and the durable twins that make persistent
// traffic survive a broker restart.
//
// docs/protocol.md's exchanges are non-durable (original clients declare them so,
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

#include <cstdint>
#include <set>
#include <string>

namespace chat {

class amqp_connection;
class amqp_mux;

struct exchange_spec {
  const char* name;
  const char* type;
  /// Our durable exchange of the same type, or nullptr.
  const char* durable_twin = nullptr;
  /// Declared durable itself (an exchange of ours that has no twin).
  bool durable = false;
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

/// Secure mode: private messages kept for a user who is away, sealed to the
/// recipient (docs/protocol.md, "Inbox"). Ours alone (original clients
/// know nothing of it), so durable and without a twin; the server node
/// declares it, routing key = the recipient's name.
inline constexpr exchange_spec inbox_exchange{"chat-actors.inbox", "topic", nullptr,
                                              true};

/// Where our clients publish and bind for `x`: its twin if it has one.
inline const char* durable_name(const exchange_spec& x) {
  return x.durable_twin != nullptr ? x.durable_twin : x.name;
}

// -- queues and routing keys (docs/protocol.md) ----------------------------------

/// A user's subscription to a group: `<user>:<group>`.
std::string subscription_queue(const std::string& user, const std::string& group);
/// What a subscription queue is bound with: `*.<group>.*`.
std::string group_binding_key(const std::string& group);
/// What a group message is published with: `<user>.<group>.msg`.
std::string group_routing_key(const std::string& user, const std::string& group);

/// A user's inbox: `<user>:inbox`, bound to inbox_exchange with key `<user>`.
std::string inbox_queue(const std::string& user);

/// The one queue every insult consumer shares (round-robin).
inline constexpr const char* insults_queue = "insults_queue";

/// `<user>:discovery_requests`, bound to the requests fanout.
std::string discovery_request_queue(const std::string& user);
/// `<user>:discovery_responses`, bound to the responses with key `<user>`.
std::string discovery_response_queue(const std::string& user);

// -- headers our clients add (original clients ignore them) ----------------

/// The sending user (own-echo detection, not body prefixes).
inline constexpr const char* sender_header = "x-chat-sender";
/// Hex Ed25519 signature by the sender's identity key (actors/client/sender_proof.hpp).
inline constexpr const char* signature_header = "x-chat-sig";
/// The discovery round a request belongs to, echoed by the answer.
inline constexpr const char* round_header = "x-chat-round";
/// The answering user's private-chat endpoint, "host:port".
inline constexpr const char* endpoint_header = "x-chat-endpoint";
/// The answering user's groups, comma-separated.
inline constexpr const char* groups_header = "x-chat-groups";
/// A group message that is a membership event, not chat: "join" or "leave"
/// (the body, "<user>: joined #<group>", is what original clients show).
inline constexpr const char* event_header = "x-chat-event";

/// A message id unique across sessions: "<user>-<random>-<n>".
std::string make_message_id(const std::string& user, uint64_t n);

// -- declaring the exchanges ------------------------------------------------

/// Declares `x` and its twin, bound to each other both ways; the mux
/// re-asserts all of it after every reconnect.
void declare(amqp_mux& mux, const exchange_spec& x);

/// The same, once, on a connection's first channel.
caf::error declare(amqp_connection& conn, const exchange_spec& x);

/// Secure mode, server node: declares insults_queue as original clients do
/// and binds it to the insults twin (members may consume it, not configure
/// or bind it).
caf::error declare_shared_queues(amqp_connection& conn);

/// Secure mode, server node: the inbox exchange.
caf::error declare_inbox_exchange(amqp_connection& conn);

/// Secure mode, clients: every exchange above, the twins, the inbox exchange
/// and insults_queue,
/// which the server node owns (`amqp_settings::server_owned`).
std::set<std::string> server_owned_names();

} // namespace chat
