#include "actors/server/broker_account_actor.hpp"

#include "actors/common/names.hpp"
#include "config/errors.hpp"

#include <spdlog/spdlog.h>

#include <set>

namespace chat {

namespace {

/// How many answers are kept for repeated requests.
constexpr size_t remembered_answers = 256;

using broker_account::refusal;

} // namespace

std::string broker_account_state::refuse(const broker_account::request& req,
                                         const std::string& from, refusal why) {
  ++refused;
  // One line per interval: a flood of bad requests costs no log per datagram.
  auto now = caf::make_timestamp();
  if (now - refusal_logged >= std::chrono::seconds{10}) {
    spdlog::warn("broker account for {} refused ({} from {}); {} refusals in all",
                 req.name, broker_account::to_string(why), from, refused);
    refusal_logged = now;
  }
  return broker_account::make_refusal(req.nonce, why);
}

std::string broker_account_state::grant(const broker_account::request& req) {
  ++granted;
  return broker_account::make_grant(
      req, broker_account::broker_user(req.name),
      broker_account::account_password(keys.account_secret, req.name, req.identity));
}

std::optional<std::string>
broker_account_state::answer_at_once(const broker_account::request& req,
                                     const std::string& from) {
  if (!req.member)
    return refuse(req, from, refusal::not_member);
  if (!req.signed_by_identity)
    return refuse(req, from, refusal::bad_signature);
  if (broker_account::is_throwaway_name(req.name))
    return refuse(req, from, refusal::reserved_name);
  auto password =
      broker_account::account_password(keys.account_secret, req.name, req.identity);
  if (store.accepts(broker_account::broker_user(req.name), password))
    return grant(req);
  // A new name, another key, or the broker is down: create_pending tells.
  return std::nullopt;
}

void broker_account_state::create_pending() {
  auto batch = std::exchange(pending, {});
  if (batch.empty())
    return;
  std::vector<std::string> replies(batch.size());
  auto users = store.users();
  std::vector<new_account> accounts;
  std::vector<size_t> created;
  /// Users this batch creates, with the password: a second request for one
  /// of them is granted with the same key and refused with another.
  std::map<std::string, std::string> batch_users;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& req = batch[i].req;
    auto user = broker_account::broker_user(req.name);
    auto password =
        broker_account::account_password(keys.account_secret, req.name, req.identity);
    if (!users) {
      replies[i] = refuse(req, batch[i].from, refusal::unavailable);
    } else if (auto j = batch_users.find(user); j != batch_users.end()) {
      if (j->second == password)
        created.push_back(i);
      else
        replies[i] = refuse(req, batch[i].from, refusal::name_bound);
    } else if (users->count(user) != 0) {
      replies[i] = refuse(req, batch[i].from, refusal::name_bound);
    } else {
      batch_users.emplace(user, password);
      accounts.push_back({req.name, user, password});
      created.push_back(i);
    }
  }
  if (!users)
    spdlog::error("broker accounts: {}", describe(users.error()));
  caf::error failure;
  if (!accounts.empty()) {
    failure = store.create(accounts);
    if (failure)
      spdlog::error("broker accounts: {}", describe(failure));
    else
      for (auto& a : accounts)
        spdlog::info("broker account created for {}", a.name);
  }
  for (auto i : created)
    replies[i] = failure ? refuse(batch[i].req, batch[i].from, refusal::unavailable)
                         : grant(batch[i].req);
  for (size_t i = 0; i < batch.size(); ++i) {
    remember(batch[i].req.nonce, replies[i]);
    for (auto& rp : batch[i].replies)
      rp.deliver(replies[i]);
  }
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
      [=](account_atom, const udp_datagram& dgram) -> caf::result<std::string> {
        auto& st = self->state;
        auto req = broker_account::parse_request(st.keys.member_password, dgram.payload);
        if (!req || !name_problem(req->name).empty())
          return std::string{};
        if (auto i = st.answered.find(req->nonce); i != st.answered.end())
          return i->second;
        for (auto& p : st.pending)
          if (p.req.nonce == req->nonce) {
            p.replies.push_back(self->make_response_promise<std::string>());
            return p.replies.back();
          }
        if (auto reply = st.answer_at_once(*req, dgram.sender_ip)) {
          st.remember(req->nonce, *reply);
          return *reply;
        }
        // Requests already in the mailbox join this batch: the flush
        // queues up behind them.
        if (st.pending.empty())
          self->send(self, flush_atom::value);
        st.pending.push_back({*req, dgram.sender_ip, {}});
        st.pending.back().replies.push_back(self->make_response_promise<std::string>());
        return st.pending.back().replies.back();
      },
      [=](flush_atom) { self->state.create_pending(); },
  };
}

} // namespace chat
