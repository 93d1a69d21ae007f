#include "adapters/amqp_connection.hpp"

#include "config/errors.hpp"

#include <amqp.h>
#include <amqp_tcp_socket.h>

namespace chat {

namespace {

constexpr amqp_channel_t channel = 1;

/// One line for an RPC reply that is not a success.
std::string reply_text(const amqp_rpc_reply_t& r) {
  switch (r.reply_type) {
  case AMQP_RESPONSE_NORMAL:
    return {};
  case AMQP_RESPONSE_NONE:
    return "missing RPC reply";
  case AMQP_RESPONSE_LIBRARY_EXCEPTION:
    return amqp_error_string2(r.library_error);
  case AMQP_RESPONSE_SERVER_EXCEPTION:
    if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
      auto m = static_cast<amqp_connection_close_t*>(r.reply.decoded);
      return "connection closed by broker: " +
             std::string(static_cast<char*>(m->reply_text.bytes), m->reply_text.len);
    }
    if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
      auto m = static_cast<amqp_channel_close_t*>(r.reply.decoded);
      return "channel closed by broker: " +
             std::string(static_cast<char*>(m->reply_text.bytes), m->reply_text.len);
    }
    return "broker error";
  }
  return "unknown AMQP reply";
}

} // namespace

struct amqp_connection::impl {
  amqp_connection_state_t conn = nullptr;
  bool channel_open = false;
  std::string where;

  ~impl() {
    if (conn == nullptr)
      return;
    if (channel_open)
      amqp_channel_close(conn, channel, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
  }

  caf::error fail(const std::string& what, const amqp_rpc_reply_t& r) {
    return make_error(errc::broker_error,
                      "broker " + where + ": " + what + ": " + reply_text(r));
  }
};

amqp_connection::~amqp_connection() = default;

std::unique_ptr<amqp_connection> amqp_connection::open(const amqp_settings& s,
                                                       caf::error& err) {
  std::unique_ptr<amqp_connection> result{new amqp_connection};
  result->impl_ = std::make_unique<impl>();
  auto& d = *result->impl_;
  d.where = s.host + ":" + std::to_string(s.port);
  d.conn = amqp_new_connection();
  auto socket = amqp_tcp_socket_new(d.conn);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(s.timeout).count();
  timeval tv{static_cast<time_t>(us / 1'000'000),
             static_cast<suseconds_t>(us % 1'000'000)};
  if (socket == nullptr ||
      amqp_socket_open_noblock(socket, s.host.c_str(), s.port, &tv) != AMQP_STATUS_OK) {
    err = make_error(errc::broker_error, "broker " + d.where + " unreachable");
    return nullptr;
  }
  amqp_set_handshake_timeout(d.conn, &tv);
  amqp_set_rpc_timeout(d.conn, &tv);
  auto login = amqp_login(d.conn, s.vhost.c_str(), AMQP_DEFAULT_MAX_CHANNELS,
                          AMQP_DEFAULT_FRAME_SIZE, s.heartbeat_seconds,
                          AMQP_SASL_METHOD_PLAIN, s.user.c_str(), s.password.c_str());
  if (login.reply_type != AMQP_RESPONSE_NORMAL) {
    err = d.fail("login as " + s.user, login);
    return nullptr;
  }
  amqp_channel_open(d.conn, channel);
  if (auto r = amqp_get_rpc_reply(d.conn); r.reply_type != AMQP_RESPONSE_NORMAL) {
    err = d.fail("opening a channel", r);
    return nullptr;
  }
  d.channel_open = true;
  return result;
}

caf::error amqp_connection::declare_exchange(const std::string& name,
                                             const std::string& type, bool durable) {
  auto& d = *impl_;
  amqp_exchange_declare(d.conn, channel, amqp_cstring_bytes(name.c_str()),
                        amqp_cstring_bytes(type.c_str()), 0, durable ? 1 : 0, 0, 0,
                        amqp_empty_table);
  if (auto r = amqp_get_rpc_reply(d.conn); r.reply_type != AMQP_RESPONSE_NORMAL) {
    d.channel_open = false;
    return d.fail("declaring exchange " + name, r);
  }
  return {};
}

} // namespace chat
