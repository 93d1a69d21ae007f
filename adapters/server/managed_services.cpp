#include "adapters/server/managed_services.hpp"

#include "adapters/common/tls.hpp"
#include "adapters/common/tls_tunnel.hpp"
#include "adapters/server/broker_permissions.hpp"
#include "adapters/server/cluster_join.hpp"
#include "config/errors.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chat {

namespace fs = std::filesystem;

uint16_t free_tcp_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

namespace {

caf::expected<std::string> make_dir(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec)
    return make_error(errc::service_failed,
                      "cannot create " + path + ": " + ec.message());
  return path;
}

/// Whether a Redis (or Sentinel) on loopback answers PING.
std::function<bool()> answers_ping(uint16_t port, std::string password) {
  return [port, password] {
    redis_settings probe;
    probe.port = port;
    probe.password = password;
    probe.timeout = std::chrono::milliseconds{300};
    redis_client client{probe};
    auto reply = client.command({"PING"});
    return reply && reply->str == "PONG";
  };
}

/// A cluster node's Redis: a config file it can rewrite (Sentinel persists
/// a conversion to replica there), AOF (a restarted master must not come
/// back empty and wipe its replicas), replica of the current master unless
/// that is us.
caf::expected<child_spec> cluster_redis(const redis_settings& settings,
                                        const std::string& dir,
                                        const cluster_node& node) {
  auto master = find_redis_master(node).value_or(node.redis_master);
  auto port = std::to_string(settings.port);
  std::string text = "# written by chat-actors server on every start\n"
                     "port " +
                     port +
                     "\n"
                     "bind " +
                     node.address +
                     " 127.0.0.1\n"
                     "dir " +
                     dir +
                     "\n"
                     "daemonize no\n"
                     "logfile \"\"\n"
                     "save \"\"\n"
                     "appendonly yes\n"
                     "appendfsync everysec\n"
                     "requirepass " +
                     node.password +
                     "\n"
                     "masterauth " +
                     node.password +
                     "\n"
                     "replica-announce-ip " +
                     node.address + "\n";
  if (!master.empty() && master != node.address)
    text += "replicaof " + master + " " + port + "\n";
  auto conf = dir + "/redis.conf";
  if (auto err = write_private_file(conf, text))
    return err;
  child_spec child;
  child.argv = {"/usr/bin/redis-server", conf};
  child.log_file = dir + "/redis.log";
  return child;
}

/// The `sentinel myid` line of an earlier run's file: a restarted Sentinel
/// keeps its identity (the others would count a new one twice).
std::string kept_sentinel_id(const std::string& conf) {
  std::ifstream in{conf};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("sentinel myid ", 0) == 0)
      return line + "\n";
  return {};
}

} // namespace

std::string rabbit_dir(const std::string& state_dir, const amqp_settings& settings) {
  return state_dir + "/rabbitmq-" + std::to_string(settings.port);
}

service_spec sentinel_service(const std::string& state_dir, const cluster_node& node) {
  service_spec spec;
  spec.name = "sentinel";
  spec.port = node.sentinel_port;
  spec.managed = true;
  spec.ready_timeout = std::chrono::seconds{20};
  spec.answers = answers_ping(node.sentinel_port, node.password);
  spec.prepare = [state_dir, node]() -> caf::expected<child_spec> {
    auto dir = make_dir(state_dir + "/sentinel-" + std::to_string(node.sentinel_port));
    if (!dir)
      return dir.error();
    auto conf = *dir + "/sentinel.conf";
    auto master = find_redis_master(node).value_or(node.redis_master);
    if (master.empty())
      master = node.address;
    auto name = std::string{sentinel_master_name};
    std::string text = "# written by chat-actors server on every start\n"
                       "port " +
                       std::to_string(node.sentinel_port) +
                       "\n"
                       "bind " +
                       node.address +
                       " 127.0.0.1\n"
                       "dir " +
                       *dir +
                       "\n"
                       "daemonize no\n"
                       "logfile \"\"\n"
                       "requirepass " +
                       node.password +
                       "\n"
                       "sentinel announce-ip " +
                       node.address + "\n" + kept_sentinel_id(conf) +
                       "sentinel monitor " + name + " " + master + " " +
                       std::to_string(node.redis_port) + " " +
                       std::to_string(std::max(node.quorum(), 1)) +
                       "\n"
                       "sentinel auth-pass " +
                       name + " " + node.password +
                       "\n"
                       "sentinel down-after-milliseconds " +
                       name +
                       " 3000\n"
                       "sentinel failover-timeout " +
                       name +
                       " 10000\n"
                       "sentinel parallel-syncs " +
                       name + " 1\n";
    if (auto err = write_private_file(conf, text))
      return err;
    child_spec child;
    child.argv = {"/usr/bin/redis-server", conf, "--sentinel"};
    child.log_file = *dir + "/sentinel.log";
    return child;
  };
  return spec;
}

service_spec redis_service(const redis_settings& settings, const std::string& state_dir,
                           bool managed, const std::optional<service_security>& secure) {
  service_spec spec;
  spec.name = "redis";
  spec.port = settings.port;
  spec.managed = managed;
  spec.ready_timeout = std::chrono::seconds{20};
  spec.answers = answers_ping(settings.port, settings.password);
  spec.prepare = [settings, state_dir, secure]() -> caf::expected<child_spec> {
    auto dir = make_dir(state_dir + "/redis-" + std::to_string(settings.port));
    if (!dir)
      return dir.error();
    if (secure && secure->cluster)
      return cluster_redis(settings, *dir, *secure->cluster);
    child_spec child;
    child.argv = {"/usr/bin/redis-server", "--port", std::to_string(settings.port),
                  // Open mode: LAN clients reach it on every interface (IPv6
                  // if present). Secure mode: they come through stunnel.
                  "--bind", secure ? "127.0.0.1 -::1" : "* -::*", "--dir", *dir, "--save",
                  "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""};
    if (secure) {
      // Protected mode stays on (the default) for anything else.
      child.argv.insert(child.argv.end(),
                        {"--requirepass", secure->secrets.redis_password});
    } else if (settings.password.empty()) {
      // Original clients use no password; without one Redis only admits
      // loopback unless protected mode is off.
      child.argv.insert(child.argv.end(), {"--protected-mode", "no"});
    } else {
      child.argv.insert(child.argv.end(), {"--requirepass", settings.password});
    }
    child.log_file = *dir + "/redis.log";
    return child;
  };
  return spec;
}

service_spec redis_tls_service(const redis_settings& settings,
                               const std::string& state_dir,
                               const service_security& secure) {
  service_spec spec;
  spec.name = "redis-tls";
  spec.port = secure.redis_tls_port;
  spec.managed = true;
  spec.ready_timeout = std::chrono::seconds{20};
  spec.answers = [port = secure.redis_tls_port, pin = secure.secrets.cert] {
    return static_cast<bool>(
        probe_pinned("127.0.0.1", port, pin, std::chrono::milliseconds{500}));
  };
  spec.prepare = [settings, state_dir, secure]() -> caf::expected<child_spec> {
    auto dir = make_dir(state_dir + "/redis-" + std::to_string(settings.port));
    if (!dir)
      return dir.error();
    auto conf = *dir + "/stunnel.conf";
    std::string text = "; written by chat-actors server on every start\n"
                       "foreground = yes\n"
                       "pid =\n"
                       "debug = warning\n"
                       "[redis]\n"
                       "accept = 0.0.0.0:" +
                       std::to_string(secure.redis_tls_port) +
                       "\n"
                       "connect = 127.0.0.1:" +
                       std::to_string(settings.port) +
                       "\n"
                       "cert = " +
                       secure.secrets.cert_file +
                       "\n"
                       "key = " +
                       secure.secrets.key_file + "\n";
    if (secure.cluster)
      text += "[sentinel]\naccept = 0.0.0.0:" +
              std::to_string(secure.cluster->sentinel_tls_port) +
              "\nconnect = 127.0.0.1:" + std::to_string(secure.cluster->sentinel_port) +
              "\ncert = " + secure.secrets.cert_file +
              "\nkey = " + secure.secrets.key_file + "\n";
    if (auto err = write_private_file(conf, text))
      return err;
    child_spec child;
    child.argv = {"/usr/bin/stunnel4", conf};
    child.log_file = *dir + "/stunnel.log";
    return child;
  };
  return spec;
}

service_spec rabbitmq_service(const amqp_settings& settings, const std::string& state_dir,
                              bool managed,
                              const std::optional<service_security>& secure) {
  service_spec spec;
  spec.name = "rabbitmq";
  spec.port = settings.port;
  spec.managed = managed;
  spec.ready_timeout = std::chrono::seconds{90};
  spec.probe_interval = std::chrono::milliseconds{500};
  spec.answers = [settings] {
    auto probe = settings;
    probe.host = "127.0.0.1";
    probe.timeout = std::chrono::milliseconds{500};
    caf::error err;
    return amqp_connection::open(probe, err) != nullptr;
  };
  spec.prepare = [settings, state_dir, secure]() -> caf::expected<child_spec> {
    auto dir = make_dir(rabbit_dir(state_dir, settings));
    if (!dir)
      return dir.error();
    auto conf = *dir + "/rabbitmq.conf";
    if (!secure) {
      std::ofstream out{conf};
      out << "listeners.tcp.default = " << settings.port << "\n"
          << "loopback_users = none\n"
          << "default_user = " << settings.user << "\n"
          << "default_pass = " << settings.password << "\n"
          << "default_vhost = " << settings.vhost << "\n";
    } else {
      auto& s = secure->secrets;
      auto defs = *dir + "/definitions.json";
      // Per-user accounts come later, one per name (actors/broker_account_actor).
      auto json = definitions_json(
          {{s.amqp_admin_user, s.amqp_admin_password, "administrator", std::nullopt},
           {s.amqp_member_user, s.amqp_member_password, "", permissions_for_member()}},
          settings.vhost, true);
      if (auto err = write_private_file(defs, json))
        return err;
      std::string text =
          // Plaintext for the server node itself, on loopback only.
          "listeners.tcp.1 = 127.0.0.1:" + std::to_string(settings.port) +
          "\n"
          "listeners.ssl.default = " +
          std::to_string(secure->amqp_tls_port) +
          "\n"
          "ssl_options.certfile = " +
          s.cert_file +
          "\n"
          "ssl_options.keyfile = " +
          s.key_file +
          "\n"
          "ssl_options.verify = verify_none\n"
          "ssl_options.fail_if_no_peer_cert = false\n"
          // No guest: the first start creates the administrator instead.
          "default_user = " +
          s.amqp_admin_user + "\ndefault_pass = " + s.amqp_admin_password +
          "\n"
          "default_vhost = " +
          settings.vhost + "\nloopback_users." + s.amqp_admin_user +
          " = true\n"
          "load_definitions = " +
          defs + "\n";
      if (secure->cluster)
        // CLUSTER-NOTES: a minority pauses (no split brain) and recovers by
        // itself; a lost peer is noticed in ~10 s, not 60.
        text += "cluster_partition_handling = pause_minority\nnet_ticktime = 10\n";
      if (auto err = write_private_file(conf, text))
        return err;
    }
    std::ofstream{*dir + "/enabled_plugins"} << "[].\n";
    auto cluster = secure ? secure->cluster : std::nullopt;
    // A cluster's nodes find each other through epmd's well-known port and
    // long names; a single node keeps everything private to it.
    auto epmd_port = cluster ? std::string{"4369"} : std::to_string(free_tcp_port());
    auto dist_port =
        cluster ? std::to_string(cluster->dist_port) : std::to_string(free_tcp_port());
    if (cluster)
      if (auto err = write_private_file(*dir + "/.erlang.cookie",
                                        cluster::erlang_cookie(cluster->secret)))
        return err;
    child_spec child;
    // Our own epmd in the child's process group, so that it goes with it
    // (erl would otherwise daemonize one that outlives everything).
    child.argv = {"/bin/sh", "-c",
                  "/usr/bin/epmd -port \"$ERL_EPMD_PORT\" & "
                  "exec /usr/lib/rabbitmq/bin/rabbitmq-server"};
    auto node = cluster ? rabbit_node_name(cluster->address)
                        : "chat" + std::to_string(settings.port) + "@localhost";
    auto longnames = std::string{"RABBITMQ_USE_LONGNAME="} + (cluster ? "true" : "false");
    child.env = {"HOME=" + *dir,
                 "ERL_EPMD_PORT=" + epmd_port,
                 "RABBITMQ_NODENAME=" + node,
                 longnames,
                 "RABBITMQ_NODE_PORT=" + std::to_string(settings.port),
                 "RABBITMQ_DIST_PORT=" + dist_port,
                 "RABBITMQ_MNESIA_BASE=" + *dir + "/mnesia",
                 "RABBITMQ_LOG_BASE=" + *dir + "/log",
                 "RABBITMQ_CONFIG_FILE=" + conf,
                 "RABBITMQ_ENABLED_PLUGINS_FILE=" + *dir + "/enabled_plugins",
                 "RABBITMQ_FEATURE_FLAGS_FILE=" + *dir + "/feature_flags"};
    // Operators (and tests) inspect the private node with this wrapper.
    for (auto tool : {"rabbitmqctl", "rabbitmq-queues"}) {
      auto ctl = *dir + "/" + tool;
      std::ofstream out{ctl};
      out << "#!/bin/sh\n# " << tool << " for the node chat-actors manages here\n"
          << "export HOME='" << *dir << "' ERL_EPMD_PORT=" << epmd_port
          << " RABBITMQ_NODENAME=" << node << " " << longnames << "\n"
          << "exec /usr/lib/rabbitmq/bin/" << tool << " \"$@\"\n";
      out.close();
      fs::permissions(ctl, fs::perms::owner_all, fs::perm_options::add);
    }
    child.log_file = *dir + "/rabbitmq.out";
    child.working_dir = *dir;
    return child;
  };
  return spec;
}

} // namespace chat
