#include "adapters/common/amqp_connection.hpp"

#include "adapters/common/tls.hpp"
#include "config/defaults.hpp"
#include "config/errors.hpp"

#include <caf/actor_system_config.hpp>

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>

#include <vector>

namespace chat {

namespace {

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
  struct channel_info {
    bool confirms = false;
    /// The confirm sequence number of the next publish.
    uint64_t next_seq = 1;
  };

  amqp_connection_state_t conn = nullptr;
  /// The open channels.
  std::map<channel_id, channel_info> channels;
  bool broken = false;
  std::string where;
  /// What the TLS handshake saw (secure mode).
  tls::pin pin;
  std::set<std::string> server_owned;
  bool quorum_queues = false;

  ~impl() {
    if (conn == nullptr)
      return;
    if (!broken) {
      for (auto& [ch, info] : channels)
        amqp_channel_close(conn, ch, AMQP_REPLY_SUCCESS);
      amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    }
    amqp_destroy_connection(conn);
  }

  /// The broker closed `ch` alone: confirm, so that it can be reopened.
  void channel_closed(channel_id ch) {
    amqp_channel_close_ok_t ok{};
    amqp_send_method(conn, ch, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
    channels.erase(ch);
  }

  caf::error fail(channel_id ch, const std::string& what, const amqp_rpc_reply_t& r) {
    if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
        r.reply.id == AMQP_CHANNEL_CLOSE_METHOD)
      channel_closed(ch);
    else if (r.reply_type != AMQP_RESPONSE_NORMAL)
      broken = true;
    return make_error(errc::broker_error,
                      "broker " + where + ": " + what + ": " + reply_text(r));
  }

  caf::error check(channel_id ch, const std::string& what) {
    auto r = amqp_get_rpc_reply(conn);
    return r.reply_type == AMQP_RESPONSE_NORMAL ? caf::error{} : fail(ch, what, r);
  }

  caf::error status(int rc, const std::string& what) {
    if (rc == AMQP_STATUS_OK)
      return {};
    broken = true;
    return make_error(errc::broker_error,
                      "broker " + where + ": " + what + ": " + amqp_error_string2(rc));
  }

  /// Fails early (no frame sent) on a channel the broker closed.
  caf::error require(channel_id ch, const std::string& what) {
    if (channels.count(ch) != 0)
      return {};
    return make_error(errc::broker_error, "broker " + where + ": " + what + ": channel " +
                                              std::to_string(ch) + " is closed");
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
  if (!s.servers)
    return open_one(s, err);
  // A cluster: the first node that lets us in. A certificate mismatch is
  // reported rather than a later node's "unreachable".
  caf::error first;
  for (auto& host : s.servers->candidates()) {
    auto one = s;
    one.host = host;
    if (auto result = open_one(one, err)) {
      s.servers->worked(host);
      return result;
    }
    if (!first || is(err, errc::untrusted_server))
      first = err;
  }
  if (first)
    err = first;
  return nullptr;
}

std::unique_ptr<amqp_connection> amqp_connection::open_one(const amqp_settings& s,
                                                           caf::error& err) {
  std::unique_ptr<amqp_connection> result{new amqp_connection};
  result->impl_ = std::make_unique<impl>();
  auto& d = *result->impl_;
  d.where = s.host + ":" + std::to_string(s.port);
  d.conn = amqp_new_connection();
  d.server_owned = s.server_owned;
  d.quorum_queues = s.quorum_queues;
  amqp_socket_t* socket = nullptr;
  if (s.tls_pin) {
    // One handshake, pinned: no CA file, no host name (adapters/common/tls.hpp).
    socket = amqp_ssl_socket_new(d.conn);
    if (socket != nullptr) {
      d.pin.expected = *s.tls_pin;
      tls::pin_certificate(amqp_ssl_socket_get_context(socket), &d.pin);
      amqp_ssl_socket_set_verify_peer(socket, 1);
      amqp_ssl_socket_set_verify_hostname(socket, 0);
    }
  } else {
    socket = amqp_tcp_socket_new(d.conn);
  }
  auto tv = to_timeval(s.timeout);
  if (socket == nullptr ||
      amqp_socket_open_noblock(socket, s.host.c_str(), s.port, &tv) != AMQP_STATUS_OK) {
    d.broken = true;
    if (d.pin.mismatch())
      err = make_error(errc::untrusted_server,
                       "server at " + d.where +
                           " does not match the join code's certificate (it presents "
                           "sha256 " +
                           to_hex(*d.pin.presented) + "); no credentials were sent");
    else
      err = make_error(errc::broker_error, "broker " + d.where + " unreachable");
    return nullptr;
  }
  amqp_set_handshake_timeout(d.conn, &tv);
  amqp_set_rpc_timeout(d.conn, &tv);
  // A consumer whose queue is deleted hears of it (basic.cancel) instead of
  // silently receiving nothing more.
  amqp_table_entry_t capability;
  capability.key = amqp_cstring_bytes("consumer_cancel_notify");
  capability.value.kind = AMQP_FIELD_KIND_BOOLEAN;
  capability.value.value.boolean = 1;
  amqp_table_entry_t property;
  property.key = amqp_cstring_bytes("capabilities");
  property.value.kind = AMQP_FIELD_KIND_TABLE;
  property.value.value.table = amqp_table_t{1, &capability};
  amqp_table_t properties{1, &property};
  auto login = amqp_login_with_properties(
      d.conn, s.vhost.c_str(), AMQP_DEFAULT_MAX_CHANNELS, AMQP_DEFAULT_FRAME_SIZE,
      s.heartbeat_seconds, &properties, AMQP_SASL_METHOD_PLAIN, s.user.c_str(),
      s.password.c_str());
  if (login.reply_type != AMQP_RESPONSE_NORMAL) {
    err = d.fail(0, "login as " + s.user, login);
    d.broken = true;
    return nullptr;
  }
  if (auto e = result->open_channel(first_channel)) {
    err = e;
    return nullptr;
  }
  return result;
}

caf::error amqp_connection::open_channel(channel_id ch) {
  auto& d = *impl_;
  if (d.channels.count(ch) != 0)
    return {};
  amqp_channel_open(d.conn, ch);
  if (auto e = d.check(ch, "opening channel " + std::to_string(ch)))
    return e;
  d.channels.emplace(ch, impl::channel_info{});
  return {};
}

caf::error amqp_connection::close_channel(channel_id ch) {
  auto& d = *impl_;
  if (d.channels.erase(ch) == 0)
    return {};
  auto r = amqp_channel_close(d.conn, ch, AMQP_REPLY_SUCCESS);
  if (r.reply_type == AMQP_RESPONSE_NORMAL)
    return {};
  return d.fail(ch, "closing channel " + std::to_string(ch), r);
}

bool amqp_connection::is_open(channel_id ch) const {
  return impl_->channels.count(ch) != 0;
}

bool amqp_connection::is_broken() const {
  return impl_->broken;
}

caf::error amqp_connection::declare_exchange(channel_id ch, const std::string& name,
                                             const std::string& type, bool durable) {
  auto& d = *impl_;
  auto what = "declaring exchange " + name;
  if (auto e = d.require(ch, what))
    return e;
  // The server's own exchanges: only check that they exist.
  amqp_boolean_t passive = d.server_owned.count(name) != 0 ? 1 : 0;
  amqp_exchange_declare(d.conn, ch, amqp_cstring_bytes(name.c_str()),
                        amqp_cstring_bytes(type.c_str()), passive, durable ? 1 : 0, 0, 0,
                        amqp_empty_table);
  return d.check(ch, what);
}

caf::error amqp_connection::declare_queue(channel_id ch, const amqp_queue_spec& q,
                                          uint32_t* waiting) {
  auto& d = *impl_;
  auto what = "declaring queue " + q.name;
  if (auto e = d.require(ch, what))
    return e;
  amqp_table_entry_t entries[5];
  int n = 0;
  auto add_i64 = [&](const char* key, int64_t value) {
    entries[n].key = amqp_cstring_bytes(key);
    entries[n].value.kind = AMQP_FIELD_KIND_I64;
    entries[n++].value.value.i64 = value;
  };
  if (q.expires_ms > 0)
    add_i64("x-expires", q.expires_ms);
  if (q.message_ttl_ms > 0)
    add_i64("x-message-ttl", q.message_ttl_ms);
  if (q.max_length > 0)
    add_i64("x-max-length", q.max_length);
  if (!q.overflow.empty()) {
    entries[n].key = amqp_cstring_bytes("x-overflow");
    entries[n].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[n++].value.value.bytes = amqp_cstring_bytes(q.overflow.c_str());
  }
  if (d.quorum_queues && q.replicated) {
    entries[n].key = amqp_cstring_bytes("x-queue-type");
    entries[n].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[n++].value.value.bytes = amqp_cstring_bytes("quorum");
  }
  amqp_table_t args{n, entries};
  amqp_boolean_t passive = d.server_owned.count(q.name) != 0 ? 1 : 0;
  auto ok = amqp_queue_declare(d.conn, ch, amqp_cstring_bytes(q.name.c_str()), passive,
                               q.durable ? 1 : 0, q.exclusive ? 1 : 0,
                               q.auto_delete ? 1 : 0, args);
  if (ok != nullptr && waiting != nullptr)
    *waiting = ok->message_count;
  return d.check(ch, what);
}

caf::error amqp_connection::delete_queue(channel_id ch, const std::string& name) {
  auto& d = *impl_;
  auto what = "deleting queue " + name;
  if (auto e = d.require(ch, what))
    return e;
  amqp_queue_delete(d.conn, ch, amqp_cstring_bytes(name.c_str()), 0, 0);
  return d.check(ch, what);
}

caf::error amqp_connection::purge_queue(channel_id ch, const std::string& name) {
  auto& d = *impl_;
  auto what = "purging queue " + name;
  if (auto e = d.require(ch, what))
    return e;
  amqp_queue_purge(d.conn, ch, amqp_cstring_bytes(name.c_str()));
  return d.check(ch, what);
}

caf::error amqp_connection::bind_queue(channel_id ch, const std::string& queue,
                                       const std::string& exchange,
                                       const std::string& key) {
  auto& d = *impl_;
  auto what = "binding " + queue + " to " + exchange;
  if (auto e = d.require(ch, what))
    return e;
  if (d.server_owned.count(queue) != 0) // the server binds it
    return {};
  amqp_queue_bind(d.conn, ch, amqp_cstring_bytes(queue.c_str()),
                  amqp_cstring_bytes(exchange.c_str()), amqp_cstring_bytes(key.c_str()),
                  amqp_empty_table);
  return d.check(ch, what);
}

caf::error amqp_connection::bind_exchange(channel_id ch, const std::string& destination,
                                          const std::string& source,
                                          const std::string& key) {
  auto& d = *impl_;
  auto what = "binding exchange " + destination + " to " + source;
  if (auto e = d.require(ch, what))
    return e;
  if (d.server_owned.count(destination) != 0 && d.server_owned.count(source) != 0)
    return {}; // the server binds them

  amqp_exchange_bind(d.conn, ch, amqp_cstring_bytes(destination.c_str()),
                     amqp_cstring_bytes(source.c_str()), amqp_cstring_bytes(key.c_str()),
                     amqp_empty_table);
  return d.check(ch, what);
}

caf::error amqp_connection::qos(channel_id ch, uint16_t prefetch) {
  auto& d = *impl_;
  if (auto e = d.require(ch, "setting prefetch"))
    return e;
  amqp_basic_qos(d.conn, ch, 0, prefetch, 0);
  return d.check(ch, "setting prefetch");
}

caf::error amqp_connection::consume(channel_id ch, const std::string& queue, bool no_ack,
                                    std::string& tag) {
  auto& d = *impl_;
  auto what = "consuming from " + queue;
  if (auto e = d.require(ch, what))
    return e;
  auto ok = amqp_basic_consume(d.conn, ch, amqp_cstring_bytes(queue.c_str()),
                               amqp_empty_bytes, 0, no_ack ? 1 : 0, 0, amqp_empty_table);
  if (auto e = d.check(ch, what))
    return e;
  tag = text_of(ok->consumer_tag);
  return {};
}

caf::error amqp_connection::cancel(channel_id ch, const std::string& tag) {
  auto& d = *impl_;
  if (auto e = d.require(ch, "cancelling consumer"))
    return e;
  amqp_basic_cancel(d.conn, ch, amqp_cstring_bytes(tag.c_str()));
  return d.check(ch, "cancelling consumer");
}

caf::error amqp_connection::enable_confirms(channel_id ch) {
  auto& d = *impl_;
  if (auto e = d.require(ch, "enabling publisher confirms"))
    return e;
  amqp_confirm_select(d.conn, ch);
  if (auto e = d.check(ch, "enabling publisher confirms"))
    return e;
  auto& info = d.channels[ch];
  info.confirms = true;
  info.next_seq = 1;
  return {};
}

caf::error amqp_connection::publish(channel_id ch, const amqp_message& msg,
                                    uint64_t& seq) {
  auto& d = *impl_;
  auto what = "publishing to " + msg.exchange;
  if (auto e = d.require(ch, what))
    return e;
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
  props.delivery_mode = msg.persistent ? 2 : 1;
  props.content_type = amqp_cstring_bytes("text/plain");
  if (msg.timestamp > 0) {
    props._flags |= AMQP_BASIC_TIMESTAMP_FLAG;
    props.timestamp = static_cast<uint64_t>(msg.timestamp);
  }
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
  auto rc = amqp_basic_publish(d.conn, ch, amqp_cstring_bytes(msg.exchange.c_str()),
                               amqp_cstring_bytes(msg.routing_key.c_str()),
                               msg.mandatory ? 1 : 0, 0, &props, body);
  if (auto e = d.status(rc, what))
    return e;
  auto& info = d.channels[ch];
  seq = info.confirms ? info.next_seq++ : 0;
  return {};
}

caf::error amqp_connection::ack(channel_id ch, uint64_t tag, bool multiple) {
  auto& d = *impl_;
  if (auto e = d.require(ch, "acknowledging"))
    return e;
  return d.status(amqp_basic_ack(d.conn, ch, tag, multiple ? 1 : 0), "acknowledging");
}

caf::error amqp_connection::reject(channel_id ch, uint64_t tag, bool requeue) {
  auto& d = *impl_;
  if (auto e = d.require(ch, "rejecting"))
    return e;
  return d.status(amqp_basic_nack(d.conn, ch, tag, 0, requeue ? 1 : 0), "rejecting");
}

bool amqp_connection::has_buffered() const {
  auto conn = impl_->conn;
  return amqp_data_in_buffer(conn) || amqp_frames_enqueued(conn);
}

bool amqp_connection::has_queued_frames() const {
  return amqp_frames_enqueued(impl_->conn);
}

int amqp_connection::fd() const {
  return amqp_get_sockfd(impl_->conn);
}

void amqp_connection::mark_broken() {
  impl_->broken = true;
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
    result.channel = env.channel;
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
    if (p._flags & AMQP_BASIC_TIMESTAMP_FLAG)
      m.timestamp = static_cast<int64_t>(p.timestamp);
    amqp_destroy_envelope(&env);
    return result;
  }
  if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
      r.library_error == AMQP_STATUS_TIMEOUT)
    return result;
  if (r.reply_type != AMQP_RESPONSE_LIBRARY_EXCEPTION ||
      r.library_error != AMQP_STATUS_UNEXPECTED_STATE) {
    result.kind = amqp_event::failed;
    result.err = d.fail(0, "reading", r);
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
  result.channel = frame.channel;
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
      result.err = d.fail(frame.channel, "reading a returned message", r);
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
    result.kind = amqp_event::channel_closed;
    result.err = make_error(errc::broker_error,
                            "broker " + d.where +
                                ": channel closed by broker: " + text_of(m->reply_text));
    d.channel_closed(frame.channel);
    break;
  }
  case AMQP_BASIC_CANCEL_METHOD: {
    // consumer_cancel_notify: our queue was deleted under us.
    auto m = static_cast<amqp_basic_cancel_t*>(frame.payload.method.decoded);
    result.kind = amqp_event::cancelled;
    result.msg.consumer_tag = text_of(m->consumer_tag);
    result.err = make_error(errc::broker_error,
                            "broker " + d.where +
                                ": the broker cancelled our consumer (queue deleted)");
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
