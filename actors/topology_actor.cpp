#include "actors/topology_actor.hpp"

#include "actors/amqp_protocol.hpp"
#include "actors/group_actor.hpp"
#include "actors/names.hpp"
#include "actors/subscriptions.hpp"
#include "config/errors.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <spdlog/spdlog.h>

namespace chat {

namespace {

/// Binds every recorded subscription whose queue still exists; returns
/// how many. A missing queue (its owner crashed and it expired) closes the
/// channel: reopen and go on.
caf::expected<int> rebind_subscriptions(amqp_connection& conn, redis_client& redis) {
  int count = 0;
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
      for (auto& g : groups->elements) {
        if (!name_problem(g.str).empty())
          continue;
        auto err =
            conn.bind_queue(first_channel, subscription_queue(user, g.str),
                            durable_name(group_exchange), group_binding_key(g.str));
        if (!err)
          ++count;
        else if (auto reopen = conn.open_channel(first_channel))
          return reopen;
      }
    }
  } while (cursor != "0");
  return count;
}

} // namespace

topology_actor::behavior_type topology_impl(topology_pointer self, amqp_settings broker,
                                            redis_settings redis) {
  self->state.broker = std::move(broker);
  self->state.redis = std::move(redis);
  return {
      [=](ready_atom) {
        auto& st = self->state;
        caf::error err;
        auto conn = amqp_connection::open(st.broker, err);
        for (auto& x : chat_exchanges)
          if (!err)
            err = declare(*conn, x);
        caf::expected<int> rebound{0};
        if (!err) {
          redis_client rc{st.redis};
          rebound = rebind_subscriptions(*conn, rc);
          if (!rebound)
            err = rebound.error();
        }
        if (err) {
          spdlog::warn("topology: {}; retrying", describe(err));
          self->delayed_send(self, std::chrono::seconds{1}, ready_atom::value);
          return;
        }
        ++st.rounds;
        st.rebound = *rebound;
        spdlog::info("topology: exchanges declared, {} subscriptions re-bound", *rebound);
      },
  };
}

} // namespace chat
