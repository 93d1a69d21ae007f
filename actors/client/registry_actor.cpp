#include "actors/client/registry_actor.hpp"

#include "adapters/common/registry_functions.hpp"
#include "adapters/common/registry_keys.hpp"

#include "actors/common/names.hpp"
#include "actors/common/subscriptions.hpp"
#include "config/errors.hpp"

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <random>

namespace chat {

namespace {

std::string millis(caf::timespan x) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(x).count());
}

caf::expected<bool> as_flag(caf::expected<redis_reply> reply) {
  if (!reply)
    return reply.error();
  if (reply->type == redis_reply::kind::error)
    return make_error(errc::redis_unavailable, "name server error: " + reply->str);
  return reply->type == redis_reply::kind::integer && reply->integer == 1;
}

/// When to try again after the name server failed.
constexpr auto retry_delay = std::chrono::seconds{1};

} // namespace

std::string make_session_token() {
  std::random_device rd;
  std::string result;
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < 32; ++i)
    result += hex[rd() % 16];
  return result;
}

registry_actor_state::~registry_actor_state() {
  // Runs on every way out (clean exit, supervisor shutdown, error): free the
  // name now rather than letting the lease run out.
  if (redis && !user.empty()) {
    registry_functions::call(*redis, registry_functions::unregister_lease,
                             {user, online_key}, {session});
    redis->command({"DEL", subscriptions_key(user)});
  }
}

bool registry_actor_state::record_subscriptions() {
  if (user.empty())
    return true; // written once the name is ours
  auto key = subscriptions_key(user);
  if (subscriptions.empty())
    return static_cast<bool>(redis->command({"DEL", key}));
  std::vector<std::string> cmd{"SADD", key};
  cmd.insert(cmd.end(), subscriptions.begin(), subscriptions.end());
  return redis->command(cmd) && redis->command({"PEXPIRE", key, millis(ttl)});
}

caf::expected<bool> registry_actor_state::claim() {
  return as_flag(registry_functions::call(
      *redis, registry_functions::register_lease, {user, online_key},
      {published.host, std::to_string(published.port), session, millis(ttl),
       published.public_key, published.session_key, published.session_key_sig,
       std::to_string(published.tls_port), published.tls_cert, published.tls_sig,
       groups}));
}

caf::expected<bool> registry_actor_state::extend() {
  return as_flag(registry_functions::call(*redis, registry_functions::refresh_lease,
                                          {user, online_key}, {session, millis(ttl)}));
}

bool registry_actor_state::record_groups() {
  if (user.empty())
    return true; // written with the name
  return static_cast<bool>(as_flag(registry_functions::call(
      *redis, registry_functions::set_groups, {user}, {session, groups})));
}

caf::expected<std::vector<peer_info>> registry_actor_state::online() {
  auto reply =
      registry_functions::call(*redis, registry_functions::online, {online_key}, {});
  if (!reply)
    return reply.error();
  if (reply->type == redis_reply::kind::error)
    return make_error(errc::redis_unavailable, "name server error: " + reply->str);
  std::vector<peer_info> result;
  auto& xs = reply->elements;
  for (size_t i = 0; i + 3 < xs.size(); i += 4)
    result.push_back(peer_info{xs[i].str, xs[i + 1].str + ":" + xs[i + 2].str,
                               split_names(xs[i + 3].str)});
  return result;
}

void registry_actor_state::notify(std::string text) {
  if (listener)
    caf::anon_send(listener, event_atom::value, std::move(text));
}

registry_actor::behavior_type registry_actor_impl(registry_actor_pointer self,
                                                  redis_settings settings,
                                                  caf::timespan ttl,
                                                  caf::actor listener) {
  self->state.redis = std::make_unique<redis_client>(std::move(settings));
  self->state.ttl = ttl;
  self->state.listener = std::move(listener);
  auto schedule_refresh = [self](caf::timespan delay) {
    self->delayed_send(self, delay, refresh_atom::value);
  };
  return {
      [=](register_atom, const std::string& name, endpoint ep) -> caf::result<endpoint> {
        auto& st = self->state;
        if (auto problem = name_problem(name); !problem.empty())
          return make_error(errc::invalid_name,
                            "invalid name '" + name + "': " + problem);
        if (!st.user.empty())
          return make_error(errc::name_taken,
                            "this session is already registered as " + st.user);
        // Connect first: an empty host means "the interface that reaches Redis".
        if (auto ping = st.redis->command({"PING"}); !ping)
          return ping.error();
        if (ep.host.empty())
          ep.host = st.redis->local_address();
        st.user = name;
        st.published = ep;
        auto won = st.claim();
        if (!won || !*won) {
          st.user.clear();
          if (!won)
            return won.error();
          return make_error(errc::name_taken,
                            "the name " + name + " is taken by a live session");
        }
        // A crashed earlier session's record goes; ours is written anew.
        st.redis->command({"DEL", subscriptions_key(name)});
        st.record_subscriptions();
        schedule_refresh(st.ttl / 3);
        return ep;
      },
      [=](lookup_atom, const std::string& name) -> caf::result<endpoint> {
        if (auto problem = name_problem(name); !problem.empty())
          return make_error(errc::invalid_name,
                            "invalid name '" + name + "': " + problem);
        auto reply = self->state.redis->command({"HGETALL", name});
        if (!reply)
          return reply.error();
        endpoint result;
        auto& fields = reply->elements;
        for (size_t i = 0; i + 1 < fields.size(); i += 2) {
          if (fields[i].str == "ip_address")
            result.host = fields[i + 1].str;
          else if (fields[i].str == "port")
            result.port = static_cast<uint16_t>(
                std::strtoul(fields[i + 1].str.c_str(), nullptr, 10));
          else if (fields[i].str == "pubkey")
            result.public_key = fields[i + 1].str;
          else if (fields[i].str == "kx")
            result.session_key = fields[i + 1].str;
          else if (fields[i].str == "kx_sig")
            result.session_key_sig = fields[i + 1].str;
          else if (fields[i].str == "tls_port")
            result.tls_port = static_cast<uint16_t>(
                std::strtoul(fields[i + 1].str.c_str(), nullptr, 10));
          else if (fields[i].str == "tls_cert")
            result.tls_cert = fields[i + 1].str;
          else if (fields[i].str == "tls_sig")
            result.tls_sig = fields[i + 1].str;
        }
        if (result.host.empty())
          return make_error(errc::unknown_user, name + " is not online");
        return result;
      },
      [=](unregister_atom) -> caf::result<ok_atom> {
        auto& st = self->state;
        if (!st.user.empty()) {
          auto name = std::exchange(st.user, {});
          auto reply =
              registry_functions::call(*st.redis, registry_functions::unregister_lease,
                                       {name, online_key}, {st.session});
          if (!reply)
            return reply.error();
          st.redis->command({"DEL", subscriptions_key(name)});
        }
        return ok_atom::value;
      },
      [=](refresh_atom) {
        auto& st = self->state;
        if (st.user.empty())
          return;
        auto extended = st.extend();
        if (extended && !*extended) { // the key is gone, e.g. Redis restarted
          extended = st.claim();
          if (extended && *extended)
            st.notify("registered again as " + st.user);
        }
        // The record too (Redis may have restarted empty); a failed write
        // is tried again with the lease, every second.
        if (extended && *extended && st.groups_stale)
          st.groups_stale = !st.record_groups();
        if (extended && *extended && !st.record_subscriptions())
          extended = make_error(errc::redis_unavailable,
                                "could not record the group subscriptions");
        if (!extended) {
          if (!st.unreachable)
            st.notify("name server unreachable, retrying: " + describe(extended.error()));
          st.unreachable = true;
          schedule_refresh(std::min(caf::timespan{retry_delay}, st.ttl / 3));
          return;
        }
        if (st.unreachable && *extended)
          st.notify("name server reachable again");
        if (auto& members = st.redis->settings().cluster_members)
          if (auto keys = st.redis->command({"HKEYS", members_key});
              keys && keys->type == redis_reply::kind::array) {
            std::vector<std::string> hosts;
            for (auto& k : keys->elements)
              hosts.push_back(k.str);
            members->merge(hosts);
          }
        st.unreachable = false;
        if (!*extended) {
          st.notify("lease lost: another session took the name " + st.user);
          st.user.clear();
          return;
        }
        schedule_refresh(st.ttl / 3);
      },
      [=](join_atom, const std::string& group) {
        auto& st = self->state;
        if (st.subscriptions.insert(group).second)
          st.record_subscriptions(); // else the refresh writes it
      },
      [=](leave_atom, const std::string& group) {
        auto& st = self->state;
        if (st.subscriptions.erase(group) != 0 && !st.user.empty())
          st.redis->command({"SREM", subscriptions_key(st.user), group});
      },
      [=](groups_atom, const std::vector<std::string>& groups) {
        auto& st = self->state;
        st.groups = join_names(groups);
        st.groups_stale = !st.record_groups(); // then the next refresh writes them
      },
      [=](online_atom) -> caf::result<std::vector<peer_info>> {
        auto result = self->state.online();
        if (!result)
          return std::move(result.error());
        return std::move(*result);
      },
  };
}

registry_actor spawn_registry(caf::actor_system& sys, redis_settings settings,
                              caf::timespan ttl, caf::actor listener) {
  return sys.spawn<caf::detached>(registry_actor_impl, std::move(settings), ttl,
                                  std::move(listener));
}

} // namespace chat
