#include "adapters/amqp_connection.hpp"

#include "config/defaults.hpp"
#include "config/errors.hpp"

#include <caf/actor_system_config.hpp>

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <vector>

namespace chat {

namespace {

constexpr amqp_channel_t channel = 1;

std::string text_of(amqp_bytes_t x) {
  return x.len == 0 ? std::string{} : std::string(static_cast<char*>(x.bytes), x.len);
}

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
      return "connection closed by broker: " + text_of(m->reply_text);
    }
    if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
      auto m = static_cast<amqp_channel_close_t*>(r.reply.decoded);
      return "channel closed by broker: " + text_of(m->reply_text);
    }
    return "broker error";
  }
  return "unknown AMQP reply";
}

timeval to_timeval(caf::timespan x) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(x).count();
  if (us < 0)
    us = 0;
  return timeval{static_cast<time_t>(us / 1'000'000),
                 static_cast<suseconds_t>(us % 1'000'000)};
}

/// String-valued AMQP table; keeps its entries alive while in use.
struct string_table {
  std::vector<amqp_table_entry_t> entries;
  explicit string_table(const std::map<std::string, std::string>& xs) {
    for (auto& [k, v] : xs) {
      amqp_table_entry_t e;
      e.key = amqp_cstring_bytes(k.c_str());
      e.value.kind = AMQP_FIELD_KIND_UTF8;
      e.value.value.bytes = amqp_bytes_t{v.size(), const_cast<char*>(v.data())};
      entries.push_back(e);
    }
  }
  amqp_table_t table() {
    return amqp_table_t{static_cast<int>(entries.size()), entries.data()};
  }
};

std::map<std::string, std::string> strings_of(const amqp_table_t& t) {
  std::map<std::string, std::string> result;
  for (int i = 0; i < t.num_entries; ++i) {
    auto& e = t.entries[i];
    if (e.value.kind == AMQP_FIELD_KIND_UTF8 || e.value.kind == AMQP_FIELD_KIND_BYTES)
      result.emplace(text_of(e.key), text_of(e.value.value.bytes));
  }
  return result;
}

} // namespace

struct amqp_connection::impl {
  amqp_connection_state_t conn = nullptr;
  bool channel_open = false;
  bool broken = false;
  uint64_t next_seq = 1;
  bool confirms = false;
  std::string where;

  ~impl() {
    if (conn == nullptr)
      return;
    if (!broken) {
      if (channel_open)
        amqp_channel_close(conn, channel, AMQP_REPLY_SUCCESS);
      amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    }
    amqp_destroy_connection(conn);
  }

  caf::error fail(const std::string& what, const amqp_rpc_reply_t& r) {
    if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
        r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
      // The broker closed only the channel: confirm, so it can be reopened.
      amqp_channel_close_ok_t ok{};
      amqp_send_method(conn, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
      channel_open = false;
    } else if (r.reply_type != AMQP_RESPONSE_NORMAL) {
      broken = true;
    }
    return make_error(errc::broker_error,
                      "broker " + where + ": " + what + ": " + reply_text(r));
  }

  caf::error check(const std::string& what) {
    auto r = amqp_get_rpc_reply(conn);
    return r.reply_type == AMQP_RESPONSE_NORMAL ? caf::error{} : fail(what, r);
  }

  caf::error status(int rc, const std::string& what) {
    if (rc == AMQP_STATUS_OK)
      return {};
    broken = true;
    return make_error(errc::broker_error,
                      "broker " + where + ": " + what + ": " + amqp_error_string2(rc));
  }
};

amqp_settings read_amqp_settings(const caf::actor_system_config& cfg,
                                 const std::string& host) {
  namespace d = defaults;
  amqp_settings result;
  result.host = host;
  result.port = caf::get_or(cfg, "chat.amqp-port", d::amqp_port);
  result.vhost = caf::get_or(cfg, "chat.amqp-vhost", std::string{d::amqp_vhost});
  result.user = caf::get_or(cfg, "chat.amqp-user", std::string{d::amqp_user});
  result.password = caf::get_or(cfg, "chat.amqp-password", std::string{d::amqp_password});
  return result;
}

amqp_connection::~amqp_connection() = default;

std::unique_ptr<amqp_connection> amqp_connection::open(const amqp_settings& s,
                                                       caf::error& err) {
  std::unique_ptr<amqp_connection> result{new amqp_connection};
  result->impl_ = std::make_unique<impl>();
  auto& d = *result->impl_;
  d.where = s.host + ":" + std::to_string(s.port);
  d.conn = amqp_new_connection();
  auto socket = amqp_tcp_socket_new(d.conn);
  auto tv = to_timeval(s.timeout);
  if (socket == nullptr ||
      amqp_socket_open_noblock(socket, s.host.c_str(), s.port, &tv) != AMQP_STATUS_OK) {
    d.broken = true;
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
    d.broken = true;
    return nullptr;
  }
  amqp_channel_open(d.conn, channel);
  if (auto e = d.check("opening a channel")) {
    err = e;
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
  return d.check("declaring exchange " + name);
}

caf::error amqp_connection::declare_queue(const amqp_queue_spec& q) {
  auto& d = *impl_;
  amqp_table_entry_t expires;
  expires.key = amqp_cstring_bytes("x-expires");
  expires.value.kind = AMQP_FIELD_KIND_I64;
  expires.value.value.i64 = q.expires_ms;
  amqp_table_t args{q.expires_ms > 0 ? 1 : 0, &expires};
  amqp_queue_declare(d.conn, channel, amqp_cstring_bytes(q.name.c_str()), 0,
                     q.durable ? 1 : 0, q.exclusive ? 1 : 0, q.auto_delete ? 1 : 0, args);
  return d.check("declaring queue " + q.name);
}

caf::error amqp_connection::delete_queue(const std::string& name) {
  auto& d = *impl_;
  amqp_queue_delete(d.conn, channel, amqp_cstring_bytes(name.c_str()), 0, 0);
  return d.check("deleting queue " + name);
}

caf::error amqp_connection::purge_queue(const std::string& name) {
  auto& d = *impl_;
  amqp_queue_purge(d.conn, channel, amqp_cstring_bytes(name.c_str()));
  return d.check("purging queue " + name);
}

caf::error amqp_connection::bind_queue(const std::string& queue,
                                       const std::string& exchange,
                                       const std::string& key) {
  auto& d = *impl_;
  amqp_queue_bind(d.conn, channel, amqp_cstring_bytes(queue.c_str()),
                  amqp_cstring_bytes(exchange.c_str()), amqp_cstring_bytes(key.c_str()),
                  amqp_empty_table);
  return d.check("binding " + queue + " to " + exchange);
}

caf::error amqp_connection::bind_exchange(const std::string& destination,
                                          const std::string& source,
                                          const std::string& key) {
  auto& d = *impl_;
  amqp_exchange_bind(d.conn, channel, amqp_cstring_bytes(destination.c_str()),
                     amqp_cstring_bytes(source.c_str()), amqp_cstring_bytes(key.c_str()),
                     amqp_empty_table);
  return d.check("binding exchange " + destination + " to " + source);
}

caf::error amqp_connection::qos(uint16_t prefetch) {
  auto& d = *impl_;
  amqp_basic_qos(d.conn, channel, 0, prefetch, 0);
  return d.check("setting prefetch");
}

caf::error amqp_connection::consume(const std::string& queue, bool no_ack,
                                    std::string& tag) {
  auto& d = *impl_;
  auto ok = amqp_basic_consume(d.conn, channel, amqp_cstring_bytes(queue.c_str()),
                               amqp_empty_bytes, 0, no_ack ? 1 : 0, 0, amqp_empty_table);
  if (auto e = d.check("consuming from " + queue))
    return e;
  tag = text_of(ok->consumer_tag);
  return {};
}

caf::error amqp_connection::cancel(const std::string& tag) {
  auto& d = *impl_;
  amqp_basic_cancel(d.conn, channel, amqp_cstring_bytes(tag.c_str()));
  return d.check("cancelling consumer");
}

caf::error amqp_connection::enable_confirms() {
  auto& d = *impl_;
  amqp_confirm_select(d.conn, channel);
  if (auto e = d.check("enabling publisher confirms"))
    return e;
  d.confirms = true;
  d.next_seq = 1;
  return {};
}

caf::error amqp_connection::publish(const amqp_message& msg, uint64_t& seq) {
  auto& d = *impl_;
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
  props.delivery_mode = msg.persistent ? 2 : 1;
  props.content_type = amqp_cstring_bytes("text/plain");
  if (!msg.message_id.empty()) {
    props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
    props.message_id = amqp_cstring_bytes(msg.message_id.c_str());
  }
  string_table headers{msg.headers};
  if (!msg.headers.empty()) {
    props._flags |= AMQP_BASIC_HEADERS_FLAG;
    props.headers = headers.table();
  }
  amqp_bytes_t body{msg.body.size(), const_cast<char*>(msg.body.data())};
  auto rc = amqp_basic_publish(d.conn, channel, amqp_cstring_bytes(msg.exchange.c_str()),
                               amqp_cstring_bytes(msg.routing_key.c_str()),
                               msg.mandatory ? 1 : 0, 0, &props, body);
  if (auto e = d.status(rc, "publishing to " + msg.exchange))
    return e;
  seq = d.confirms ? d.next_seq++ : 0;
  return {};
}

caf::error amqp_connection::ack(uint64_t tag) {
  auto& d = *impl_;
  return d.status(amqp_basic_ack(d.conn, channel, tag, 0), "acknowledging");
}

caf::error amqp_connection::reject(uint64_t tag, bool requeue) {
  auto& d = *impl_;
  return d.status(amqp_basic_nack(d.conn, channel, tag, 0, requeue ? 1 : 0), "rejecting");
}

bool amqp_connection::has_buffered() const {
  auto conn = impl_->conn;
  return amqp_data_in_buffer(conn) || amqp_frames_enqueued(conn);
}

int amqp_connection::fd() const {
  return amqp_get_sockfd(impl_->conn);
}

void amqp_connection::mark_broken() {
  impl_->broken = true;
}

caf::error amqp_connection::reopen_channel() {
  auto& d = *impl_;
  if (d.channel_open)
    return {};
  amqp_channel_open(d.conn, channel);
  if (auto e = d.check("reopening the channel"))
    return e;
  d.channel_open = true;
  d.confirms = false;
  return {};
}

amqp_event amqp_connection::next_event(caf::timespan timeout) {
  auto& d = *impl_;
  amqp_event result;
  auto tv = to_timeval(timeout);
  amqp_maybe_release_buffers(d.conn);
  amqp_envelope_t env;
  auto r = amqp_consume_message(d.conn, &env, &tv, 0);
  if (r.reply_type == AMQP_RESPONSE_NORMAL) {
    result.kind = amqp_event::delivery;
    auto& m = result.msg;
    m.tag = env.delivery_tag;
    m.redelivered = env.redelivered != 0;
    m.consumer_tag = text_of(env.consumer_tag);
    m.exchange = text_of(env.exchange);
    m.routing_key = text_of(env.routing_key);
    m.body = text_of(env.message.body);
    auto& p = env.message.properties;
    if (p._flags & AMQP_BASIC_MESSAGE_ID_FLAG)
      m.message_id = text_of(p.message_id);
    if (p._flags & AMQP_BASIC_HEADERS_FLAG)
      m.headers = strings_of(p.headers);
    amqp_destroy_envelope(&env);
    return result;
  }
  if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
      r.library_error == AMQP_STATUS_TIMEOUT)
    return result;
  if (r.reply_type != AMQP_RESPONSE_LIBRARY_EXCEPTION ||
      r.library_error != AMQP_STATUS_UNEXPECTED_STATE) {
    result.kind = amqp_event::failed;
    result.err = d.fail("reading", r);
    d.broken = true;
    return result;
  }
  // A method other than basic.deliver is waiting: confirms or a close.
  amqp_frame_t frame;
  timeval zero{0, 0};
  auto rc = amqp_simple_wait_frame_noblock(d.conn, &frame, &zero);
  if (rc == AMQP_STATUS_TIMEOUT)
    return result;
  if (rc != AMQP_STATUS_OK) {
    result.kind = amqp_event::failed;
    result.err = d.status(rc, "reading");
    return result;
  }
  if (frame.frame_type != AMQP_FRAME_METHOD)
    return result;
  switch (frame.payload.method.id) {
  case AMQP_BASIC_ACK_METHOD: {
    auto m = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
    result.kind = amqp_event::ack;
    result.seq = m->delivery_tag;
    result.multiple = m->multiple != 0;
    break;
  }
  case AMQP_BASIC_NACK_METHOD: {
    auto m = static_cast<amqp_basic_nack_t*>(frame.payload.method.decoded);
    result.kind = amqp_event::nack;
    result.seq = m->delivery_tag;
    result.multiple = m->multiple != 0;
    break;
  }
  case AMQP_BASIC_RETURN_METHOD: {
    // Unroutable (mandatory): the broker confirms it next; the sender must
    // learn that nobody got it.
    auto m = static_cast<amqp_basic_return_t*>(frame.payload.method.decoded);
    result.msg.exchange = text_of(m->exchange);
    result.msg.routing_key = text_of(m->routing_key);
    amqp_message_t msg;
    auto r = amqp_read_message(d.conn, frame.channel, &msg, 0);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
      result.kind = amqp_event::failed;
      result.err = d.fail("reading a returned message", r);
      break;
    }
    result.kind = amqp_event::returned;
    if (msg.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG)
      result.msg.message_id = text_of(msg.properties.message_id);
    amqp_destroy_message(&msg);
    break;
  }
  case AMQP_CHANNEL_CLOSE_METHOD: {
    auto m = static_cast<amqp_channel_close_t*>(frame.payload.method.decoded);
    result.kind = amqp_event::failed;
    result.err = make_error(errc::broker_error,
                            "broker " + d.where +
                                ": channel closed by broker: " + text_of(m->reply_text));
    d.broken = true;
    break;
  }
  case AMQP_CONNECTION_CLOSE_METHOD: {
    auto m = static_cast<amqp_connection_close_t*>(frame.payload.method.decoded);
    result.kind = amqp_event::failed;
    result.err = make_error(
        errc::broker_error,
        "broker " + d.where + ": connection closed by broker: " + text_of(m->reply_text));
    d.broken = true;
    break;
  }
  default:
    break;
  }
  return result;
}

} // namespace chat
