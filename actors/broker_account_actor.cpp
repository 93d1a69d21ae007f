#include "actors/broker_account_actor.hpp"

#include "config/errors.hpp"

#include <spdlog/spdlog.h>

namespace chat {

namespace {

/// How many answers are kept for repeated requests.
constexpr size_t remembered_answers = 256;

} // namespace

std::string broker_account_state::answer(const broker_account::request& req,
                                         const std::string& from) {
  using broker_account::refusal;
  auto refuse = [&](refusal why) {
    ++refused;
    spdlog::warn("broker account for {} refused ({} from {})", req.name,
                 broker_account::to_string(why), from);
    return broker_account::make_refusal(req.nonce, why);
  };
  if (!req.member)
    return refuse(refusal::not_member);
  if (!req.signed_by_identity)
    return refuse(refusal::bad_signature);
  if (broker_account::is_throwaway_name(req.name))
    return refuse(refusal::reserved_name);
  auto user = broker_account::broker_user(req.name);
  auto password =
      broker_account::account_password(keys.account_secret, req.name, req.identity);
  if (!store.accepts(user, password)) {
    // Not ours (yet): a new name, another key, or the broker is down.
    auto exists = store.exists(user);
    if (!exists) {
      spdlog::error("broker account for {}: {}", req.name, describe(exists.error()));
      return refuse(refusal::unavailable);
    }
    if (*exists)
      return refuse(refusal::name_bound);
    if (auto err = store.create(req.name, user, password)) {
      spdlog::error("broker account for {}: {}", req.name, describe(err));
      return refuse(refusal::unavailable);
    }
    spdlog::info("broker account created for {} (identity key {}…)", req.name,
                 req.identity.substr(0, 16));
  }
  ++granted;
  return broker_account::make_grant(req, user, password);
}

void broker_account_state::remember(const std::string& nonce, const std::string& reply) {
  if (answered.emplace(nonce, reply).second)
    answered_order.push_back(nonce);
  while (answered_order.size() > remembered_answers) {
    answered.erase(answered_order.front());
    answered_order.pop_front();
  }
}

broker_account_actor::behavior_type broker_account_impl(broker_account_pointer self,
                                                        broker_account_keys keys,
                                                        account_store store) {
  self->state.keys = std::move(keys);
  self->state.store = std::move(store);
  return {
      [=](account_atom, const udp_datagram& dgram) -> std::string {
        auto& st = self->state;
        auto req = broker_account::parse_request(st.keys.member_password, dgram.payload);
        if (!req)
          return {};
        if (auto i = st.answered.find(req->nonce); i != st.answered.end())
          return i->second;
        auto reply = st.answer(*req, dgram.sender_ip);
        st.remember(req->nonce, reply);
        return reply;
      },
  };
}

} // namespace chat
