#include "actors/client/peer_directory.hpp"

#include "actors/client/private_chat_rules.hpp"
#include "actors/common/names.hpp"
#include "adapters/common/session_crypto.hpp"
#include "config/errors.hpp"

namespace chat {

caf::error check_incoming(const wire_message& msg, const peer_directory::self_info& self,
                          size_t max_message_bytes) {
  if (self.user.empty())
    return make_error(errc::not_registered, "not registered yet");
  // Never echo the caller's bytes: they may be anything.
  if (msg.receiver != self.user)
    return make_error(errc::invalid_message, "receiver is not this client's user");
  if (msg.session_key.empty()) {
    if (auto problem = private_chat::text_problem(msg.text, max_message_bytes);
        !problem.empty())
      return make_error(errc::invalid_message, problem);
  } else {
    // Sealed: the peer actor checks the text once it is opened.
    auto sealed_max = (max_message_bytes + aead_tag_bytes + 2) / 3 * 4;
    if (msg.text.size() > sealed_max)
      return make_error(errc::invalid_message, "message too long: at most " +
                                                   std::to_string(max_message_bytes) +
                                                   " bytes");
    if (msg.receiver_key != self.session_key)
      return make_error(errc::stale_session,
                        "sealed for an earlier session of " + self.user);
  }
  if (!private_chat::valid_utf8(msg.sender) || !name_problem(msg.sender).empty())
    return make_error(errc::invalid_message, "invalid sender name");
  return {};
}

} // namespace chat
