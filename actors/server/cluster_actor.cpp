#include "actors/server/cluster_actor.hpp"
#include "adapters/common/registry_keys.hpp"

#include "adapters/server/cluster_join.hpp"
#include "config/defaults.hpp"
#include "config/errors.hpp"

#include <caf/send.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>

namespace chat {

namespace {

redis_settings local(uint16_t port, const std::string& password) {
  redis_settings s;
  s.port = port;
  s.password = password;
  s.timeout = std::chrono::milliseconds{500};
  return s;
}

/// HSET our entry, read everyone's; the members seen so far.
void refresh_members(cluster_pointer self) {
  auto& st = self->state;
  auto master = find_redis_master(st.node);
  if (!master)
    return;
  if (!st.master || st.master_address != *master) {
    auto s = local(st.node.redis_port, st.node.redis_admin_password);
    s.host = *master;
    st.master = std::make_unique<redis_client>(s);
    st.master_address = *master;
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  st.master->command({"HSET", members_key, st.node.address, std::to_string(now)});
  auto all = st.master->command({"HKEYS", members_key});
  if (!all || all->type != redis_reply::kind::array)
    return;
  auto before = st.node.members.size();
  for (auto& m : all->elements)
    if (std::find(st.node.members.begin(), st.node.members.end(), m.str) ==
        st.node.members.end())
      st.node.members.push_back(m.str);
  if (st.node.members.size() != before) {
    write_known_members(st.state_dir, st.node.members);
    std::cout << "cluster: " << st.node.members.size() << " members known" << std::endl;
  }
}

/// Sentinel quorum = majority of members; a master with at least two other
/// members refuses writes nobody replicates (a cut-off master).
void apply_settings(cluster_pointer self) {
  auto& st = self->state;
  auto quorum = st.node.quorum();
  if (quorum != st.applied_quorum) {
    redis_client sentinel{local(st.node.sentinel_port, st.node.password)};
    auto r = sentinel.command(
        {"SENTINEL", "SET", sentinel_master_name, "quorum", std::to_string(quorum)});
    if (r && r->type != redis_reply::kind::error)
      st.applied_quorum = quorum;
  }
  auto min_replicas = st.node.members.size() >= 3 ? 1 : 0;
  if (min_replicas != st.applied_min_replicas) {
    redis_client redis{local(st.node.redis_port, st.node.redis_admin_password)};
    auto r = redis.command(
        {"CONFIG", "SET", "min-replicas-to-write", std::to_string(min_replicas)});
    redis.command({"CONFIG", "SET", "min-replicas-max-lag", "10"});
    if (r && r->type != redis_reply::kind::error)
      st.applied_min_replicas = min_replicas;
  }
}

} // namespace

cluster_actor::behavior_type cluster_impl(cluster_pointer self, cluster_node node,
                                          std::string state_dir, std::string rabbit_dir,
                                          caf::actor parent) {
  auto& st = self->state;
  st.parent = std::move(parent);
  st.node = std::move(node);
  st.state_dir = std::move(state_dir);
  st.rabbit_dir = std::move(rabbit_dir);
  self->send(self, refresh_atom::value);
  return {
      [=](ready_atom) {
        auto& st = self->state;
        if (st.rabbit_joined)
          return;
        if (st.node.rabbit_peer.empty()) {
          st.rabbit_joined = true;
          caf::anon_send(st.parent, ready_atom::value, std::string{"cluster"},
                         std::string{"first node"});
          return;
        }
        auto done = join_rabbit_cluster(st.node, st.rabbit_dir, st.node.rabbit_peer);
        if (!done) {
          // Fails the actor: the supervisor restarts it, and it tries again.
          self->quit(done.error());
          return;
        }
        st.rabbit_joined = true;
        caf::anon_send(st.parent, ready_atom::value, std::string{"cluster"}, *done);
      },
      [=](refresh_atom) {
        refresh_members(self);
        apply_settings(self);
        self->delayed_send(self, defaults::cluster_refresh, refresh_atom::value);
      },
  };
}

join_handler join_responder(std::string state_dir, cluster_node node) {
  return [state_dir, node](const udp_datagram& dgram) -> std::optional<std::string> {
    auto req = cluster::parse_request(node.secret, dgram.payload);
    if (!req)
      return std::nullopt;
    if (!req->authentic) {
      spdlog::warn("refused a cluster join from {}: wrong cluster secret",
                   dgram.sender_ip);
      return cluster::make_refusal(req->nonce);
    }
    auto members = read_known_members(state_dir);
    for (auto* m : std::initializer_list<const std::string*>{&node.address, &req->node})
      if (std::find(members.begin(), members.end(), *m) == members.end())
        members.push_back(*m);
    // Without an answering Sentinel we are a lone node: our Redis is the
    // master.
    auto master = find_redis_master(node).value_or(node.address);
    auto b = cluster::local_bundle(state_dir, node.address, members, master);
    if (!b)
      return std::nullopt;
    spdlog::info("cluster: {} joins (at {})", req->node, dgram.sender_ip);
    return cluster::make_bundle_reply(node.secret, req->nonce, *b);
  };
}

} // namespace chat
