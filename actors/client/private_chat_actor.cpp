#include "actors/client/private_chat_actor.hpp"

#include "actors/client/peer_directory.hpp"
#include "adapters/client/file_names.hpp"

#include "actors/client/private_chat_rules.hpp"
#include "actors/common/names.hpp"
#include "config/errors.hpp"
#include <grpcpp/impl/service_type.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <algorithm>

namespace chat {

namespace {

using self_ptr = private_chat_pointer;

/// The listener's self-probe must be answered within this long.
constexpr auto probe_timeout = std::chrono::seconds{2};

/// Runs on gRPC threads, which never touch state: checks each call and
/// hands it to the peer actor of its sender, which answers it through the
/// reply; to the manager only when that actor does not exist yet.
incoming_handler make_handler(self_ptr self) {
  caf::weak_actor_ptr weak{self->ctrl()};
  return [weak, directory = self->state.directory,
          max_bytes = self->state.settings.max_message_bytes](wire_message msg,
                                                              delivery_reply reply) {
    auto me = directory->self();
    if (!me.user.empty()) {
      if (auto err = check_incoming(msg, me, max_bytes))
        return reply(refusal(err));
      if (auto peer = directory->find(msg.sender)) {
        caf::anon_send(peer, incoming_atom::value, std::move(msg), std::move(reply));
        return;
      }
    }
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<private_chat_actor>(strong), incoming_atom::value,
                     std::move(msg), std::move(reply));
    else
      reply({static_cast<int32_t>(delivery_code::unavailable), "shutting down"});
  };
}

/// Asks the least recently active conversation not in view to leave when
/// the table is full. It goes unless it is sending; the table may exceed
/// the limit by the few that are busy.
void make_room(self_ptr self) {
  auto& st = self->state;
  if (st.peers.size() < st.settings.max_conversations)
    return;
  const std::string* oldest = nullptr;
  uint64_t oldest_tick = UINT64_MAX;
  for (auto& [name, tick] : st.last_active)
    if (tick < oldest_tick && name != st.in_view && st.peers.count(name) != 0) {
      oldest = &name;
      oldest_tick = tick;
    }
  if (oldest == nullptr)
    return;
  self->send(st.peers.at(*oldest), drop_atom::value);
  st.last_active.erase(*oldest); // asked once; busy ones are asked again later
}

/// The peer actor of `name`, spawned (and listed in the directory) if there
/// is none; `first`, if any, is sent to it. A stream reads no further until
/// its first message is answered (adapters/private_chat_stream), so the
/// sender's next messages find the actor listed and cannot overtake it.
private_chat_peer_actor peer_for(self_ptr self, const std::string& name,
                                 caf::message first = {}) {
  auto& st = self->state;
  st.last_active[name] = ++st.clock;
  if (auto i = st.peers.find(name); i != st.peers.end()) {
    if (!first.empty())
      caf::anon_send(caf::actor_cast<caf::actor>(i->second), std::move(first));
    return i->second;
  }
  make_room(self);
  auto floor = st.floors.find(name);
  peer_setup setup{.self_name = st.user,
                   .peer = name,
                   .history_size = st.settings.history_size,
                   .history_bytes = st.settings.history_bytes,
                   .send_timeout = st.settings.send_timeout,
                   .max_message_bytes = st.settings.max_message_bytes,
                   .session_key = st.keys.session,
                   .pins = st.pins,
                   .transport = st.transport,
                   .require_tls = !st.settings.plaintext,
                   .registry = st.registry,
                   .listener = st.listener,
                   .parent = caf::actor_cast<caf::actor>(self),
                   .directory = st.directory,
                   .floor = floor != st.floors.end() ? floor->second : replay_floor{}};
  auto hdl = self->spawn<caf::linked>(private_chat_peer_impl, std::move(setup));
  self->monitor(hdl);
  st.peers.emplace(name, hdl);
  st.directory->add(name, hdl);
  if (!first.empty())
    caf::anon_send(caf::actor_cast<caf::actor>(hdl), std::move(first));
  return hdl;
}

/// A wildcard bind address is not reachable: let the registry fill in the
/// address that faces Redis.
std::string published_host(const std::string& host) {
  return host == "0.0.0.0" || host == "::" || host == "[::]" ? std::string{} : host;
}

/// One line for the user (chat "system").
void tell(self_ptr self, uint8_t kind, std::string text) {
  if (!self->state.listener)
    return;
  chat_event ev;
  ev.kind = kind;
  ev.chat = "system";
  ev.text = std::move(text);
  ev.ts_ms = now_ms();
  caf::anon_send(self->state.listener, event_atom::value, std::move(ev));
}

/// Serves on the ports of the last start (the configured ones at first).
bool start_server(self_ptr self) {
  auto& st = self->state;
  st.server = private_chat_server::start(
      st.settings.host, st.tls_port, st.keys.tls, st.settings.plaintext,
      st.plaintext_port, make_handler(self), st.settings.max_connections_per_host,
      st.failure, st.settings.serve_stream,
      make_file_service(file_hooks(st.files_slot, st.offered)));
  if (!st.server)
    return false;
  st.tls_port = st.server->port();
  st.plaintext_port = st.server->plaintext_port();
  return true;
}

/// Says what the listener turned away since the last time, in one line.
void report_refusals(self_ptr self) {
  auto& st = self->state;
  auto now = st.server->counts();
  auto over = now.over_host_cap - st.reported.over_host_cap;
  auto evicted = now.evicted - st.reported.evicted;
  auto shed = now.shed - st.reported.shed;
  st.reported = now;
  if (over == 0 && evicted == 0 && shed == 0)
    return;
  std::vector<std::string> parts;
  if (over > 0)
    parts.push_back("refused " + std::to_string(over) + " connections from hosts over " +
                    std::to_string(st.settings.max_connections_per_host) +
                    " (chat.max-connections-per-host)");
  if (evicted > 0)
    parts.push_back("closed " + std::to_string(evicted) +
                    " connections of the busiest hosts to make room for others");
  if (shed > 0)
    parts.push_back("refused " + std::to_string(shed) +
                    " past half the descriptor limit");
  std::string text = "private chats:";
  for (auto& part : parts)
    text += (&part == &parts.front() ? " " : "; ") + part;
  tell(self, chat_event::error, std::move(text));
}

/// The file manager of the registered session, reachable by the file
/// service from now on.
void start_files(self_ptr self) {
  auto& st = self->state;
  file_context ctx;
  ctx.user = st.user;
  ctx.identity = st.keys.identity;
  ctx.tls = st.keys.tls;
  ctx.pins = st.pins;
  ctx.registry = st.registry;
  ctx.offered = st.offered;
  ctx.call_timeout = st.settings.send_timeout;
  auto dir = st.settings.download_dir.empty() ? default_download_dir()
                                              : st.settings.download_dir;
  st.files = self->spawn<caf::linked>(file_manager_impl, std::move(ctx), st.listener,
                                      std::move(dir));
  st.files_slot->set(st.files);
}

caf::error check_peer(self_ptr self, const std::string& peer) {
  if (self->state.user.empty())
    return make_error(errc::not_registered, "not registered yet");
  if (auto problem = name_problem(peer); !problem.empty())
    return make_error(errc::invalid_name, "invalid name '" + peer + "': " + problem);
  return {};
}

} // namespace

private_chat_settings private_chat_settings::from(const caf::actor_system_config& cfg) {
  namespace d = defaults;
  private_chat_settings s;
  s.host = caf::get_or(cfg, "chat.grpc-host", std::string{d::grpc_host});
  s.port = caf::get_or(cfg, "chat.grpc-port", d::grpc_port);
  s.history_size =
      static_cast<size_t>(caf::get_or(cfg, "chat.history-size", d::history_size));
  s.send_timeout = caf::get_or(cfg, "chat.send-timeout", caf::timespan{d::send_timeout});
  s.max_message_bytes = static_cast<size_t>(
      caf::get_or(cfg, "chat.max-message-bytes", d::max_message_bytes));
  s.history_bytes =
      static_cast<size_t>(caf::get_or(cfg, "chat.history-bytes", d::history_bytes));
  s.max_conversations = static_cast<size_t>(
      caf::get_or(cfg, "chat.max-conversations", d::max_conversations));
  s.max_connections_per_host = static_cast<size_t>(
      caf::get_or(cfg, "chat.max-connections-per-host", d::max_connections_per_host));
  s.listener_check_interval = caf::get_or(cfg, "chat.listener-check-interval",
                                          caf::timespan{d::listener_check_interval});
  s.plaintext =
      caf::get_or(cfg, "chat.allow-original-clients", d::allow_original_clients);
  s.download_dir = caf::get_or(cfg, "chat.download-dir", std::string{d::download_dir});
  return s;
}

private_chat_actor::behavior_type
private_chat_impl(private_chat_pointer self, private_chat_settings settings,
                  registry_actor registry, caf::actor listener,
                  std::shared_ptr<peer_transport> transport) {
  auto& st = self->state;
  st.settings = std::move(settings);
  st.registry = std::move(registry);
  st.listener = std::move(listener);
  st.keys.session = x25519_key::generate();
  st.keys.tls = tls_identity::generate("chat-actors");
  st.transport = transport ? std::move(transport) : grpc_transport(st.keys.tls);
  // The configured port is the one peers are told to use: the TLS one, or
  // the plaintext one for original clients in open mode.
  (st.settings.plaintext ? st.plaintext_port : st.tls_port) = st.settings.port;
  if (start_server(self))
    self->delayed_send(self, st.settings.listener_check_interval, probe_atom::value);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    for (auto i = st.peers.begin(); i != st.peers.end(); ++i)
      if (i->second.address() == dm.source) {
        st.directory->remove(i->first, dm.source);
        st.last_active.erase(i->first);
        st.peers.erase(i);
        return;
      }
  });
  return {
      [=](register_atom, std::string& name) -> caf::result<endpoint> {
        auto& st = self->state;
        if (!st.server)
          return make_error(errc::service_failed, st.failure);
        if (auto problem = name_problem(name); !problem.empty())
          return make_error(errc::invalid_name,
                            "invalid name '" + name + "': " + problem);
        std::string failure;
        st.keys.identity = load_identity(st.settings.identity_dir, name, failure);
        if (!st.keys.identity)
          return make_error(errc::service_failed, failure);
        auto rp = self->make_response_promise<endpoint>();
        endpoint ep{published_host(st.settings.host),
                    st.settings.plaintext ? st.plaintext_port : st.tls_port};
        ep.tls_port = st.tls_port;
        ep = st.keys.publish(name, std::move(ep));
        self->request(st.registry, caf::infinite, register_atom::value, name, ep)
            .then(
                [=](endpoint& ep) mutable {
                  auto& st = self->state;
                  st.user = name;
                  st.pins = std::make_shared<known_peers>(st.settings.identity_dir, name);
                  st.directory->set_self({name, st.keys.session->public_hex()});
                  start_files(self);
                  rp.deliver(std::move(ep));
                },
                [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [=](send_atom, std::string& peer, std::string& text) -> caf::result<ok_atom> {
        auto& st = self->state;
        if (auto err = check_peer(self, peer))
          return err;
        if (peer == st.user)
          return make_error(errc::invalid_message, "you cannot send yourself a message");
        if (text.empty())
          return make_error(errc::invalid_message, "empty message");
        if (auto problem =
                private_chat::text_problem(text, st.settings.max_message_bytes);
            !problem.empty())
          return make_error(errc::invalid_message, problem);
        return self->delegate(peer_for(self, peer), send_atom::value, std::move(text));
      },
      [=](chats_atom) -> caf::result<std::vector<chat_summary>> {
        auto& peers = self->state.peers;
        if (peers.empty())
          return std::vector<chat_summary>{};
        auto rp = self->make_response_promise<std::vector<chat_summary>>();
        auto acc = std::make_shared<std::vector<chat_summary>>();
        auto pending = std::make_shared<size_t>(peers.size());
        auto done = [=]() mutable {
          if (--*pending > 0)
            return;
          std::sort(acc->begin(), acc->end(),
                    [](auto& x, auto& y) { return x.chat < y.chat; });
          rp.deliver(std::move(*acc));
        };
        for (auto& [name, peer] : peers)
          self->request(peer, self->state.settings.send_timeout, status_atom::value)
              .then(
                  [=](chat_summary& s) mutable { acc->push_back(std::move(s)), done(); },
                  [=](caf::error&) mutable { done(); });
        return rp;
      },
      [=](history_atom, const std::string& peer) -> caf::result<std::vector<chat_event>> {
        auto& peers = self->state.peers;
        auto i = peers.find(peer);
        if (i == peers.end())
          return std::vector<chat_event>{};
        return self->delegate(i->second, history_atom::value);
      },
      [=](open_atom, const std::string& peer) {
        if (check_peer(self, peer))
          return;
        self->state.in_view = peer;
        self->send(peer_for(self, peer), open_atom::value);
      },
      [=](close_atom, const std::string& peer) {
        auto& st = self->state;
        if (st.in_view == peer)
          st.in_view.clear();
        if (auto i = st.peers.find(peer); i != st.peers.end())
          self->send(i->second, close_atom::value);
      },
      [=](status_atom) -> caf::result<uint16_t> {
        auto& st = self->state;
        if (!st.server)
          return make_error(errc::service_failed, st.failure);
        return st.server->port();
      },
      [=](incoming_atom, wire_message& msg, delivery_reply& reply) {
        auto& st = self->state;
        if (auto err =
                check_incoming(msg, st.directory->self(), st.settings.max_message_bytes))
          return reply(refusal(err));
        auto sender = msg.sender;
        peer_for(
            self, sender,
            caf::make_message(incoming_atom::value, std::move(msg), std::move(reply)));
      },
      [=](trust_atom, const std::string& peer) -> caf::result<std::string> {
        if (auto err = check_peer(self, peer))
          return err;
        auto rp = self->make_response_promise<std::string>();
        self->request(self->state.registry, self->state.settings.send_timeout,
                      lookup_atom::value, peer)
            .then(
                [=](const endpoint& ep) mutable {
                  auto& st = self->state;
                  if (!ep.public_key.empty() && !vouched(peer, ep)) {
                    rp.deliver(make_error(errc::not_authentic,
                                          peer + "'s registry entry is not signed by "
                                                 "its identity key: nothing to trust"));
                    return;
                  }
                  st.pins->trust(peer, ep.public_key);
                  if (auto i = st.peers.find(peer); i != st.peers.end())
                    self->send(i->second, trust_atom::value);
                  rp.deliver(ep.public_key.empty()
                                 ? peer + " has no key (an original client): pin removed"
                                 : "trusting " + peer + "'s key " +
                                       key_fingerprint(ep.public_key));
                },
                [=](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [=](probe_atom) {
        auto& st = self->state;
        report_refusals(self);
        caf::weak_actor_ptr weak{self->ctrl()};
        st.server->probe(probe_timeout, [weak](bool alive) {
          if (auto strong = weak.lock())
            caf::anon_send(caf::actor_cast<private_chat_actor>(strong), probe_atom::value,
                           alive);
        });
      },
      [=](probe_atom, bool alive) {
        auto& st = self->state;
        st.probe_failures = alive ? 0 : st.probe_failures + 1;
        if (st.probe_failures >= 2) {
          // The same ports, so that the registered endpoint stays right;
          // conversations and the keys live on in this actor.
          auto port = st.settings.plaintext ? st.plaintext_port : st.tls_port;
          st.server.reset();
          st.probe_failures = 0;
          st.reported = {};
          if (!start_server(self)) {
            self->quit(make_error(errc::service_failed, st.failure));
            return;
          }
          tell(self, chat_event::error,
               "private chats: port " + std::to_string(port) +
                   " stopped answering; listening again");
        }
        self->delayed_send(self, st.settings.listener_check_interval, probe_atom::value);
      },
      [=](file_atom, file_request& req) -> caf::result<std::string> {
        auto& st = self->state;
        if (!st.files)
          return make_error(errc::not_registered, "not registered yet");
        return self->delegate(st.files, file_atom::value, std::move(req));
      },
      [=](drop_atom, const std::string& peer, std::string& key, uint64_t seq) {
        auto& st = self->state;
        auto i = st.peers.find(peer);
        if (i != st.peers.end() &&
            caf::actor_cast<caf::strong_actor_ptr>(i->second) == self->current_sender()) {
          st.directory->remove(peer, i->second.address());
          st.peers.erase(i);
          st.last_active.erase(peer);
        }
        if (key.empty())
          return;
        if (st.floors.count(peer) == 0)
          st.floor_order.push_back(peer);
        st.floors[peer] = replay_floor{std::move(key), seq};
        while (st.floor_order.size() > 4 * st.settings.max_conversations) {
          st.floors.erase(st.floor_order.front());
          st.floor_order.pop_front();
        }
      },
  };
}

caf::expected<private_chats> spawn_private_chats(caf::actor_system& sys,
                                                 private_chat_settings settings,
                                                 registry_actor registry,
                                                 caf::actor listener) {
  auto manager = sys.spawn(private_chat_impl, std::move(settings), std::move(registry),
                           std::move(listener), std::shared_ptr<peer_transport>{});
  caf::expected<private_chats> result{caf::error{}};
  caf::scoped_actor self{sys};
  self->request(manager, std::chrono::seconds{10}, status_atom::value)
      .receive(
          [&](uint16_t port) {
            result = private_chats{manager, port};
          },
          [&](caf::error& err) { result = std::move(err); });
  if (!result)
    caf::anon_send_exit(manager, caf::exit_reason::user_shutdown);
  return result;
}

} // namespace chat
