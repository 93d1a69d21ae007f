#include "adapters/managed_services.hpp"

#include "config/errors.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chat {

namespace fs = std::filesystem;

std::string default_state_dir() {
  if (auto xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg)
    return std::string{xdg} + "/chat-actors";
  if (auto home = std::getenv("HOME"); home && *home)
    return std::string{home} + "/.local/state/chat-actors";
  return "/tmp/chat-actors-" + std::to_string(getuid());
}

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

} // namespace

service_spec redis_service(const redis_settings& settings, const std::string& state_dir,
                           bool managed) {
  service_spec spec;
  spec.name = "redis";
  spec.port = settings.port;
  spec.managed = managed;
  spec.ready_timeout = std::chrono::seconds{20};
  spec.answers = [settings] {
    auto probe = settings;
    probe.host = "127.0.0.1";
    probe.db = 0;
    probe.timeout = std::chrono::milliseconds{300};
    redis_client client{probe};
    auto reply = client.command({"PING"});
    return reply && reply->str == "PONG";
  };
  spec.prepare = [settings, state_dir]() -> caf::expected<child_spec> {
    auto dir = make_dir(state_dir + "/redis-" + std::to_string(settings.port));
    if (!dir)
      return dir.error();
    child_spec child;
    child.argv = {"/usr/bin/redis-server", "--port", std::to_string(settings.port),
                  // LAN clients reach it on every interface (IPv6 if present).
                  "--bind", "* -::*", "--dir", *dir, "--save", "", "--appendonly", "no",
                  "--daemonize", "no", "--logfile", ""};
    if (settings.password.empty()) {
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

service_spec rabbitmq_service(const amqp_settings& settings, const std::string& state_dir,
                              bool managed) {
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
  spec.prepare = [settings, state_dir]() -> caf::expected<child_spec> {
    auto dir = make_dir(state_dir + "/rabbitmq-" + std::to_string(settings.port));
    if (!dir)
      return dir.error();
    auto conf = *dir + "/rabbitmq.conf";
    {
      std::ofstream out{conf};
      out << "listeners.tcp.default = " << settings.port << "\n"
          << "loopback_users = none\n"
          << "default_user = " << settings.user << "\n"
          << "default_pass = " << settings.password << "\n"
          << "default_vhost = " << settings.vhost << "\n";
    }
    std::ofstream{*dir + "/enabled_plugins"} << "[].\n";
    auto epmd_port = std::to_string(free_tcp_port());
    auto dist_port = std::to_string(free_tcp_port());
    child_spec child;
    // Our own epmd in the child's process group, so that it goes with it
    // (erl would otherwise daemonize one that outlives everything).
    child.argv = {"/bin/sh", "-c",
                  "/usr/bin/epmd -port \"$ERL_EPMD_PORT\" & "
                  "exec /usr/lib/rabbitmq/bin/rabbitmq-server"};
    auto node = "chat" + std::to_string(settings.port) + "@localhost";
    child.env = {"HOME=" + *dir,
                 "ERL_EPMD_PORT=" + epmd_port,
                 "RABBITMQ_NODENAME=" + node,
                 "RABBITMQ_NODE_PORT=" + std::to_string(settings.port),
                 "RABBITMQ_DIST_PORT=" + dist_port,
                 "RABBITMQ_MNESIA_BASE=" + *dir + "/mnesia",
                 "RABBITMQ_LOG_BASE=" + *dir + "/log",
                 "RABBITMQ_CONFIG_FILE=" + conf,
                 "RABBITMQ_ENABLED_PLUGINS_FILE=" + *dir + "/enabled_plugins",
                 "RABBITMQ_FEATURE_FLAGS_FILE=" + *dir + "/feature_flags"};
    // Operators (and tests) inspect the private node with this wrapper.
    {
      auto ctl = *dir + "/rabbitmqctl";
      std::ofstream out{ctl};
      out << "#!/bin/sh\n# rabbitmqctl for the node chat-actors manages here\n"
          << "export HOME='" << *dir << "' ERL_EPMD_PORT=" << epmd_port
          << " RABBITMQ_NODENAME=" << node << "\n"
          << "exec /usr/lib/rabbitmq/bin/rabbitmqctl \"$@\"\n";
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
