#include "actors/client/broker_link_actor.hpp"

#include "actors/client/discovery_actor.hpp"
#include "actors/client/group_actor.hpp"
#include "actors/client/inbox_actor.hpp"
#include "actors/client/insult_actor.hpp"
#include "actors/client/private_chat_rules.hpp"
#include "actors/common/names.hpp"
#include "actors/common/subscriptions.hpp"
#include "adapters/common/amqp_mux.hpp"
#include "adapters/common/amqp_protocol.hpp"
#include "config/defaults.hpp"
#include "config/errors.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <map>
#include <set>

namespace chat {

namespace {

/// A joined group.
struct membership {
  group_actor handle;
  bool transient = false;
};

struct broker_link_state {
  std::string user;
  broker_link_settings settings;
  /// Channels on the client's one broker connection.
  amqp_channel_factory broker;
  caf::actor listener;
  std::map<std::string, membership> groups;
  /// Failed groups waiting for their re-join.
  std::set<std::string> rejoining;
  /// Re-joins of each failed group in this session
  /// (defaults::group_rejoins).
  std::map<std::string, backoff> failures;
  insult_actor insults;
  discovery_actor discovery;
  /// Our inbox, in secure mode (null otherwise).
  inbox_actor inbox;
  /// Records our persistent subscriptions in Redis (may be null).
  registry_actor registry;
  /// The chat in view, empty if none.
  std::string view;
  std::map<std::string, uint32_t> unread;
  static inline const char* name = "broker-link";
};

using broker_link_pointer = broker_link_actor::stateful_pointer<broker_link_state>;

std::vector<std::string> group_names(const broker_link_state& st) {
  std::vector<std::string> result;
  for (auto& [name, m] : st.groups)
    result.push_back(name);
  return result;
}

/// Discovery answers and the registry's entry carry our groups.
void announce_groups(broker_link_pointer self) {
  auto& st = self->state;
  auto names = group_names(st);
  if (st.registry)
    caf::anon_send(st.registry, groups_atom::value, names);
  self->send(st.discovery, groups_atom::value, std::move(names));
}

caf::error not_joined(const std::string& group) {
  return make_error(errc::broker_error, "not a member of group " + group);
}

void tell(broker_link_pointer self, const std::string& group, std::string text) {
  caf::anon_send(self->state.listener, event_atom::value,
                 chat_event{chat_event::error, group_chat(group), "", std::move(text),
                            now_ms(), false, true});
}

/// The actor of `group`, spawned if not joined yet; `inherit`: the queue
/// is ours from before a restart, keep it.
caf::expected<group_actor> ensure_group(broker_link_pointer self,
                                        const std::string& group, bool transient,
                                        bool inherit) {
  auto& st = self->state;
  if (auto problem = name_problem(group); !problem.empty())
    return make_error(errc::invalid_name,
                      "invalid group name '" + group + "': " + problem);
  if (auto i = st.groups.find(group); i != st.groups.end())
    return i->second.handle;
  // Its subscription queue would be our inbox's.
  if (st.inbox && inbox_queue(st.user) == subscription_queue(st.user, group))
    return make_error(errc::invalid_name,
                      "the group name '" + group + "' is reserved for private messages");
  if (st.groups.size() + st.rejoining.size() >= st.settings.max_groups && !inherit)
    return make_error(errc::broker_error,
                      "cannot join " + group + ": already in " +
                          std::to_string(st.settings.max_groups) +
                          " groups (chat.max-groups); /leave one first");
  // A group waiting to be re-joined has this session's queue too.
  inherit = st.rejoining.erase(group) != 0 || inherit;
  auto lasting = st.settings.lasting_membership && !transient;
  group_config cfg{.user = st.user,
                   .group = group,
                   .transient = transient,
                   .broker = st.broker,
                   .queue_expiry =
                       lasting ? st.settings.away_keep : st.settings.queue_expiry,
                   .history_size = st.settings.history_size,
                   .history_bytes = st.settings.history_bytes,
                   .max_message_bytes = st.settings.max_message_bytes,
                   .outbox_size = st.settings.outbox_size,
                   .inherit = inherit,
                   .lasting = lasting,
                   .away_max_messages = st.settings.away_max_messages,
                   .proof = st.settings.proof,
                   // Our own queue again (a restart): the group saw us join.
                   .announce = st.settings.announce && !inherit};
  auto g = self->spawn<caf::linked>(group_impl, std::move(cfg),
                                    caf::actor_cast<caf::actor>(self));
  st.groups.emplace(group, membership{g, transient});
  st.unread.try_emplace(group_chat(group), 0);
  if (!transient && st.registry)
    caf::anon_send(st.registry, join_atom::value, group);
  announce_groups(self);
  return g;
}

/// Replies once the subscription is live.
caf::result<ok_atom> join_group(broker_link_pointer self, const std::string& group,
                                bool transient, bool inherit) {
  auto g = ensure_group(self, group, transient, inherit);
  if (!g)
    return std::move(g.error());
  return self->delegate(*g, ready_atom::value);
}

/// A group actor failed: re-join it after a growing delay (its queue keeps
/// what arrives meanwhile), or give it up after too many failures in this
/// session. `group` by value: its entry goes away here.
void group_failed(broker_link_pointer self, std::string group, const caf::error& reason) {
  auto& st = self->state;
  auto m = st.groups.at(group);
  st.groups.erase(group);
  auto delay =
      st.failures.try_emplace(group, defaults::group_rejoins).first->second.next();
  if (!delay) {
    tell(self, group,
         "group " + group + " failed: " + describe(reason) + "; join it again");
    st.unread.erase(group_chat(group));
    st.failures.erase(group); // a join by hand starts counting anew
    return;
  }
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(*delay).count();
  tell(self, group,
       "group " + group + " failed: " + describe(reason) + "; re-joining in " +
           std::to_string(seconds) + " s");
  st.rejoining.insert(group);
  self->delayed_send(self, *delay, retry_atom::value, group, m.transient);
}

broker_link_actor::behavior_type
broker_link_impl(broker_link_pointer self, std::string user,
                 broker_link_settings settings, std::string endpoint, caf::actor listener,
                 amqp_channel_factory broker, registry_actor registry) {
  auto& st = self->state;
  st.user = std::move(user);
  st.settings = std::move(settings);
  st.broker = std::move(broker);
  st.registry = std::move(registry);
  st.listener = std::move(listener);
  st.settings.proof.registry = st.registry;
  auto me = caf::actor_cast<caf::actor>(self);
  st.insults =
      self->spawn<caf::linked>(insult_impl, st.user, st.broker, me, st.settings.proof);
  st.discovery = self->spawn<caf::linked>(
      discovery_impl,
      discovery_config{st.user, std::move(endpoint), st.broker,
                       st.settings.discovery_interval, st.registry,
                       st.settings.discovery_settle},
      st.listener);
  if (st.settings.inbox && st.settings.proof)
    st.inbox = self->spawn<caf::linked>(
        inbox_impl,
        inbox_config{.user = st.user,
                     .broker = st.broker,
                     .keep = st.settings.away_keep,
                     .max_messages = st.settings.inbox_max_messages,
                     .max_message_bytes = st.settings.max_message_bytes,
                     .proof = st.settings.proof,
                     .consume = st.settings.read_inbox},
        me);
  st.unread[insults_chat] = 0;
  // Children are linked: our exit reason reaches them (a clean exit deletes
  // their queues). A group that fails is re-joined later, keeping its queue.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    for (auto& [name, m] : st.groups)
      if (m.handle.address() == msg.source) {
        group_failed(self, name, msg.reason);
        return;
      }
    self->quit(msg.reason);
  });
  return {
      [=](join_atom, const std::string& group, bool transient) {
        return join_group(self, group, transient, false);
      },
      [=](rejoin_atom, const std::string& group, bool transient) {
        return join_group(self, group, transient, true);
      },
      [=](retry_atom, const std::string& group, bool transient) {
        // Unless the user left it meanwhile.
        if (self->state.rejoining.count(group) != 0)
          ensure_group(self, group, transient, true);
      },
      [=](leave_atom, const std::string& group) -> caf::result<ok_atom> {
        auto& st = self->state;
        if (st.rejoining.erase(group) != 0) {
          // Failed and waiting to be re-joined: its queue expires by itself.
          st.unread.erase(group_chat(group));
          if (st.registry)
            caf::anon_send(st.registry, leave_atom::value, group);
          return ok_atom::value;
        }
        auto i = st.groups.find(group);
        if (i == st.groups.end())
          return not_joined(group);
        auto g = i->second.handle;
        self->unlink_from(g);
        st.groups.erase(i);
        st.unread.erase(group_chat(group));
        if (st.view == group_chat(group))
          st.view.clear();
        if (st.registry)
          caf::anon_send(st.registry, leave_atom::value, group);
        announce_groups(self);
        return self->delegate(g, leave_atom::value);
      },
      [=](post_atom, const std::string& group,
          const std::string& text) -> caf::result<ok_atom> {
        auto& st = self->state;
        auto i = st.groups.find(group);
        if (i == st.groups.end())
          return not_joined(group);
        if (auto problem =
                private_chat::text_problem(text, st.settings.max_message_bytes);
            !problem.empty())
          return make_error(errc::invalid_message, problem);
        return self->delegate(i->second.handle, post_atom::value, text);
      },
      [=](history_atom, const std::string& chat) -> caf::result<std::vector<chat_event>> {
        auto& st = self->state;
        if (chat == insults_chat)
          return self->delegate(st.insults, history_atom::value);
        if (auto group = group_of(chat); !group.empty())
          if (auto i = st.groups.find(group); i != st.groups.end())
            return self->delegate(i->second.handle, history_atom::value);
        return make_error(errc::broker_error, "no such chat: " + chat);
      },
      [=](chats_atom) {
        std::vector<chat_summary> result;
        for (auto& [chat, unread] : self->state.unread)
          result.push_back(chat_summary{chat, unread});
        return result;
      },
      [=](open_atom, const std::string& chat) {
        auto& st = self->state;
        if (!st.view.empty() && st.view != chat && st.view == insults_chat)
          self->send(st.insults, close_atom::value);
        st.view = chat;
        if (st.unread.count(chat) != 0)
          st.unread[chat] = 0;
        if (chat == insults_chat)
          self->send(st.insults, open_atom::value);
      },
      [=](close_atom, const std::string& chat) {
        auto& st = self->state;
        if (st.view == chat)
          st.view.clear();
        if (chat == insults_chat)
          self->send(st.insults, close_atom::value);
      },
      [=](insult_atom, const std::string& text) -> caf::result<ok_atom> {
        auto& st = self->state;
        if (auto problem =
                private_chat::text_problem(text, st.settings.max_message_bytes);
            !problem.empty())
          return make_error(errc::invalid_message, problem);
        return self->delegate(st.insults, insult_atom::value, text);
      },
      [=](inbox_atom, const std::string& to,
          const std::string& text) -> caf::result<ok_atom> {
        auto& st = self->state;
        if (!st.inbox)
          return make_error(errc::no_inbox, to + " is not online");
        return self->delegate(st.inbox, send_atom::value, to, text);
      },
      [=](discover_atom, bool on) {
        self->send(self->state.discovery, discover_atom::value, on);
      },
      [=](event_atom, chat_event& ev) {
        auto& st = self->state;
        if (ev.kind == chat_event::message && !ev.own && ev.chat != st.view)
          if (auto i = st.unread.find(ev.chat); i != st.unread.end())
            ++i->second;
        caf::anon_send(st.listener, event_atom::value, std::move(ev));
      },
  };
}

} // namespace

broker_link_settings read_broker_link_settings(const caf::actor_system_config& cfg,
                                               const std::string& server) {
  namespace d = defaults;
  broker_link_settings s;
  s.amqp = read_amqp_settings(cfg, server);
  s.queue_expiry = caf::get_or(cfg, "chat.queue-expiry", caf::timespan{d::queue_expiry});
  s.lasting_membership =
      !caf::get_or(cfg, "chat.allow-original-clients", d::allow_original_clients);
  s.away_keep = caf::get_or(cfg, "chat.away-keep", caf::timespan{d::away_keep});
  s.away_max_messages = caf::get_or(cfg, "chat.away-max-messages", d::away_max_messages);
  s.inbox = s.lasting_membership;
  s.inbox_max_messages =
      caf::get_or(cfg, "chat.inbox-max-messages", d::inbox_max_messages);
  s.max_message_bytes = caf::get_or(cfg, "chat.max-message-bytes", d::max_message_bytes);
  s.history_size =
      static_cast<size_t>(caf::get_or(cfg, "chat.history-size", d::history_size));
  s.max_groups = static_cast<size_t>(caf::get_or(cfg, "chat.max-groups", d::max_groups));
  s.history_bytes =
      static_cast<size_t>(caf::get_or(cfg, "chat.history-bytes", d::history_bytes));
  s.outbox_size =
      static_cast<size_t>(caf::get_or(cfg, "chat.outbox-size", d::outbox_size));
  s.discovery_interval =
      caf::get_or(cfg, "chat.discovery-interval", caf::timespan{d::discovery_interval});
  s.discovery_settle =
      caf::get_or(cfg, "chat.discovery-settle", caf::timespan{d::discovery_settle});
  return s;
}

broker_link_actor spawn_broker_link(caf::actor_system& sys, std::string user,
                                    broker_link_settings settings,
                                    std::string grpc_endpoint, caf::actor listener,
                                    registry_actor registry) {
  // One connection for the whole client; each group, discovery and the
  // insult channel get a channel of it. The exchanges are the connection's.
  auto mux = std::make_shared<amqp_mux>(settings.amqp);
  for (auto& x : chat_exchanges)
    declare(*mux, x);
  return spawn_broker_link(sys, std::move(user), std::move(settings),
                           std::move(grpc_endpoint), std::move(listener),
                           std::move(registry), mux->factory());
}

broker_link_actor spawn_broker_link(caf::actor_system& sys, std::string user,
                                    broker_link_settings settings,
                                    std::string grpc_endpoint, caf::actor listener,
                                    registry_actor registry,
                                    amqp_channel_factory broker) {
  return sys.spawn(broker_link_impl, std::move(user), std::move(settings),
                   std::move(grpc_endpoint), std::move(listener), std::move(broker),
                   std::move(registry));
}

} // namespace chat
