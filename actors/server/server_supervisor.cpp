#include "actors/server/server_supervisor.hpp"

#include "actors/common/locator_protocol.hpp"
#include "actors/common/supervision.hpp"
#include "actors/server/cluster_actor.hpp"
#include "actors/server/lan_locator_actor.hpp"
#include "actors/server/service_actor.hpp"
#include "actors/server/topology_actor.hpp"
#include "adapters/server/cluster_join.hpp"
#include "adapters/server/managed_services.hpp"
#include "config/defaults.hpp"
#include "config/errors.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <spdlog/spdlog.h>

#include <iostream>
#include <map>
#include <set>

namespace chat {

namespace {

struct server_supervisor_state {
  server_settings settings;
  /// "redis", "rabbitmq", "topology", "locator".
  child_table children;
  /// Services that currently answer.
  std::set<std::string> ready;
  /// Whether the "ready" line was printed.
  bool announced = false;
  static inline const char* name = "server-supervisor";
};

using supervisor_pointer = caf::stateful_actor<server_supervisor_state>*;

void announce(supervisor_pointer self) {
  auto& st = self->state;
  auto services = st.settings.security ? 3u : 2u;
  if (st.settings.clustered())
    services += 2; // sentinel, cluster membership
  if (st.announced || st.ready.size() < services)
    return;
  st.announced = true;
  auto& s = st.settings;
  if (s.clustered())
    std::cout << "cluster node " << s.security->cluster->address << ": sentinel on port "
              << s.sentinel_port << ", TLS: sentinel on port " << s.sentinel_tls_port
              << std::endl;
  if (s.security)
    std::cout << "ready: redis on port " << s.redis.port << " (loopback), amqp on port "
              << s.amqp.port << " (loopback), TLS: amqp on port " << s.amqp_tls_port
              << ", redis on port " << s.redis_tls_port << ", LAN locator on udp port "
              << s.locator_port << " (all interfaces)" << std::endl;
  else
    std::cout << "ready: redis on port " << s.redis.port << ", amqp on port "
              << s.amqp.port << ", LAN locator on udp port " << s.locator_port
              << " (all interfaces)" << std::endl;
}

/// `spec` as the supervisor runs every managed service: checked while it
/// runs, restarted for as long as it fails.
service_spec supervised(service_spec spec, const server_settings& s) {
  spec.restarts = s.service_restarts;
  spec.liveness_interval = defaults::service_liveness_interval;
  spec.liveness_failures = static_cast<int>(defaults::service_liveness_failures);
  if (spec.name == "rabbitmq") {
    // An AMQP login is heavier than a PING, and a busy broker may take a
    // while: a minute of failed logins before a restart.
    spec.liveness_interval = defaults::service_liveness_interval * 5;
    spec.liveness_failures *= 2;
  }
  return spec;
}

caf::behavior server_supervisor_impl(supervisor_pointer self, server_settings settings) {
  auto& st = self->state;
  st.settings = std::move(settings);
  auto& s = st.settings;
  auto parent = caf::actor_cast<caf::actor>(self);
  auto& sys = self->system();
  // The services' actors never give up either (one that cannot start its
  // program fails and is started again).
  st.children.add(
      "redis",
      [&sys, s, parent] {
        return caf::actor_cast<caf::actor>(sys.spawn<caf::detached>(
            service_impl,
            supervised(
                redis_service(s.redis, s.state_dir, s.managed, s.security, s.limits), s),
            parent));
      },
      s.service_restarts);
  st.children.add(
      "rabbitmq",
      [&sys, s, parent] {
        return caf::actor_cast<caf::actor>(sys.spawn<caf::detached>(
            service_impl,
            supervised(
                rabbitmq_service(s.amqp, s.state_dir, s.managed, s.security, s.limits),
                s),
            parent));
      },
      s.service_restarts);
  if (s.security)
    st.children.add(
        "redis-tls",
        [&sys, s, parent] {
          return caf::actor_cast<caf::actor>(sys.spawn<caf::detached>(
              service_impl,
              supervised(redis_tls_service(s.redis, s.state_dir, *s.security), s),
              parent));
        },
        s.service_restarts);
  st.children.add("topology", [&sys, s] {
    auto broker = s.amqp;
    broker.host = "127.0.0.1";
    broker.quorum_queues = s.clustered();
    auto redis = s.redis;
    redis.host = "127.0.0.1";
    return caf::actor_cast<caf::actor>(
        sys.spawn<caf::detached>(topology_impl, broker, redis, s.security.has_value()));
  });
  st.children.add("locator", [&sys, s] {
    locator_services services;
    if (s.security) {
      auto loopback = s.amqp;
      loopback.host = "127.0.0.1";
      auto& secrets = s.security->secrets;
      services.accounts = sys.spawn<caf::detached>(
          broker_account_impl,
          broker_account_keys{secrets.amqp_member_password, secrets.amqp_account_secret},
          rabbit_account_store(loopback, rabbit_dir(s.state_dir, s.amqp), s.limits.user));
      services.reply_key = locator::reply_key(secrets.amqp_member_password);
    }
    if (!s.clustered())
      return caf::actor_cast<caf::actor>(
          sys.spawn(lan_locator_impl, locator_socket(s.locator_port), services));
    // Answering a join blocks briefly (Sentinel, files): its own thread.
    services.on_join = join_responder(s.state_dir, *s.security->cluster);
    return caf::actor_cast<caf::actor>(sys.spawn<caf::detached>(
        lan_locator_impl, locator_socket(s.locator_port), services));
  });
  if (s.clustered()) {
    auto& node = *s.security->cluster;
    st.children.add(
        "sentinel",
        [&sys, s, parent] {
          return caf::actor_cast<caf::actor>(sys.spawn<caf::detached>(
              service_impl,
              supervised(sentinel_service(s.state_dir, *s.security->cluster), s),
              parent));
        },
        s.service_restarts);
    st.children.add("cluster", [&sys, s, node, parent] {
      return caf::actor_cast<caf::actor>(sys.spawn<caf::detached>(
          cluster_impl, node, s.state_dir, rabbit_dir(s.state_dir, s.amqp), parent));
    });
  }
  // Children are linked: when we go, they go (and stop their programs).
  // A child's failure arrives through the down handler; any other exit
  // message (shutdown from main) ends us.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (!self->state.children.name_of(msg.source).empty())
      return;
    self->state.children.stop_all(self, msg.reason);
    self->quit(msg.reason);
  });
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    auto name = st.children.name_of(msg.source);
    if (name.empty())
      return;
    st.ready.erase(name);
    auto delay = st.children.failed(name);
    if (!delay) {
      spdlog::critical("{} keeps failing: {}", name, describe(msg.reason));
      self->quit(msg.reason);
      return;
    }
    spdlog::error("{} failed: {}; restarting", name, describe(msg.reason));
    self->delayed_send(self, *delay, start_atom::value, name);
  });
  for (auto name : {"redis", "rabbitmq", "topology", "locator"})
    st.children.start(self, name);
  if (s.security)
    st.children.start(self, "redis-tls");
  if (s.clustered()) {
    st.children.start(self, "sentinel");
    st.children.start(self, "cluster");
  }
  std::cout << "starting: redis on port " << s.redis.port << ", rabbitmq on port "
            << s.amqp.port << " (a private RabbitMQ node takes ~10 s)…" << std::endl;
  return {
      [=](start_atom, const std::string& name) {
        auto& st = self->state;
        st.children.start(self, name);
        if (name == "cluster" && st.ready.count("rabbitmq") != 0)
          caf::anon_send(st.children.handle("cluster"), ready_atom::value);
      },
      [=](ready_atom, const std::string& name, const std::string& how) {
        auto& st = self->state;
        std::cout << name << " ready (" << how << ")" << std::endl;
        st.ready.insert(name);
        if (name == "rabbitmq") {
          caf::anon_send(st.children.handle("topology"), ready_atom::value);
          if (st.settings.clustered())
            caf::anon_send(st.children.handle("cluster"), ready_atom::value);
        }
        announce(self);
      },
      [=](down_atom, const std::string& name, const std::string& why) {
        self->state.ready.erase(name);
        std::cout << name << " down: " << why << std::endl;
      },
  };
}

} // namespace

server_settings read_server_settings(const caf::actor_system_config& cfg) {
  namespace d = defaults;
  server_settings s;
  // The same db as the clients: the topology actor reads their
  // subscription records there.
  s.redis = read_redis_settings(cfg, "127.0.0.1");
  s.amqp = read_amqp_settings(cfg, "127.0.0.1");
  s.locator_port = caf::get_or(cfg, "chat.locator-port", d::locator_port);
  s.managed = caf::get_or(cfg, "chat.managed", d::managed);
  s.state_dir = caf::get_or(cfg, "chat.state-dir", std::string{d::state_dir});
  if (s.state_dir.empty())
    s.state_dir = default_state_dir();
  s.open = caf::get_or(cfg, "chat.allow-original-clients", d::allow_original_clients);
  s.amqp_tls_port = caf::get_or(cfg, "chat.amqp-tls-port", d::amqp_tls_port);
  s.redis_tls_port = caf::get_or(cfg, "chat.redis-tls-port", d::redis_tls_port);
  s.cluster_secret =
      caf::get_or(cfg, "chat.cluster-secret", std::string{d::cluster_secret});
  s.join = caf::get_or(cfg, "chat.join", std::string{d::join});
  s.node_address = caf::get_or(cfg, "chat.node-address", std::string{d::node_address});
  s.sentinel_port = caf::get_or(cfg, "chat.sentinel-port", d::sentinel_port);
  s.sentinel_tls_port = caf::get_or(cfg, "chat.sentinel-tls-port", d::sentinel_tls_port);
  s.limits.redis_max_memory =
      caf::get_or(cfg, "chat.redis-max-memory", d::redis_max_memory);
  s.limits.broker_max_message =
      caf::get_or(cfg, "chat.max-message-bytes", d::max_message_bytes) +
      d::broker_message_headroom;
  s.limits.queues.max_bytes =
      caf::get_or(cfg, "chat.member-queue-max-bytes", d::member_queue_max_bytes);
  // Never shorter than what waits for a member who is away (the broker
  // takes the lower of the policy's and a queue's own expiry).
  s.limits.queues.expires_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          caf::get_or(cfg, "chat.away-keep", caf::timespan{d::away_keep}))
          .count();
  s.service_restarts.max = caf::get_or(cfg, "chat.service-restart-max-delay",
                                       caf::timespan{d::service_restarts.max});
  s.service_restarts.min = std::min(s.service_restarts.min, s.service_restarts.max);
  return s;
}

caf::error secure_server_settings(server_settings& s) {
  auto secrets = load_or_create_secrets(s.state_dir);
  if (!secrets)
    return secrets.error();
  s.amqp.user = secrets->amqp_admin_user;
  s.amqp.password = secrets->amqp_admin_password;
  s.redis.password = secrets->redis_admin_password;
  s.security = service_security{*secrets, s.amqp_tls_port, s.redis_tls_port, {}};
  return {};
}

caf::error prepare_cluster_node(server_settings& s) {
  cluster_node node;
  node.secret = s.cluster_secret;
  node.sentinel_port = s.sentinel_port;
  node.sentinel_tls_port = s.sentinel_tls_port;
  node.redis_port = s.redis.port;
  node.address = s.node_address.empty() ? detect_node_address(s.join) : s.node_address;
  if (node.address.empty())
    return make_error(errc::service_failed, "cannot tell this node's LAN address; set "
                                            "chat.node-address");
  auto known = read_known_members(s.state_dir);
  // An explicit join must work; otherwise the members of the last run are
  // asked (a node that crashed rejoins as a replica, not as a second
  // master), and if none answers the node starts alone.
  std::vector<std::string> candidates;
  if (!s.join.empty())
    candidates.push_back(s.join);
  else
    for (auto& m : known)
      if (m != node.address)
        candidates.push_back(m);
  std::optional<cluster::bundle> got;
  for (auto& peer : candidates) {
    auto timeout = s.join.empty() ? caf::timespan{std::chrono::seconds{2}}
                                  : caf::timespan{defaults::join_timeout};
    auto b = cluster::fetch_bundle(peer, s.locator_port, s.cluster_secret, node.address,
                                   timeout);
    if (b) {
      got = std::move(*b);
      break;
    }
    if (!s.join.empty() || is(b.error(), errc::not_authentic))
      return b.error();
  }
  node.members = known;
  auto add = [&node](const std::string& m) {
    if (!m.empty() &&
        std::find(node.members.begin(), node.members.end(), m) == node.members.end())
      node.members.push_back(m);
  };
  add(node.address);
  if (got) {
    if (auto err = cluster::install_secrets(s.state_dir, *got))
      return err;
    for (auto& m : got->members)
      add(m);
    add(got->node);
    node.redis_master = got->redis_master == node.address ? "" : got->redis_master;
    node.rabbit_peer = got->node;
    std::cout << "cluster: joining " << got->node << " (" << node.members.size()
              << " members known, Redis master "
              << (node.redis_master.empty() ? node.address : node.redis_master) << ")"
              << std::endl;
  } else {
    std::cout << "cluster: starting as the first node (" << node.address << ")"
              << std::endl;
  }
  write_known_members(s.state_dir, node.members);
  if (auto err = secure_server_settings(s))
    return err;
  node.password = s.security->secrets.redis_password;
  node.redis_admin_password = s.security->secrets.redis_admin_password;
  s.security->cluster = std::move(node);
  return {};
}

join_code server_join_code(const server_settings& s) {
  auto code = make_join_code(s.security->secrets, s.amqp_tls_port, s.redis_tls_port,
                             s.amqp.vhost);
  code.locator_port = s.locator_port;
  if (s.clustered()) {
    code.cluster = true;
    code.sentinel_tls_port = s.sentinel_tls_port;
  }
  return code;
}

caf::actor spawn_server_supervisor(caf::actor_system& sys, server_settings settings) {
  return sys.spawn(server_supervisor_impl, std::move(settings));
}

} // namespace chat
