#include "actors/client/inbox_actor.hpp"

#include "actors/client/amqp_glue.hpp"
#include "actors/client/private_chat_rules.hpp"
#include "actors/common/names.hpp"
#include "adapters/client/sealed_box.hpp"
#include "adapters/common/amqp_protocol.hpp"
#include "config/errors.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

namespace chat {

namespace {

/// Letter ids remembered against redeliveries.
constexpr size_t filed_memory = 10'000;

/// The text of a send that did not go, so it is not lost with the error.
std::string not_queued(const std::string& why, const std::string& text) {
  return "not queued: " + why + " (your text: " + text + ")";
}

/// Calls `done(key)` with the identity key of `name`: ours, the one pinned
/// for them, else the name server's record of their last registration
/// (an error if there is none). `await`: later messages wait, so letters
/// keep their order.
template <class Done>
void with_key(inbox_pointer self, const std::string& name, Done done) {
  auto& proof = self->state.cfg.proof;
  if (auto key = proof.known_key(self->state.cfg.user, name); !key.empty())
    return done(caf::expected<std::string>{std::move(key)});
  if (!proof.registry)
    return done(caf::expected<std::string>{
        make_error(errc::unknown_user, name + " has never signed in here")});
  self->request(proof.registry, lookup_timeout, identity_atom::value, name)
      .await([=](std::string& key) { done(caf::expected<std::string>{std::move(key)}); },
             [=](caf::error& err) { done(caf::expected<std::string>{std::move(err)}); });
}

chat_event private_event(uint8_t kind, const std::string& peer, std::string text) {
  return {kind, private_chat::chat_name(peer), "", std::move(text), now_ms(), false,
          true};
}

/// Answers a filed message with a sealed receipt (never a receipt for a
/// receipt): its sender sees "delivered".
void send_receipt(inbox_pointer self, const inbox_letter& filed, const std::string& key) {
  auto& st = self->state;
  outgoing_letter out;
  out.letter.kind = inbox_letter::receipt;
  out.letter.from = st.cfg.user;
  out.letter.to = filed.from;
  out.letter.id = filed.id;
  out.letter.sent_ms = now_ms();
  out.letter.text = first_words(filed.text);
  out.letter.sign(st.cfg.proof);
  st.post(std::move(out), key);
}

/// Shows an opened letter whose sender is checked, then acks it.
void file(inbox_pointer self, const inbox_letter& letter, bool verified,
          const std::string& key, bool backlog, uint64_t epoch, uint64_t tag) {
  auto& st = self->state;
  if (letter.kind == inbox_letter::receipt) {
    // Only a receipt its sender signed says anything.
    if (verified)
      st.emit({chat_event::info, private_chat::chat_name(letter.from), "",
               "delivered: " + letter.text,
               letter.sent_ms > 0 ? letter.sent_ms : now_ms(), false, true, backlog});
    st.channel->ack(epoch, tag);
    return;
  }
  st.emit({chat_event::message, private_chat::chat_name(letter.from), letter.from,
           private_chat::displayable(letter.text),
           letter.sent_ms > 0 ? letter.sent_ms : now_ms(), false, verified, true});
  // Shown: the broker may forget it.
  st.channel->ack(epoch, tag);
  if (verified)
    send_receipt(self, letter, key);
}

void on_delivery(inbox_pointer self, const amqp_delivery& d) {
  auto& st = self->state;
  auto backlog = st.backlog_left > 0;
  if (backlog)
    --st.backlog_left;
  auto drop = [&](std::string why) {
    st.emit({chat_event::error, "system", "", "dropped a private message: " + why,
             now_ms(), false, true});
    st.channel->ack(d.epoch, d.tag);
  };
  auto plain = open_sealed(*st.cfg.proof.identity, d.body);
  if (!plain)
    return drop("it was not sealed to your identity key");
  auto letter = inbox_letter::decode(*plain);
  if (!letter)
    return drop("malformed");
  if (letter->to != st.cfg.user)
    return drop("addressed to " + letter->to);
  if (!st.first_time(std::to_string(letter->kind) + letter->id)) {
    st.channel->ack(d.epoch, d.tag); // filed before a reconnect
    return;
  }
  if (auto problem = private_chat::text_problem(letter->text, st.cfg.max_message_bytes);
      !problem.empty())
    return drop("from " + letter->from + ": " + problem);
  with_key(
      self, letter->from,
      [=, l = *letter, epoch = d.epoch, tag = d.tag](caf::expected<std::string> key) {
        auto& proof = self->state.cfg.proof;
        auto claim = l.claim();
        auto verified = key && !l.signature.empty() &&
                        sender_proof::valid(*key, claim.fields(), claim.signature);
        // First contact: the name server's key is pinned once it signed.
        if (verified && proof.pins)
          proof.pins->check(l.from, *key);
        file(self, l, verified, verified ? *key : std::string{}, backlog, epoch, tag);
      });
}

} // namespace

std::string queued_notice(const std::string& to) {
  return "queued: " + to + " is away (delivered when " + to + " is back)";
}

bool inbox_state::first_time(const std::string& id) {
  if (!filed.insert(id).second)
    return false;
  filed_order.push_back(id);
  if (filed_order.size() > filed_memory) {
    filed.erase(filed_order.front());
    filed_order.pop_front();
  }
  return true;
}

void inbox_state::post(outgoing_letter out, const std::string& key) {
  auto box = seal_to(key, out.letter.encode());
  if (!box) {
    if (out.promise)
      out.promise->deliver(make_error(
          errc::not_authentic,
          not_queued(out.letter.to + "'s identity key is malformed", out.letter.text)));
    return;
  }
  amqp_message msg;
  msg.exchange = inbox_exchange.name;
  // The recipient is all the broker learns: no sender, no text, no time.
  msg.routing_key = out.letter.to;
  msg.body = std::move(*box);
  msg.persistent = true;
  msg.mandatory = true;
  msg.message_id = make_letter_id();
  auto id = next_id++;
  channel->publish(id, std::move(msg));
  pending.emplace(id, std::move(out));
}

void inbox_state::emit(chat_event ev) {
  caf::anon_send(parent, event_atom::value, std::move(ev));
}

void inbox_state::drop_pending(const std::string& why) {
  for (auto& [id, out] : pending)
    if (out.promise)
      out.promise->deliver(
          make_error(errc::broker_error, not_queued(why, out.letter.text)));
  pending.clear();
}

inbox_actor::behavior_type inbox_impl(inbox_pointer self, inbox_config cfg,
                                      caf::actor parent) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.parent = std::move(parent);
  auto me = caf::actor_cast<caf::actor>(self);
  // Refusals are answers here (a full inbox, below), not outages.
  st.channel =
      st.cfg.broker(forward_to(me), amqp_channel::options{.retry_refused = false});
  amqp_queue_spec q;
  q.name = inbox_queue(st.cfg.user);
  q.replicated = true;
  q.expires_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(st.cfg.keep).count();
  q.message_ttl_ms = q.expires_ms;
  q.max_length = st.cfg.max_messages;
  // A full inbox refuses (nacks) what comes: the sender is told, nothing
  // already waiting is dropped.
  q.overflow = "reject-publish";
  auto& w = *st.channel;
  w.declare_queue(q, false, false,
                  [me](uint32_t n) { caf::anon_send(me, backlog_atom::value, n); });
  // Our topic permission lets us bind our own name only.
  w.bind(q.name, inbox_exchange.name, st.cfg.user);
  if (st.cfg.consume)
    w.consume(q.name, 0, false);
  w.barrier([me] { caf::anon_send(me, link_atom::value, true, std::string{"ready"}); });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.drop_pending("the session ended before the broker took it");
    self->quit(msg.reason);
  });
  return {
      [=](send_atom, const std::string& to,
          const std::string& text) -> caf::result<ok_atom> {
        auto& st = self->state;
        if (auto problem = name_problem(to); !problem.empty())
          return make_error(errc::invalid_name, "invalid name '" + to + "': " + problem);
        if (auto problem = private_chat::text_problem(text, st.cfg.max_message_bytes);
            !problem.empty())
          return make_error(errc::invalid_message, problem);
        auto rp = self->make_response_promise<ok_atom>();
        outgoing_letter out;
        out.letter.from = st.cfg.user;
        out.letter.to = to;
        out.letter.id = make_letter_id();
        out.letter.sent_ms = now_ms();
        out.letter.text = text;
        out.letter.sign(st.cfg.proof);
        out.promise = rp;
        with_key(self, to, [=](caf::expected<std::string> key) {
          auto& st = self->state;
          if (!key) {
            auto why = is(key.error(), errc::unknown_user)
                           ? to + " has never signed in here"
                           : "cannot look up " + to + "'s key: " + describe(key.error());
            auto rp = *out.promise;
            rp.deliver(make_error(errc::unknown_user, not_queued(why, text)));
            return;
          }
          // Sealed to the key we will check their receipts against.
          if (st.cfg.proof.pins)
            st.cfg.proof.pins->check(to, *key);
          st.post(out, *key);
        });
        return rp;
      },
      [=](ready_atom) -> caf::result<ok_atom> {
        if (self->state.ready)
          return ok_atom::value;
        auto rp = self->make_response_promise<ok_atom>();
        self->state.waiting_ready.push_back(rp);
        return rp;
      },
      [=](deliver_atom, const amqp_delivery& d) { on_delivery(self, d); },
      [=](confirm_atom, uint64_t id, const caf::error& err) {
        auto& st = self->state;
        auto i = st.pending.find(id);
        if (i == st.pending.end())
          return;
        auto out = std::move(i->second);
        st.pending.erase(i);
        if (!out.promise)
          return; // a receipt: its sender's inbox may be gone or full
        auto& to = out.letter.to;
        if (!err) {
          st.emit({chat_event::message, private_chat::chat_name(to), st.cfg.user,
                   private_chat::displayable(out.letter.text), now_ms(), true, true});
          st.emit(private_event(chat_event::info, to, queued_notice(to)));
          out.promise->deliver(ok_atom::value);
          return;
        }
        auto why = is(err, errc::undeliverable)
                       ? to + " has no inbox here (away longer than chat.away-keep, or "
                              "never signed in in secure mode)"
                       : to + "'s inbox is full";
        out.promise->deliver(
            make_error(errc::undeliverable, not_queued(why, out.letter.text)));
      },
      [=](link_atom, bool up, const std::string& text) {
        auto& st = self->state;
        if (up && text == "ready" && !std::exchange(st.ready, true))
          for (auto& rp : std::exchange(st.waiting_ready, {}))
            rp.deliver(ok_atom::value);
      },
      [=](backlog_atom, uint32_t waiting) {
        auto& st = self->state;
        if (std::exchange(st.backlog_known, true) || !st.cfg.consume)
          return;
        st.backlog_left = waiting;
      },
  };
}

} // namespace chat
