#pragma once

// Bare rabbitmq-c helpers for the raw baselines: one connection, channel 1,
// same login settings as adapters/common/amqp_connection.cpp. Throws on failure.

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace chat::bench {

inline void raw_check(amqp_rpc_reply_t r, const char* what) {
  if (r.reply_type != AMQP_RESPONSE_NORMAL)
    throw std::runtime_error(std::string{"raw amqp: "} + what + " failed");
}

/// The broker account: $CHAT_AMQP_USER/$CHAT_AMQP_PASSWORD (a secure-mode
/// node's administrator, scripts/test-services), else guest/guest.
inline const char* raw_amqp_env(const char* key, const char* fallback) {
  auto value = std::getenv(key);
  return value != nullptr && *value != '\0' ? value : fallback;
}

/// `heartbeat` 0: none (a client that idles while we set up users).
inline amqp_connection_state_t raw_amqp_open(uint16_t port, int heartbeat = 10) {
  auto conn = amqp_new_connection();
  auto sock = amqp_tcp_socket_new(conn);
  if (sock == nullptr || amqp_socket_open(sock, "127.0.0.1", port) != AMQP_STATUS_OK) {
    amqp_destroy_connection(conn);
    throw std::runtime_error("raw amqp: cannot connect");
  }
  raw_check(amqp_login(conn, "/", AMQP_DEFAULT_MAX_CHANNELS, AMQP_DEFAULT_FRAME_SIZE,
                       heartbeat, AMQP_SASL_METHOD_PLAIN,
                       raw_amqp_env("CHAT_AMQP_USER", "guest"),
                       raw_amqp_env("CHAT_AMQP_PASSWORD", "guest")),
            "login");
  amqp_channel_open(conn, 1);
  raw_check(amqp_get_rpc_reply(conn), "channel.open");
  return conn;
}

inline void raw_amqp_close(amqp_connection_state_t conn) {
  amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
  amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn);
}

inline amqp_bytes_t raw_bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

} // namespace chat::bench
