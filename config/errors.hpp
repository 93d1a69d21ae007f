#pragma once

// chat-actors' own error codes, rendered as one readable line.

#include <caf/error.hpp>

#include <cstdint>
#include <string>

namespace caf {
class actor_system_config;
}

namespace chat {

enum class errc : uint8_t {
  none = 0,
  invalid_name,      ///< a user or group name breaks the naming rule
  name_taken,        ///< a live session holds the name
  unknown_user,      ///< no such user is registered
  redis_unavailable, ///< the name server does not answer
  server_not_found,  ///< the LAN locator got no answer in time
  lease_lost,        ///< another session took our name while we were away
  service_failed,    ///< a managed service could not be started
  broker_error,      ///< RabbitMQ refused or closed something
  invalid_message,   ///< a private message breaks the input rules
  not_authentic,     ///< a sender failed to prove who it is
  peer_unreachable,  ///< a registered peer does not answer
  not_registered,    ///< this session has no name yet
  undeliverable,     ///< the broker had no queue for a message
  outbox_full,       ///< too many messages wait for the broker
  stale_session,     ///< a message was sealed for an earlier session of ours
  untrusted_server,  ///< a server does not hold the join code's certificate
  no_join_code,      ///< secure mode and no (valid) join code
  already_filed,     ///< a resend of a private message the receiver has
  key_changed,       ///< a peer's identity key changed: sends wait for /trust
};

/// An error in the `chat` category; `what` is shown to the user as is.
caf::error make_error(errc code, std::string what);

/// Whether `err` is our `code`.
bool is(const caf::error& err, errc code);

/// The text of an error: ours as written, CAF's as CAF renders it.
std::string describe(const caf::error& err);

/// Makes `caf::actor_system::render` know the `chat` category.
void add_error_category(caf::actor_system_config& cfg);

} // namespace chat
