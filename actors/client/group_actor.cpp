#include "actors/client/group_actor.hpp"

#include "actors/client/amqp_glue.hpp"
#include "actors/client/private_chat_rules.hpp"
#include "actors/common/names.hpp"
#include "adapters/common/amqp_protocol.hpp"
#include "config/errors.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

namespace chat {

std::pair<std::string, std::string> parse_group_message(const amqp_delivery& d) {
  auto from = d.header(sender_header);
  if (from.empty()) {
    auto colon = d.body.find(": ");
    if (colon != std::string::npos)
      from = d.body.substr(0, colon);
    else if (auto dot = d.routing_key.find('.'); dot != std::string::npos)
      from = d.routing_key.substr(0, dot);
  }
  auto prefix = from + ": ";
  auto text = d.body.starts_with(prefix) ? d.body.substr(prefix.size()) : d.body;
  return {from, text};
}

std::string event_scope(const std::string& group, std::string_view event) {
  return "event:" + group_chat(group) + ":" + std::string{event};
}

std::string event_body(const std::string& user, const std::string& group,
                       std::string_view event) {
  return user + (event == "join" ? ": joined #" : ": left #") + group;
}

std::optional<chat_event> event_notice(const std::string& group, const std::string& from,
                                       std::string_view event, bool verified) {
  auto kind = event == "join"    ? chat_event::joined
              : event == "leave" ? chat_event::left
                                 : chat_event::message;
  if (kind == chat_event::message)
    return std::nullopt;
  auto what = kind == chat_event::joined ? " joined #" : " left #";
  return chat_event{kind,  group_chat(group), from, from + what + group, now_ms(),
                    false, verified};
}

void group_state::remove_subscription() {
  if (channel)
    channel->delete_queue(subscription_queue(cfg.user, cfg.group));
}

namespace {

std::string messages(size_t n) {
  return std::to_string(n) + (n == 1 ? " message" : " messages");
}

/// Publishes our membership event `event` ("join", "leave"): signed like a
/// post but over event_scope, not mandatory (an empty group is fine), its
/// confirm not waited for.
void announce(group_state& st, std::string_view event) {
  auto& user = st.cfg.user;
  auto id = st.next_id++;
  amqp_message msg;
  msg.exchange = durable_name(group_exchange);
  msg.routing_key = group_routing_key(user, st.cfg.group);
  msg.body = event_body(user, st.cfg.group, event);
  msg.persistent = !st.cfg.transient;
  msg.message_id = make_message_id(user, id);
  msg.timestamp = now_ms() / 1000;
  msg.headers[sender_header] = user;
  msg.headers[event_header] = std::string{event};
  if (st.proof)
    msg.headers[signature_header] =
        st.proof.sign({event_scope(st.cfg.group, event), user, msg.message_id,
                       msg.body.substr(user.size() + 2)});
  st.history.first_time(msg.message_id); // our own echo is not shown
  st.channel->publish(id, std::move(msg));
}

} // namespace

void group_state::drop_pending(const std::string& why) {
  if (pending.empty())
    return;
  tell(chat_event::error, messages(pending.size()) + " not sent: " + why);
  for (auto& [id, rp] : pending)
    rp.deliver(make_error(errc::broker_error, "not sent: " + why));
  pending.clear();
  texts.clear();
}

namespace {

/// A membership event of another member: shown as a notice once its sender
/// is checked like a message's. Only acked: unknown events (a newer
/// client's), malformed ones, and those under our own name (our own join
/// from before a restart waits in our queue; we know whether we joined).
void on_event(group_pointer self, const amqp_delivery& d, const std::string& event) {
  auto& st = self->state;
  auto [from, text] = parse_group_message(d);
  if (from == st.cfg.user || !name_problem(from).empty() ||
      !event_notice(st.cfg.group, from, event, false) ||
      !private_chat::text_problem(text, st.cfg.max_message_bytes).empty()) {
    st.channel->ack(d.epoch, d.tag);
    return;
  }
  claimed_message claim{event_scope(st.cfg.group, event), from, d.message_id, text,
                        d.header(signature_header)};
  check_sender(self, st.proof, st.cfg.user, std::move(claim),
               [=, epoch = d.epoch, tag = d.tag](bool verified) {
                 auto& st = self->state;
                 auto ev = *event_notice(st.cfg.group, from, event, verified);
                 st.history.push(ev);
                 st.emit(std::move(ev));
                 st.channel->ack(epoch, tag);
               });
}

} // namespace

group_actor::behavior_type group_impl(group_pointer self, group_config cfg,
                                      caf::actor parent) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.history.set_capacity(st.cfg.history_size);
  st.history.set_max_bytes(st.cfg.history_bytes);
  st.chat = group_chat(st.cfg.group);
  st.parent = std::move(parent);
  st.proof = st.cfg.proof;
  st.channel = st.cfg.broker(forward_to(caf::actor_cast<caf::actor>(self)), {});
  amqp_queue_spec q;
  q.name = subscription_queue(st.cfg.user, st.cfg.group);
  if (st.cfg.transient) {
    q.durable = false;
    q.exclusive = true;
    q.auto_delete = true;
  } else {
    q.replicated = true;
    q.expires_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(st.cfg.queue_expiry)
            .count();
    if (st.cfg.lasting) {
      q.message_ttl_ms = q.expires_ms;
      q.max_length = st.cfg.away_max_messages;
    }
  }
  auto& w = *st.channel;
  // fresh: a crashed earlier session's queue is never inherited (ours is,
  // when a restart re-joins). A lasting membership's queue is always ours:
  // our broker account alone may declare `<user>:*` queues.
  auto fresh = !st.cfg.inherit && !st.cfg.lasting;
  w.declare_queue(q, fresh, false, [hdl = caf::actor_cast<caf::actor>(self)](uint32_t n) {
    caf::anon_send(hdl, backlog_atom::value, n);
  });
  // Bound to the durable twin: the binding outlives a broker restart, so no
  // message published before we are back misses our queue.
  w.bind(q.name, durable_name(group_exchange), group_binding_key(st.cfg.group));
  w.consume(q.name, static_cast<uint16_t>(defaults::group_prefetch), false);
  w.barrier([hdl = caf::actor_cast<caf::actor>(self)] {
    caf::anon_send(hdl, link_atom::value, true, std::string{"subscribed"});
  });
  // A clean shutdown (parent exits) deletes the queue unless membership
  // lasts; a kill or an error leaves it to x-expires.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.drop_pending("the session ended before the broker took them");
    auto clean = !msg.reason || msg.reason == caf::exit_reason::user_shutdown;
    if (clean && !self->state.cfg.lasting)
      self->state.remove_subscription();
    self->quit(msg.reason);
  });
  self->set_exception_handler([self](std::exception_ptr& eptr) -> caf::error {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(eptr);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    self->state.drop_pending("the group failed: " + what);
    return caf::make_error(caf::sec::runtime_error, what);
  });
  return {
      [=](ready_atom) -> caf::result<ok_atom> {
        if (self->state.ready)
          return ok_atom::value;
        auto rp = self->make_response_promise<ok_atom>();
        self->state.waiting_ready.push_back(rp);
        return rp;
      },
      [=](post_atom, const std::string& text) -> caf::result<ok_atom> {
        auto& st = self->state;
        if (st.pending.size() >= st.cfg.outbox_size)
          return make_error(errc::outbox_full,
                            "not sent: " + messages(st.pending.size()) +
                                " already wait for the broker (chat.outbox-size)");
        if (st.offline && !std::exchange(st.said_pending, true))
          st.tell(chat_event::info, "pending: the broker is unreachable; what you "
                                    "write is sent, in order, once it is back");
        if (st.offline)
          ++st.held;
        auto id = st.next_id++;
        amqp_message msg;
        msg.exchange = durable_name(group_exchange);
        msg.routing_key = group_routing_key(st.cfg.user, st.cfg.group);
        msg.mandatory = true;
        msg.body = st.cfg.user + ": " + text;
        msg.persistent = !st.cfg.transient;
        msg.message_id = make_message_id(st.cfg.user, id);
        msg.timestamp = now_ms() / 1000;
        msg.headers[sender_header] = st.cfg.user;
        st.sign(msg, text);
        st.history.first_time(msg.message_id);
        chat_event ev{
            chat_event::message, st.chat, st.cfg.user, text, now_ms(), true, true};
        st.history.push(ev);
        st.emit(ev);
        auto rp = self->make_response_promise<ok_atom>();
        st.publish(id, std::move(msg), rp, text);
        return rp;
      },
      [=](history_atom) { return self->state.history.snapshot(); },
      [=](leave_atom) {
        if (self->state.cfg.announce)
          announce(self->state, "leave");
        self->state.drop_pending("you left the group");
        self->state.remove_subscription();
        self->quit();
        return ok_atom::value;
      },
      [=](deliver_atom, const amqp_delivery& d) {
        auto& st = self->state;
        auto backlog = st.backlog_left > 0;
        if (backlog)
          --st.backlog_left;
        if (auto event = d.header(event_header); !event.empty()) {
          if (st.history.first_time(d.message_id))
            return on_event(self, d, event);
          st.channel->ack(d.epoch, d.tag);
          return;
        }
        if (st.history.first_time(d.message_id)) {
          auto [from, text] = parse_group_message(d);
          // The same rules as for what we send: nothing oversized or
          // malformed is kept or shown, whoever sent it.
          if (auto problem = private_chat::text_problem(text, st.cfg.max_message_bytes);
              !problem.empty()) {
            auto who = name_problem(from).empty() ? " from " + from : std::string{};
            st.tell(chat_event::error, "dropped a message" + who + ": " + problem);
            st.channel->ack(d.epoch, d.tag);
            return;
          }
          // Never our own post: those are known by id and shown when sent.
          // One under our name is another session's (ours only with our
          // signature) or someone else's claim: never "own".
          claimed_message claim{st.chat, from, d.message_id, text,
                                d.header(signature_header)};
          check_sender(
              self, st.proof, st.cfg.user, std::move(claim),
              [=, epoch = d.epoch, tag = d.tag, sent = d.timestamp](bool verified) {
                auto& st = self->state;
                auto ts = backlog && sent > 0 ? sent * 1000 : now_ms();
                chat_event ev{chat_event::message,
                              st.chat,
                              from,
                              text,
                              ts,
                              false,
                              verified,
                              backlog};
                st.history.push(ev);
                st.emit(std::move(ev));
                // In the history now: the broker may forget it.
                st.channel->ack(epoch, tag);
              });
          return;
        }
        // Already in the history: the broker may forget it.
        st.channel->ack(d.epoch, d.tag);
      },
      [=](confirm_atom, uint64_t id, const caf::error& err) {
        auto& st = self->state;
        if (!st.settle(id, err))
          return;
        if (!st.offline && st.held > 0 && st.pending.empty())
          st.tell(chat_event::info, "sent: " + messages(std::exchange(st.held, 0)) +
                                        " that waited for the broker");
      },
      [=](backlog_atom, uint32_t waiting) {
        auto& st = self->state;
        if (std::exchange(st.backlog_known, true) || !st.cfg.lasting || waiting == 0)
          return;
        st.backlog_left = waiting;
        auto line = "── while you were away: " + messages(waiting) + " ──";
        if (static_cast<int64_t>(waiting) >= st.cfg.away_max_messages)
          line += " (older ones expired: at most " +
                  std::to_string(st.cfg.away_max_messages) + " wait per group)";
        chat_event ev{chat_event::info, st.chat, "",   std::move(line),
                      now_ms(),         false,   true, true};
        st.emit(std::move(ev));
      },
      [=](link_atom, bool up, const std::string& text) {
        auto& st = self->state;
        if (up && text == "subscribed") {
          if (!std::exchange(st.ready, true) && st.cfg.announce)
            announce(st, "join");
          for (auto& rp : std::exchange(st.waiting_ready, {}))
            rp.deliver(ok_atom::value);
          return;
        }
        if (!up && !st.offline) {
          st.offline = true;
          st.held = st.pending.size(); // published again after the reconnect
        } else if (up) {
          st.offline = false;
          st.said_pending = false;
        }
        st.show_link(up, text);
      },
  };
}

} // namespace chat
