#include "actors/client/insult_actor.hpp"

#include "actors/client/amqp_glue.hpp"
#include "adapters/common/amqp_protocol.hpp"
#include "config/errors.hpp"

#include <caf/send.hpp>

namespace chat {

insult_actor::behavior_type insult_impl(insult_pointer self, std::string user,
                                        amqp_channel_factory broker, caf::actor parent,
                                        sender_proof proof) {
  auto& st = self->state;
  st.user = std::move(user);
  st.proof = std::move(proof);
  st.chat = insults_chat;
  st.parent = std::move(parent);
  st.channel = broker(forward_to(caf::actor_cast<caf::actor>(self)), {});
  // Shared by all clients, original ones included: declared as they do.
  st.channel->declare_queue(amqp_queue_spec{insults_queue, true, false, false, 0, true},
                            false, false);
  st.channel->bind(insults_queue, durable_name(insult_exchange), "");
  return {
      [=](insult_atom, const std::string& text) -> caf::result<ok_atom> {
        auto& st = self->state;
        auto id = st.next_id++;
        amqp_message msg;
        msg.exchange = durable_name(insult_exchange);
        msg.mandatory = true;
        msg.body = text;
        // Persistent, unlike the original: a queued insult survives a restart.
        msg.persistent = true;
        msg.message_id = make_message_id(st.user, id);
        msg.headers[sender_header] = st.user;
        st.sign(msg, text);
        auto rp = self->make_response_promise<ok_atom>();
        st.publish(id, std::move(msg), rp, text);
        return rp;
      },
      [=](open_atom) {
        auto& st = self->state;
        if (!st.open)
          st.channel->consume(insults_queue, 1, false);
        st.open = true;
      },
      [=](close_atom) {
        auto& st = self->state;
        if (st.open)
          st.channel->cancel(insults_queue);
        st.open = false;
      },
      [=](history_atom) { return self->state.history.snapshot(); },
      [=](deliver_atom, const amqp_delivery& d) {
        auto& st = self->state;
        if (!st.open) { // arrived while leaving: back to the queue
          st.channel->reject(d.epoch, d.tag, true);
          return;
        }
        auto from = d.header(sender_header);
        if (from == st.user && !d.message_id.empty() &&
            st.bounces[d.message_id]++ < max_own_bounces) {
          st.channel->reject(d.epoch, d.tag, true);
          return;
        }
        st.bounces.erase(d.message_id);
        claimed_message claim{insults_chat, from, d.message_id, d.body,
                              d.header(signature_header)};
        check_sender(self, st.proof, st.user, std::move(claim),
                     [=, text = d.body, epoch = d.epoch, tag = d.tag](bool verified) {
                       auto& st = self->state;
                       // Ours only with our signature (without keys: by
                       // name).
                       auto own = from == st.user && (verified || !st.proof);
                       chat_event ev{
                           chat_event::message, insults_chat, from, text, now_ms(), own,
                           verified || own};
                       st.history.push(ev);
                       st.emit(std::move(ev));
                       st.channel->ack(epoch, tag);
                     });
      },
      [=](confirm_atom, uint64_t id, const caf::error& err) {
        self->state.settle(id, err);
      },
      [=](link_atom, bool up, const std::string& text) {
        self->state.show_link(up, text);
      },
  };
}

} // namespace chat
