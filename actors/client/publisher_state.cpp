#include "actors/client/publisher_state.hpp"

#include "adapters/common/amqp_protocol.hpp"
#include "config/errors.hpp"

#include <caf/send.hpp>

namespace chat {

void publisher_state::sign(amqp_message& msg, const std::string& text) const {
  if (proof)
    msg.headers[signature_header] =
        proof.sign({chat, msg.headers[sender_header], msg.message_id, text});
}

void publisher_state::publish(uint64_t id, amqp_message msg,
                              caf::typed_response_promise<ok_atom> rp, std::string text) {
  channel->publish(id, std::move(msg));
  pending.emplace(id, std::move(rp));
  texts.emplace(id, std::move(text));
}

bool publisher_state::settle(uint64_t id, const caf::error& err) {
  auto i = pending.find(id);
  if (i == pending.end())
    return false;
  auto text = std::move(texts[id]);
  texts.erase(id);
  if (err) {
    i->second.deliver(err);
    tell(chat_event::error,
         text.empty() ? describe(err) : '"' + text + "\": " + describe(err));
  } else {
    i->second.deliver(ok_atom::value);
  }
  pending.erase(i);
  return true;
}

void publisher_state::emit(chat_event ev) {
  caf::anon_send(parent, event_atom::value, std::move(ev));
}

void publisher_state::tell(uint8_t kind, std::string text) {
  emit({kind, chat, "", std::move(text), now_ms(), false, true});
}

void publisher_state::show_link(bool up, const std::string& text) {
  if (up && text == "connected")
    return;
  tell(up ? chat_event::info : chat_event::error, text);
}

} // namespace chat
