#include "actors/server/topology_actor.hpp"

#include "actors/common/names.hpp"
#include "actors/common/subscriptions.hpp"
#include "adapters/common/amqp_protocol.hpp"
#include "config/defaults.hpp"
#include "config/errors.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <spdlog/spdlog.h>

#include <map>

namespace chat {

namespace {

/// The recorded subscriptions: queue name → group.
caf::expected<std::map<std::string, std::string>>
recorded_subscriptions(redis_client& redis) {
  std::map<std::string, std::string> result;
  std::string cursor = "0";
  do {
    auto page = redis.command({"SCAN", cursor, "MATCH",
                               std::string{subscriptions_prefix} + "*", "COUNT", "100"});
    if (!page)
      return page.error();
    if (page->elements.size() != 2)
      return make_error(errc::redis_unavailable, "unexpected SCAN reply");
    cursor = page->elements[0].str;
    for (auto& key : page->elements[1].elements) {
      auto user = key.str.substr(subscriptions_prefix.size());
      auto groups = redis.command({"SMEMBERS", key.str});
      if (!groups || !name_problem(user).empty())
        continue;
      for (auto& g : groups->elements)
        if (name_problem(g.str).empty())
          result.emplace(subscription_queue(user, g.str), g.str);
    }
  } while (cursor != "0");
  return result;
}

/// Binds every recorded subscription not in `bound` whose queue still
/// exists to the durable twin and adds it to `bound`; returns how many. A
/// missing queue (its owner crashed and it expired) closes the channel:
/// reopen and go on.
caf::expected<int> bind_recorded(amqp_connection& conn, redis_client& redis,
                                 std::set<std::string>& bound) {
  auto recorded = recorded_subscriptions(redis);
  if (!recorded)
    return recorded.error();
  int count = 0;
  for (auto& [queue, group] : *recorded) {
    if (bound.count(queue) != 0)
      continue;
    auto err = conn.bind_queue(first_channel, queue, durable_name(group_exchange),
                               group_binding_key(group));
    if (!err) {
      bound.insert(queue);
      ++count;
    } else if (auto reopen = conn.open_channel(first_channel)) {
      return reopen;
    }
  }
  return count;
}

/// One round: after a broker (re)start (`restart`) the exchanges and every
/// recorded subscription, else only subscriptions recorded since.
caf::expected<int> run_round(topology_state& st, bool restart) {
  redis_client redis{st.redis};
  if (!restart) { // most rounds: nothing new, no broker connection needed
    auto recorded = recorded_subscriptions(redis);
    if (!recorded)
      return recorded.error();
    bool news = false;
    for (auto& [queue, group] : *recorded)
      news = news || st.bound.count(queue) == 0;
    if (!news)
      return 0;
  }
  caf::error err;
  auto conn = amqp_connection::open(st.broker, err);
  if (!conn)
    return err;
  if (restart) {
    st.bound.clear();
    for (auto& x : chat_exchanges)
      if (auto e = declare(*conn, x))
        return e;
    if (st.shared_queues) {
      if (auto e = declare_shared_queues(*conn))
        return e;
      if (auto e = declare_inbox_exchange(*conn))
        return e;
    }
  }
  return bind_recorded(*conn, redis, st.bound);
}

} // namespace

topology_actor::behavior_type topology_impl(topology_pointer self, amqp_settings broker,
                                            redis_settings redis, bool shared_queues) {
  self->state.shared_queues = shared_queues;
  self->state.broker = std::move(broker);
  self->state.redis = std::move(redis);
  return {
      [=](ready_atom) {
        auto& st = self->state;
        auto rebound = run_round(st, true);
        if (!rebound) {
          spdlog::warn("topology: {}; retrying", describe(rebound.error()));
          self->delayed_send(self, std::chrono::seconds{1}, ready_atom::value);
          return;
        }
        ++st.rounds;
        st.rebound = *rebound;
        spdlog::info("topology: exchanges declared, {} subscriptions re-bound", *rebound);
        if (!std::exchange(st.refreshing, true))
          self->delayed_send(self, defaults::topology_interval, refresh_atom::value);
      },
      [=](refresh_atom) {
        auto& st = self->state;
        if (auto bound = run_round(st, false); bound && *bound > 0)
          spdlog::info("topology: {} new subscriptions bound to the durable twin",
                       *bound);
        self->delayed_send(self, defaults::topology_interval, refresh_atom::value);
      },
  };
}

} // namespace chat
