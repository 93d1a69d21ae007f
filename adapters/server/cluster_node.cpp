#include "adapters/server/cluster_node.hpp"
#include "adapters/common/registry_keys.hpp"

#include "adapters/common/redis_client.hpp"
#include "adapters/common/udp_socket.hpp"
#include "config/errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/wait.h>
#include <unistd.h>

namespace chat {

namespace {

std::string shell_quoted(const std::string& x) {
  std::string out = "'";
  for (char c : x) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::vector<std::string> json_strings(const nlohmann::json& x) {
  std::vector<std::string> result;
  if (x.is_array())
    for (auto& item : x)
      result.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  else if (x.is_object())
    for (auto& [key, value] : x.items())
      result.push_back(key + ": " + value.dump());
  return result;
}

bool contains(const std::vector<std::string>& xs, const std::string& x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

redis_settings redis_at(const std::string& host, uint16_t port,
                        const std::string& password, caf::timespan timeout) {
  redis_settings s;
  s.host = host;
  s.port = port;
  s.password = password;
  s.timeout = timeout;
  return s;
}

} // namespace

std::string rabbit_node_name(const std::string& address) {
  return "rabbit@" + address;
}

std::string detect_node_address(const std::string& peer) {
  if (!peer.empty())
    if (auto mine = source_address_towards(peer); !mine.empty())
      return mine;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0)
    return {};
  std::string result;
  for (auto* i = list; i != nullptr && result.empty(); i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET ||
        (i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_LOOPBACK) != 0)
      continue;
    char text[INET_ADDRSTRLEN];
    auto* in = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)) != nullptr)
      result = text;
  }
  freeifaddrs(list);
  return result;
}

std::vector<std::string> read_known_members(const std::string& state_dir) {
  std::vector<std::string> result;
  std::ifstream in{state_dir + "/cluster-members"};
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && !contains(result, line))
      result.push_back(line);
  return result;
}

void write_known_members(const std::string& state_dir,
                         const std::vector<std::string>& members) {
  auto path = state_dir + "/cluster-members";
  {
    std::ofstream out{path + ".tmp"};
    for (auto& m : members)
      out << m << '\n';
  }
  std::rename((path + ".tmp").c_str(), path.c_str());
}

std::optional<std::string> sentinel_master(const std::string& host, uint16_t port,
                                           const std::string& password,
                                           caf::timespan timeout) {
  redis_client sentinel{redis_at(host, port, password, timeout)};
  auto reply =
      sentinel.command({"SENTINEL", "get-master-addr-by-name", sentinel_master_name});
  if (!reply || reply->type != redis_reply::kind::array || reply->elements.size() != 2)
    return std::nullopt;
  return reply->elements[0].str;
}

std::optional<std::string> find_redis_master(const cluster_node& node) {
  auto timeout = std::chrono::milliseconds{400};
  if (auto m = sentinel_master("127.0.0.1", node.sentinel_port, node.password, timeout))
    return m;
  for (auto& peer : node.members)
    if (peer != node.address)
      if (auto m = sentinel_master(peer, node.sentinel_port, node.password, timeout))
        return m;
  return std::nullopt;
}

tool_result run_rabbit_tool(const std::string& rabbit_dir, const std::string& tool,
                            const std::vector<std::string>& args) {
  // A CLI call can hang on an unreachable node: bounded by timeout(1).
  std::string cmd = "timeout 90 " + shell_quoted(rabbit_dir + "/" + tool);
  for (auto& a : args)
    cmd += " " + shell_quoted(a);
  tool_result result;
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0)
    return result;
  // Not popen: its child would inherit every descriptor of the server node
  // (the locator's UDP socket, Redis and AMQP connections) for as long as
  // the tool's Erlang VM runs.
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(out[1], STDERR_FILENO);
    close_range(3, ~0U, 0);
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  if (pid < 0) {
    close(out[0]);
    return result;
  }
  std::array<char, 4096> buf;
  ssize_t n;
  while ((n = read(out[0], buf.data(), buf.size())) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      result.output.append(buf.data(), static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

caf::expected<rabbit_cluster_view> rabbit_cluster_status(const std::string& rabbit_dir) {
  auto r = run_rabbit_tool(rabbit_dir, "rabbitmqctl",
                           {"cluster_status", "--formatter", "json", "-q"});
  auto brace = r.output.find('{');
  if (!r.ok() || brace == std::string::npos)
    return make_error(errc::service_failed, "rabbitmqctl cluster_status: " + r.output);
  auto doc = nlohmann::json::parse(r.output.substr(brace), nullptr, false);
  if (doc.is_discarded())
    return make_error(errc::service_failed, "rabbitmqctl cluster_status: unreadable");
  rabbit_cluster_view view;
  view.nodes = json_strings(doc.value("disk_nodes", nlohmann::json::array()));
  for (auto& n : json_strings(doc.value("ram_nodes", nlohmann::json::array())))
    view.nodes.push_back(n);
  view.running = json_strings(doc.value("running_nodes", nlohmann::json::array()));
  view.partitions = json_strings(doc.value("partitions", nlohmann::json::object()));
  view.alarms = json_strings(doc.value("alarms", nlohmann::json::array()));
  return view;
}

caf::expected<std::string> join_rabbit_cluster(const cluster_node& node,
                                               const std::string& rabbit_dir,
                                               const std::string& peer) {
  auto self_name = rabbit_node_name(node.address);
  auto peer_name = rabbit_node_name(peer);
  auto view = rabbit_cluster_status(rabbit_dir);
  if (!view)
    return view.error();
  std::string what;
  if (contains(view->nodes, peer_name)) {
    what = "RabbitMQ: already in the cluster of " + peer_name;
  } else {
    for (auto step : std::vector<std::vector<std::string>>{
             {"stop_app"}, {"reset"}, {"join_cluster", peer_name}, {"start_app"}}) {
      auto r = run_rabbit_tool(rabbit_dir, "rabbitmqctl", step);
      if (!r.ok()) {
        if (step.front() != "start_app")
          run_rabbit_tool(rabbit_dir, "rabbitmqctl", {"start_app"});
        return make_error(errc::service_failed,
                          "RabbitMQ: " + step.front() + " failed: " + r.output);
      }
    }
    what = "RabbitMQ: joined the cluster of " + peer_name;
  }
  // Quorum queues declared before we came keep their members: add us.
  run_rabbit_tool(rabbit_dir, "rabbitmq-queues", {"grow", self_name, "all"});
  return what;
}

void leave_cluster(const cluster_node& node, const std::string& rabbit_dir) {
  auto timeout = std::chrono::milliseconds{500};
  // Name server: a replica takes over before we go, so clients move at
  // once instead of after Sentinel's down-after period.
  if (auto master = find_redis_master(node); master && *master == node.address) {
    redis_client sentinel{
        redis_at("127.0.0.1", node.sentinel_port, node.password, timeout)};
    auto r = sentinel.command({"SENTINEL", "FAILOVER", sentinel_master_name});
    if (r && r->type != redis_reply::kind::error) {
      std::cout << "cluster: handing the Redis master role to a replica…" << std::endl;
      for (int i = 0; i < 40; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds{250});
        auto now =
            sentinel_master("127.0.0.1", node.sentinel_port, node.password, timeout);
        if (now && *now != node.address)
          break;
      }
    }
  }
  if (auto master = find_redis_master(node); master && *master != node.address) {
    redis_client redis{
        redis_at(*master, node.redis_port, node.redis_admin_password, timeout)};
    redis.command({"HDEL", members_key, node.address});
  }
  // RabbitMQ: leave unless we are the last one running (that keeps the
  // data for the next start).
  auto self_name = rabbit_node_name(node.address);
  if (auto view = rabbit_cluster_status(rabbit_dir)) {
    auto others = std::count_if(view->running.begin(), view->running.end(),
                                [&](auto& n) { return n != self_name; });
    if (others > 0) {
      std::cout << "cluster: leaving the RabbitMQ cluster…" << std::endl;
      for (auto step :
           std::vector<std::vector<std::string>>{{"rabbitmq-queues", "shrink", self_name},
                                                 {"rabbitmqctl", "stop_app"},
                                                 {"rabbitmqctl", "reset"}}) {
        auto tool = step.front();
        step.erase(step.begin());
        auto r = run_rabbit_tool(rabbit_dir, tool, step);
        if (!r.ok())
          std::cout << "cluster: " << tool << " " << step.front()
                    << " failed: " << r.output << std::endl;
      }
    }
  }
}

void forget_left_node(const cluster_node& node) {
  auto timeout = std::chrono::milliseconds{500};
  for (auto& peer : node.members)
    if (peer != node.address) {
      redis_client sentinel{redis_at(peer, node.sentinel_port, node.password, timeout)};
      sentinel.command({"SENTINEL", "RESET", sentinel_master_name});
    }
}

} // namespace chat
