#include "adapters/server/broker_permissions.hpp"

#include "adapters/common/amqp_protocol.hpp"
#include "adapters/common/tls.hpp"

#include <nlohmann/json.hpp>

namespace chat {

namespace {

/// A user or group name (actors/common/names.hpp): a letter, then up to 31
/// letters, digits, '_' or '-' (no regex metacharacter but '-', which is
/// literal outside brackets).
const std::string any_name = "[A-Za-z][A-Za-z0-9_-]{0,31}";

/// `name` as a regex that matches exactly it ('.' is the only
/// metacharacter our names use).
std::string literally(std::string_view name) {
  std::string result;
  for (auto c : name) {
    if (c == '.')
      result += '\\';
    result += c;
  }
  return result;
}

/// What our clients publish to and bind: the durable twins, and the
/// discovery exchanges (which have none).
const std::string shared_exchanges = literally(durable_name(group_exchange)) + "|" +
                                     literally(durable_name(insult_exchange)) + "|" +
                                     discovery_request_exchange.name + "|" +
                                     discovery_response_exchange.name;

} // namespace

broker_permissions permissions_for_user(std::string_view name) {
  auto self = std::string{name};
  auto own_queue = self + ":" + any_name;
  broker_permissions p;
  p.configure = "^" + own_queue + "$";
  p.write = "^(" + own_queue + "|" + shared_exchanges + ")$";
  p.read = "^(" + own_queue + "|" + insults_queue + "|" + shared_exchanges + ")$";
  p.topic_write = "^" + self + "\\." + any_name + "\\.msg$";
  // Bound as "*.<group>.*": never "#".
  p.topic_read = "^\\*\\." + any_name + "\\.\\*$";
  return p;
}

broker_permissions permissions_for_member() {
  const std::string throwaway_queue = "who[0-9a-f]{6}:" + any_name;
  broker_permissions p;
  p.configure = "^" + throwaway_queue + "$";
  const std::string discovery = std::string{discovery_request_exchange.name} + "|" +
                                discovery_response_exchange.name;
  p.write = "^(" + throwaway_queue + "|" + discovery + ")$";
  p.read = p.write;
  // No group messages at all (regexes no routing key matches).
  p.topic_write = "^$";
  p.topic_read = "^$";
  return p;
}

std::string definitions_json(const std::vector<broker_account_definition>& accounts,
                             const std::string& vhost, bool with_vhost,
                             const std::optional<member_queue_policy>& policy) {
  using nlohmann::json;
  json users = json::array();
  json permissions = json::array();
  json topic_permissions = json::array();
  for (auto& a : accounts) {
    json user = {{"name", a.user},
                 {"password_hash", tls::rabbit_password_hash(a.password)},
                 {"hashing_algorithm", "rabbit_password_hashing_sha256"},
                 {"tags", a.tags}};
    if (auto& l = a.user_limits)
      user["limits"] = {{"max-connections", l->max_connections},
                        {"max-channels", l->max_channels}};
    users.push_back(std::move(user));
    if (!a.limits) {
      permissions.push_back({{"user", a.user},
                             {"vhost", vhost},
                             {"configure", ".*"},
                             {"write", ".*"},
                             {"read", ".*"}});
      continue;
    }
    auto& p = *a.limits;
    permissions.push_back({{"user", a.user},
                           {"vhost", vhost},
                           {"configure", p.configure},
                           {"write", p.write},
                           {"read", p.read}});
    topic_permissions.push_back({{"user", a.user},
                                 {"vhost", vhost},
                                 {"exchange", durable_name(group_exchange)},
                                 {"write", p.topic_write},
                                 {"read", p.topic_read}});
  }
  json doc = {{"users", users},
              {"permissions", permissions},
              {"topic_permissions", topic_permissions}};
  if (with_vhost)
    doc["vhosts"] = json::array({json{{"name", vhost}}});
  if (policy) {
    json definition = {{"max-length-bytes", policy->max_bytes}};
    if (policy->expires_ms > 0)
      definition["expires"] = policy->expires_ms;
    // Every queue a member may declare has a ':' after a name.
    doc["policies"] = json::array({json{{"vhost", vhost},
                                        {"name", member_queue_policy_name},
                                        {"pattern", "^" + any_name + ":"},
                                        {"apply-to", "queues"},
                                        {"priority", 0},
                                        {"definition", definition}}});
  }
  return doc.dump();
}

} // namespace chat
