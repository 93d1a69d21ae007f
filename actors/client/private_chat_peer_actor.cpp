#include "actors/client/private_chat_peer_actor.hpp"

#include "actors/client/peer_directory.hpp"
#include "actors/client/private_chat_rules.hpp"
#include "config/errors.hpp"

#include <caf/send.hpp>

#include <algorithm>
#include <chrono>

namespace chat {

namespace {

using self_ptr = private_chat_peer_pointer;

caf::timespan remaining(self_ptr self, const private_chat_peer_state::outgoing& out) {
  auto left = out.deadline - self->clock().now();
  return left > caf::timespan{0} ? left : caf::timespan{0};
}

/// Time left for the oldest send.
caf::timespan remaining(self_ptr self) {
  return remaining(self, self->state.queue.front());
}

bool busy(const private_chat_peer_state& st) {
  return st.looking_up || st.in_flight > 0;
}

void emit(self_ptr self, chat_event ev) {
  if (self->state.setup.listener)
    caf::anon_send(self->state.setup.listener, event_atom::value, std::move(ev));
}

/// One line for the user in this conversation (info or error).
void tell(self_ptr self, uint8_t kind, std::string text) {
  chat_event ev;
  ev.kind = kind;
  ev.chat = private_chat::chat_name(self->state.setup.peer);
  ev.text = std::move(text);
  ev.ts_ms = now_ms();
  emit(self, std::move(ev));
}

void remember(self_ptr self, chat_event ev) {
  auto& st = self->state;
  st.history_bytes += ev.text.size();
  st.history.push_back(ev);
  while (st.history.size() > 1 && (st.history.size() > st.setup.history_size ||
                                   st.history_bytes > st.setup.history_bytes)) {
    st.history_bytes -= st.history.front().text.size();
    st.history.pop_front();
  }
  if (!st.open && !ev.own)
    ++st.unread;
  emit(self, std::move(ev));
}

/// Leaves the manager's table, handing over what blocks replays.
void drop(self_ptr self) {
  auto& st = self->state;
  if (busy(st) || !st.queue.empty())
    return;
  if (st.setup.directory)
    st.setup.directory->remove(st.setup.peer, self->address());
  if (st.setup.parent)
    caf::anon_send(st.setup.parent, drop_atom::value, st.setup.peer, st.floor_key,
                   st.last_seq);
  self->quit();
}

void pump(self_ptr self);
void send_at(self_ptr self, size_t i);
void arm_backstop(self_ptr self);
void on_sent(self_ptr self, uint64_t id, int32_t code, std::string detail);

/// Files the sends at the front that the peer has, in order.
void file_delivered(self_ptr self) {
  auto& st = self->state;
  while (!st.queue.empty() && st.queue.front().delivered) {
    auto head = std::move(st.queue.front());
    st.queue.pop_front();
    remember(self, chat_event{chat_event::message, private_chat::chat_name(st.setup.peer),
                              st.setup.self_name, private_chat::displayable(head.text),
                              now_ms(), true, true});
    head.promise.deliver(ok_atom::value);
  }
}

/// Ends send `i` with `err` (none = delivered), then sends what may go.
void finish(self_ptr self, size_t i, caf::error err) {
  auto& st = self->state;
  st.retries = 0;
  auto& out = st.queue[i];
  if (out.call != 0 && !out.delivered)
    --st.in_flight;
  out.call = 0;
  if (!err) {
    out.delivered = true;
    file_delivered(self);
  } else {
    auto promise = std::move(out.promise);
    st.queue.erase(st.queue.begin() + static_cast<ptrdiff_t>(i));
    promise.deliver(std::move(err));
    file_delivered(self); // the ones after it may be waiting for it
  }
  pump(self);
  // Nothing ever got through and nobody looks: not a conversation to list.
  if (!st.open && st.history.empty())
    drop(self);
}

/// Sends in flight go again (on a new stub, after a fresh lookup).
void recall_in_flight(self_ptr self) {
  auto& st = self->state;
  for (auto& out : st.queue)
    if (!out.delivered)
      out.call = 0;
  st.in_flight = 0;
  st.stub = nullptr;
}

void peer_gone(self_ptr self) {
  auto& st = self->state;
  st.stub = nullptr;
  if (!st.gone && !st.history.empty())
    tell(self, chat_event::info, st.setup.peer + " went offline");
  st.gone = true;
}
/// Takes `ep` as the peer's current entry: checks that its identity signed
/// its session key and compares the identity with the pin (warning once per
/// changed key), then derives the shared key. An error: unusable.
caf::error adopt(self_ptr self, const endpoint& ep) {
  auto& st = self->state;
  auto& peer = st.setup.peer;
  if (!ep.public_key.empty() && !vouched(peer, ep))
    return make_error(errc::not_authentic,
                      peer + "'s registry entry is not signed by its identity key");
  if (!ep.tls_cert.empty() && !tls_vouched(peer, ep))
    return make_error(errc::not_authentic,
                      peer + "'s certificate is not signed by its identity key");
  std::optional<pair_key> pair;
  if (!ep.public_key.empty() && st.setup.session_key) {
    pair = st.pair && st.pair->peer_session_key() == ep.session_key
               ? st.pair
               : pair_key::derive(*st.setup.session_key, st.setup.self_name, peer,
                                  ep.session_key);
    if (!pair)
      return make_error(errc::not_authentic, peer + "'s session key is malformed");
  }
  if (ep.host != st.peer_ep.host || ep.port != st.peer_ep.port ||
      ep.tls_port != st.peer_ep.tls_port || ep.tls_cert != st.peer_ep.tls_cert) {
    st.stub = nullptr;
    st.unary_only = false; // another session: maybe another version
  }
  st.peer_ep = ep;
  st.pair = std::move(pair);
  auto status = st.setup.pins ? st.setup.pins->check(peer, ep.public_key)
                              : pin_status::first_contact;
  st.trusted = status != pin_status::changed;
  if (!st.trusted && st.warned_key != ep.public_key) {
    st.warned_key = ep.public_key;
    auto pinned = st.setup.pins->pinned(peer);
    tell(self, chat_event::error,
         peer + "'s key changed: pinned " + key_fingerprint(pinned) + ", now " +
             (ep.public_key.empty() ? std::string{"no key (an original client)"}
                                    : key_fingerprint(ep.public_key)) +
             ". Messages from " + peer +
             " show as unverified and sending is "
             "held until you /trust " +
             peer);
  }
  return {};
}

/// Whether a call came on a connection with the client certificate the
/// sender's entry `ep` publishes (any connection if it publishes none: an
/// original client, or nobody holds the name).
caf::error check_connection(self_ptr self, const endpoint& ep, const wire_message& msg) {
  if (ep.tls_cert.empty() || msg.peer_cert == ep.tls_cert)
    return {};
  auto& peer = self->state.setup.peer;
  return make_error(errc::not_authentic,
                    msg.peer_cert.empty()
                        ? peer + " publishes a certificate; the call came without TLS"
                        : "the connection's certificate is not " + peer + "'s");
}

caf::error held(self_ptr self) {
  auto& peer = self->state.setup.peer;
  return make_error(errc::key_changed, peer + "'s key changed: not sent. /trust " + peer +
                                           " if you know that " + peer +
                                           " has a new key");
}

/// Looks the peer up, then sends what may go.
void lookup_then_send(self_ptr self) {
  auto& st = self->state;
  st.looking_up = true;
  auto id = st.lookup = ++st.last_id;
  self->request(st.setup.registry, std::max(remaining(self), caf::timespan{1}),
                lookup_atom::value, st.setup.peer)
      .then(
          [=](const endpoint& ep) {
            auto& st = self->state;
            if (!st.looking_up || id != st.lookup)
              return;
            st.looking_up = false;
            if (auto err = adopt(self, ep))
              return finish(self, 0, std::move(err));
            if (!st.trusted)
              return finish(self, 0, held(self));
            if (!ep.tls_cert.empty()) {
              st.stub = st.setup.transport->connect(
                  ep.host, ep.tls_port != 0 ? ep.tls_port : ep.port, ep.tls_cert,
                  !st.unary_only);
            } else if (st.setup.require_tls) {
              return finish(self, 0,
                            make_error(errc::not_authentic,
                                       st.setup.peer +
                                           "'s registry entry offers no TLS: not sent"));
            } else {
              st.stub = st.setup.transport->connect(ep.host, ep.port, {}, false);
            }
            pump(self);
          },
          [=](caf::error& err) {
            auto& st = self->state;
            if (!st.looking_up || id != st.lookup)
              return;
            st.looking_up = false;
            if (is(err, errc::unknown_user)) {
              peer_gone(self);
              finish(self, 0,
                     make_error(errc::unknown_user, st.setup.peer + " is not online"));
            } else {
              finish(
                  self, 0,
                  make_error(errc::peer_unreachable,
                             "cannot look up " + st.setup.peer + ": " + describe(err)));
            }
          });
}

/// Sends what may go: the sends not yet in flight, in order, up to the
/// window (one at a time unless the stub keeps them in order).
void pump(self_ptr self) {
  auto& st = self->state;
  if (st.looking_up)
    return;
  for (size_t i = 0; i < st.queue.size(); ++i) {
    auto& out = st.queue[i];
    if (out.call != 0 || out.delivered)
      continue;
    auto limit = st.stub && st.stub->ordered() ? st.setup.window : size_t{1};
    if (st.in_flight >= limit)
      break;
    if (out.deadline == caf::actor_clock::time_point{})
      out.deadline = self->clock().now() + st.setup.send_timeout;
    if (!st.stub) {
      lookup_then_send(self); // nothing is in flight without a stub
      return;
    }
    if (!st.trusted) // the key changed since the stub was made
      return finish(self, i, held(self));
    send_at(self, i);
  }
  arm_backstop(self);
}

/// Sends queue[i] over the cached stub, sealed once per peer session (a
/// resend carries the same seq, so the receiver can tell it has it).
void send_at(self_ptr self, size_t i) {
  auto& st = self->state;
  auto& out = st.queue[i];
  wire_message msg{st.setup.self_name, st.setup.peer, out.text, 0, {}, {}, {}};
  if (st.pair) {
    if (out.sealed.empty() || out.sealed_for != st.pair->peer_session_key()) {
      // Time-based, so it keeps growing across dropped conversations.
      auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
      out.seq = std::max(st.last_sent_seq + 1, static_cast<uint64_t>(now_us));
      st.last_sent_seq = out.seq;
      out.sealed = st.pair->seal(msg.sender, msg.receiver, out.seq, out.text);
      out.sealed_for = st.pair->peer_session_key();
    }
    msg.seq = out.seq;
    msg.text = out.sealed;
    msg.session_key = st.setup.session_key->public_hex();
    msg.receiver_key = out.sealed_for;
  }
  auto id = out.call = ++st.last_id;
  ++st.in_flight;
  st.last_activity = self->clock().now();
  auto hdl = caf::actor_cast<private_chat_peer_actor>(self);
  st.stub->send(std::move(msg),
                std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                             remaining(self, out)),
                         std::chrono::milliseconds{1}),
                [hdl, id](delivery_status s) {
                  caf::anon_send(hdl, sent_atom::value, id, s.code, std::move(s.detail));
                });
}

/// How long after its deadline a call may still be answered by the
/// transport before the backstop ends it.
constexpr auto backstop_grace = std::chrono::milliseconds{500};

/// The oldest send in flight; nullptr if none.
private_chat_peer_state::outgoing* oldest_in_flight(private_chat_peer_state& st) {
  for (auto& out : st.queue)
    if (out.call != 0 && !out.delivered)
      return &out;
  return nullptr;
}

/// An ordered stub holds a stream open (and so its connection, which the
/// peer would close after a minute without calls): kept while in use.
bool holds_idle_stream(const private_chat_peer_state& st) {
  return st.stub && st.stub->ordered();
}

/// Backstop in case the transport never calls back (an ordered stream has
/// no deadline of its own): one timer per actor, not one per message (each
/// timer is a wake-up of CAF's clock thread, ≈ 5 % of the private path's
/// CPU), re-armed while calls are in flight. Idle, it closes the stream.
void arm_backstop(self_ptr self) {
  auto& st = self->state;
  if (st.backstop_armed)
    return;
  if (auto* out = oldest_in_flight(st)) {
    st.backstop_armed = true;
    self->delayed_send(self, remaining(self, *out) + backstop_grace, timeout_atom::value);
  } else if (holds_idle_stream(st)) {
    st.backstop_armed = true;
    auto idle = st.last_activity + defaults::private_stream_idle - self->clock().now();
    self->delayed_send(self, std::max(idle, caf::timespan{0}), timeout_atom::value);
  }
}

void on_backstop(self_ptr self) {
  auto& st = self->state;
  st.backstop_armed = false;
  auto* out = oldest_in_flight(st);
  if (out == nullptr) {
    if (holds_idle_stream(st) &&
        self->clock().now() >= st.last_activity + defaults::private_stream_idle)
      st.stub = nullptr; // the next send looks the peer up again
    arm_backstop(self);
    return;
  }
  if (self->clock().now() < out->deadline + backstop_grace) {
    arm_backstop(self); // a later call than the one it was armed for
    return;
  }
  on_sent(self, out->call, static_cast<int32_t>(delivery_code::deadline_exceeded),
          "no answer");
}

void on_sent(self_ptr self, uint64_t id, int32_t code, std::string detail) {
  auto& st = self->state;
  size_t i = 0;
  while (i < st.queue.size() && (st.queue[i].call != id || st.queue[i].delivered))
    ++i;
  if (i == st.queue.size())
    return; // stale: already recalled or ended
  st.last_activity = self->clock().now();
  delivery_status s{code, std::move(detail)};
  auto& peer = st.setup.peer;
  if (s.is(delivery_code::ok) || s.is(delivery_code::already_exists)) {
    st.gone = false;
    finish(self, i, {});
  } else if (s.is(delivery_code::unimplemented) && st.stub && st.stub->ordered()) {
    // A peer without the stream (UNIMPLEMENTED): unary calls, one at a time.
    st.unary_only = true;
    recall_in_flight(self);
    pump(self);
  } else if (s.is(delivery_code::unavailable) &&
             s.detail.find(certificate_mismatch) != std::string::npos && st.retries > 0) {
    // Still after a fresh lookup: not a stale stub.
    recall_in_flight(self);
    finish(self, i,
           make_error(errc::not_authentic, "the service at " + peer +
                                               "'s address shows another certificate "
                                               "than " +
                                               peer + "'s registry entry: not sent"));
  } else if (s.is(delivery_code::unavailable) &&
             st.retries < defaults::private_send_retries &&
             remaining(self, st.queue[i]) > caf::timespan{0}) {
    // The connection broke, or the peer moved (restarted on another
    // port): look up again and send all that was in flight once more.
    ++st.retries;
    recall_in_flight(self);
    pump(self);
  } else if (s.is(delivery_code::unavailable) || s.is(delivery_code::deadline_exceeded)) {
    recall_in_flight(self);
    finish(self, i, make_error(errc::peer_unreachable, peer + " does not answer"));
  } else if (s.is(delivery_code::permission_denied)) {
    finish(self, i,
           make_error(errc::not_authentic, peer + " refused the message: " + s.detail));
  } else if (s.is(delivery_code::invalid_argument)) {
    finish(self, i,
           make_error(errc::invalid_message, peer + " refused the message: " + s.detail));
  } else {
    recall_in_flight(self);
    finish(
        self, i,
        make_error(errc::peer_unreachable, peer + " does not answer (" + s.detail + ")"));
  }
}

void accept(self_ptr self, std::string text, bool verified) {
  auto& st = self->state;
  st.gone = false;
  remember(self, chat_event{chat_event::message, private_chat::chat_name(st.setup.peer),
                            st.setup.peer, private_chat::displayable(text), now_ms(),
                            false, verified});
}

/// Opens a sealed message with the current pair key and applies the replay
/// floor; accepts it, or says why not.
caf::error open_sealed(self_ptr self, const wire_message& msg) {
  auto& st = self->state;
  auto& peer = st.setup.peer;
  auto text = st.pair->open(msg.sender, msg.receiver, msg.seq, msg.text);
  if (!text)
    return make_error(errc::not_authentic, "bad proof for " + peer);
  if (auto problem = private_chat::text_problem(*text, st.setup.max_message_bytes);
      !problem.empty())
    return make_error(errc::invalid_message, problem);
  if (msg.session_key != st.floor_key) {
    st.floor_key = msg.session_key;
    st.last_seq = 0;
    st.recent_seqs.clear();
  }
  if (msg.seq <= st.last_seq) {
    // The sender resends what it got no answer for, with the same seq.
    if (std::find(st.recent_seqs.begin(), st.recent_seqs.end(), msg.seq) !=
        st.recent_seqs.end())
      return make_error(errc::already_filed, "already filed");
    return make_error(errc::not_authentic, "replayed message from " + peer);
  }
  st.last_seq = msg.seq;
  st.recent_seqs.push_back(msg.seq);
  if (st.recent_seqs.size() > st.setup.window * 4)
    st.recent_seqs.pop_front();
  accept(self, std::move(*text), st.trusted);
  return {};
}

/// Files a call from the peer, or says why not, through `done`.
using incoming_done = std::function<void(caf::error)>;

void on_incoming(self_ptr self, wire_message msg, incoming_done done) {
  auto& st = self->state;
  if (!msg.session_key.empty() && st.pair &&
      st.pair->peer_session_key() == msg.session_key) {
    if (auto err = check_connection(self, st.peer_ep, msg))
      return done(std::move(err));
    return done(open_sealed(self, msg));
  }
  // Ask the registry who holds the name now; `await` keeps later calls from
  // this peer behind this one, so they are filed in order.
  auto m = std::make_shared<wire_message>(std::move(msg));
  self->request(st.setup.registry, st.setup.send_timeout, lookup_atom::value,
                st.setup.peer)
      .await(
          [=](const endpoint& ep) {
            auto& st = self->state;
            auto& peer = st.setup.peer;
            if (ep.public_key.empty()) { // unregistered or an original client
              adopt(self, ep);           // warns if a key was pinned
              accept(self, std::move(m->text), false);
              done({});
            } else if (m->session_key.empty()) {
              done(make_error(errc::not_authentic,
                              peer + " is a signed-in session; the call has no proof"));
            } else if (m->session_key != ep.session_key) {
              done(make_error(errc::not_authentic,
                              "the call is not sealed by " + peer + "'s session"));
            } else if (auto err = adopt(self, ep)) {
              done(std::move(err));
            } else if (auto err = check_connection(self, ep, *m)) {
              done(std::move(err));
            } else if (auto err = open_sealed(self, *m)) {
              done(std::move(err));
            } else {
              done({});
            }
          },
          [=](caf::error&) {
            // Nobody holds the name (or Redis is away): nothing to verify
            // against; a sealed text cannot be read without the key.
            if (!m->session_key.empty()) {
              done(make_error(errc::not_authentic, "cannot check " +
                                                       self->state.setup.peer +
                                                       "'s session key: not registered"));
              return;
            }
            accept(self, std::move(m->text), false);
            done({});
          });
}

void on_close(self_ptr self) {
  auto& st = self->state;
  st.open = false;
  if (st.gone || st.history.empty()) {
    drop(self);
    return;
  }
  if (st.floor_key.empty())
    return;
  // Also drop if the peer's session ended or changed while we were not
  // sending (a later session under that name starts clean).
  self->request(st.setup.registry, st.setup.send_timeout, lookup_atom::value,
                st.setup.peer)
      .then(
          [=](const endpoint& ep) {
            if (!self->state.open && ep.session_key != self->state.floor_key)
              drop(self);
          },
          [=](caf::error& err) {
            if (!self->state.open && is(err, errc::unknown_user))
              drop(self);
          });
}

} // namespace

private_chat_peer_state::~private_chat_peer_state() {
  for (auto& out : queue)
    if (out.promise.pending())
      out.promise.deliver(make_error(errc::peer_unreachable,
                                     "the private chat with " + setup.peer +
                                         " ended before " + setup.peer + " answered"));
}

delivery_status refusal(const caf::error& err) {
  if (!err)
    return {};
  auto code = delivery_code::unavailable; // also stale_session: look us up again
  if (is(err, errc::invalid_message))
    code = delivery_code::invalid_argument;
  else if (is(err, errc::already_filed))
    code = delivery_code::already_exists;
  else if (is(err, errc::not_authentic))
    code = delivery_code::permission_denied;
  return {static_cast<int32_t>(code), describe(err)};
}

private_chat_peer_actor::behavior_type
private_chat_peer_impl(private_chat_peer_pointer self, peer_setup setup) {
  self->state.setup = std::move(setup);
  if (self->state.setup.history_size == 0)
    self->state.setup.history_size = 1;
  self->state.floor_key = self->state.setup.floor.key;
  self->state.last_seq = self->state.setup.floor.seq;
  return {
      [=](send_atom, std::string& text) -> caf::result<ok_atom> {
        auto rp = self->make_response_promise<ok_atom>();
        auto& out = self->state.queue.emplace_back();
        out.text = std::move(text);
        out.promise = rp;
        pump(self);
        return rp;
      },
      [=](incoming_atom, wire_message& msg) -> caf::result<ok_atom> {
        auto rp = self->make_response_promise<ok_atom>();
        on_incoming(self, std::move(msg), [rp](caf::error err) mutable {
          if (err)
            rp.deliver(std::move(err));
          else
            rp.deliver(ok_atom::value);
        });
        return rp;
      },
      [=](incoming_atom, wire_message& msg, delivery_reply& reply) {
        on_incoming(self, std::move(msg),
                    [reply](caf::error err) { reply(refusal(err)); });
      },
      [=](sent_atom, uint64_t id, int32_t code, std::string& detail) {
        on_sent(self, id, code, std::move(detail));
      },
      [=](timeout_atom) { on_backstop(self); },
      [=](history_atom) {
        auto& h = self->state.history;
        return std::vector<chat_event>(h.begin(), h.end());
      },
      [=](status_atom) {
        return chat_summary{private_chat::chat_name(self->state.setup.peer),
                            self->state.unread};
      },
      [=](open_atom) {
        self->state.open = true;
        self->state.unread = 0;
      },
      [=](close_atom) { on_close(self); },
      [=](drop_atom) {
        if (!self->state.open)
          drop(self);
      },
      [=](trust_atom) {
        // Checked again at the next send or call.
        auto& st = self->state;
        st.stub = nullptr;
        st.pair.reset();
        st.warned_key.clear();
      },
  };
}

} // namespace chat
