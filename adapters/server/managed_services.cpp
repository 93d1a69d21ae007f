#include "adapters/server/managed_services.hpp"

#include "adapters/common/registry_functions.hpp"
#include "adapters/common/tls.hpp"
#include "adapters/common/tls_tunnel.hpp"
#include "adapters/server/broker_permissions.hpp"
#include "adapters/server/cluster_join.hpp"
#include "adapters/server/redis_config.hpp"
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

/// A service's directory, private to the server node's user (0700, also
/// when an earlier run left it open).
caf::expected<std::string> make_dir(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (!ec)
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace, ec);
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

/// Whether the registry's Redis answers as it should: the server node's
/// password works, it is not paused, a single node is a master, and a
/// master has this build's registry functions (loaded when missing).
std::function<bool()> answers_as_registry(redis_settings settings, bool single_node) {
  return [settings, single_node] {
    auto probe = settings;
    probe.host = "127.0.0.1";
    probe.timeout = std::chrono::milliseconds{500};
    redis_client client{probe};
    auto role = client.command({"ROLE"});
    if (!role || role->type != redis_reply::kind::array || role->elements.empty())
      return false;
    bool master = role->elements.front().str == "master";
    if (!master)
      return !single_node; // a cluster's replica gets the functions replicated
    return registry_functions::loaded(client) || !registry_functions::load(client);
  };
}

/// A cluster node's Redis: a config file it can rewrite (Sentinel persists
/// a conversion to replica there), AOF (a restarted master must not come
/// back empty and wipe its replicas), replica of the current master unless
/// that is us.
caf::expected<child_spec> cluster_redis(const redis_settings& settings,
                                        const std::string& dir, const cluster_node& node,
                                        int64_t max_memory) {
  auto master = find_redis_master(node).value_or(node.redis_master);
  auto port = std::to_string(settings.port);
  redis_config c;
  c.port = settings.port;
  c.bind = node.address + " 127.0.0.1";
  c.dir = dir;
  c.max_memory = max_memory;
  c.admin_password = node.redis_admin_password;
  c.member_password = node.password;
  c.extra = "appendonly yes\n"
            "appendfsync everysec\n"
            "masterauth " +
            node.redis_admin_password + "\nreplica-announce-ip " + node.address + "\n";
  if (!master.empty() && master != node.address)
    c.extra += "replicaof " + master + " " + port + "\n";
  auto conf = dir + "/redis.conf";
  if (auto err = write_private_file(conf, redis_conf_text(c)))
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

/// stunnel section lines: TLS 1.2+ with AEAD suites and forward secrecy.
const std::string stunnel_tls = "sslVersionMin = TLSv1.2\n"
                                "ciphers = ECDHE+AESGCM:ECDHE+CHACHA20\n";

/// Erlang distribution of a single node: loopback only.
const std::string loopback_distribution = "-kernel inet_dist_use_interface {127,0,0,1}";

/// rabbitmq.conf lines: TLS 1.2 and 1.3 only, AEAD suites with forward
/// secrecy only (the certificate is ECDSA P-256), as on the name server's
/// TLS front.
std::string tls_1_2_aead_only() {
  std::string text = "ssl_options.versions.1 = tlsv1.3\n"
                     "ssl_options.versions.2 = tlsv1.2\n"
                     "ssl_options.honor_cipher_order = true\n";
  int n = 0;
  for (auto suite : {"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
                     "TLS_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                     "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"})
    text += "ssl_options.ciphers." + std::to_string(++n) + " = " + suite + "\n";
  return text;
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
                       name + " " + node.redis_admin_password +
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
                           bool managed, const std::optional<service_security>& secure,
                           const service_limits& limits) {
  service_spec spec;
  spec.name = "redis";
  spec.port = settings.port;
  spec.managed = managed;
  spec.ready_timeout = std::chrono::seconds{20};
  spec.answers = answers_as_registry(settings, !(secure && secure->cluster));
  spec.prepare = [settings, state_dir, secure,
                  max_memory = limits.redis_max_memory]() -> caf::expected<child_spec> {
    auto dir = make_dir(state_dir + "/redis-" + std::to_string(settings.port));
    if (!dir)
      return dir.error();
    if (secure && secure->cluster)
      return cluster_redis(settings, *dir, *secure->cluster, max_memory);
    // A single node keeps nothing: the clients register again within a
    // lease, and whatever a file held (a member's planted entries) is gone.
    wipe_redis_data(*dir);
    redis_config c;
    c.port = settings.port;
    // Open mode: LAN clients reach it on every interface (IPv6 if present).
    // Secure mode: they come through stunnel, protected mode stays on.
    c.bind = secure ? "127.0.0.1 -::1" : "* -::*";
    c.dir = *dir;
    c.max_memory = max_memory;
    if (secure) {
      c.admin_password = secure->secrets.redis_admin_password;
      c.member_password = secure->secrets.redis_password;
    } else {
      c.admin_password = settings.password;
    }
    auto conf = *dir + "/redis.conf";
    if (auto err = write_private_file(conf, redis_conf_text(c)))
      return err;
    child_spec child;
    child.argv = {"/usr/bin/redis-server", conf};
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
                       secure.secrets.key_file + "\n" + stunnel_tls;
    if (secure.cluster)
      text += "[sentinel]\naccept = 0.0.0.0:" +
              std::to_string(secure.cluster->sentinel_tls_port) +
              "\nconnect = 127.0.0.1:" + std::to_string(secure.cluster->sentinel_port) +
              "\ncert = " + secure.secrets.cert_file +
              "\nkey = " + secure.secrets.key_file + "\n" + stunnel_tls;
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
                              bool managed, const std::optional<service_security>& secure,
                              const service_limits& limits) {
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
  spec.prepare = [settings, state_dir, secure, limits]() -> caf::expected<child_spec> {
    auto dir = make_dir(rabbit_dir(state_dir, settings));
    if (!dir)
      return dir.error();
    auto conf = *dir + "/rabbitmq.conf";
    // Past our longest message and its headers: a member's 100 MiB message
    // never reaches (and swells) the receivers.
    auto max_message =
        "max_message_size = " + std::to_string(limits.broker_max_message) + "\n";
    if (!secure) {
      auto text = "listeners.tcp.default = " + std::to_string(settings.port) +
                  "\nloopback_users = none\ndefault_user = " + settings.user +
                  "\ndefault_pass = " + settings.password +
                  "\ndefault_vhost = " + settings.vhost + "\n" + max_message;
      if (auto err = write_private_file(conf, text))
        return err;
    } else {
      auto& s = secure->secrets;
      auto defs = *dir + "/definitions.json";
      // Per-user accounts come later, one per name (actors/broker_account_actor).
      auto json = definitions_json({{s.amqp_admin_user, s.amqp_admin_password,
                                     "administrator", std::nullopt, std::nullopt},
                                    {s.amqp_member_user, s.amqp_member_password, "",
                                     permissions_for_member(), limits.member}},
                                   settings.vhost, true, limits.queues);
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
          "ssl_options.fail_if_no_peer_cert = false\n" +
          tls_1_2_aead_only() +
          // No guest: the first start creates the administrator instead.
          "default_user = " + s.amqp_admin_user +
          "\ndefault_pass = " + s.amqp_admin_password +
          "\n"
          "default_vhost = " +
          settings.vhost + "\nloopback_users." + s.amqp_admin_user +
          " = true\n"
          "load_definitions = " +
          defs + "\n" + max_message;
      if (secure->cluster)
        // CLUSTER-NOTES: a minority pauses (no split brain) and recovers by
        // itself; a lost peer is noticed in ~10 s, not 60.
        text += "cluster_partition_handling = pause_minority\nnet_ticktime = 10\n";
      if (auto err = write_private_file(conf, text))
        return err;
    }
    if (auto err = write_private_file(*dir + "/enabled_plugins", "[].\n"))
      return err;
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
    // A single node: epmd and the distribution port on loopback only (its
    // CLI tools connect from this host).
    child.argv = {"/bin/sh", "-c",
                  cluster ? "/usr/bin/epmd -port \"$ERL_EPMD_PORT\" & "
                            "exec /usr/lib/rabbitmq/bin/rabbitmq-server"
                          : "/usr/bin/epmd -address 127.0.0.1 -port \"$ERL_EPMD_PORT\" & "
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
    if (!cluster) {
      child.env.push_back("ERL_EPMD_ADDRESS=127.0.0.1");
      child.env.push_back("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=" + loopback_distribution);
    }
    // Operators (and tests) inspect the private node with this wrapper.
    for (auto tool : {"rabbitmqctl", "rabbitmq-queues"}) {
      auto ctl = *dir + "/" + tool;
      std::ofstream out{ctl};
      out << "#!/bin/sh\n# " << tool << " for the node chat-actors manages here\n"
          << "export HOME='" << *dir << "' ERL_EPMD_PORT=" << epmd_port
          << " RABBITMQ_NODENAME=" << node << " " << longnames << "\n";
      if (!cluster)
        out << "export ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_CTL_ERL_ARGS='"
            << loopback_distribution << "'\n";
      out << "exec /usr/lib/rabbitmq/bin/" << tool << " \"$@\"\n";
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
