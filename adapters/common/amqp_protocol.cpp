#include "adapters/common/amqp_protocol.hpp"

#include "adapters/common/amqp_connection.hpp"
#include "adapters/common/amqp_mux.hpp"

#include <random>

namespace chat {

namespace {

/// Fanout exchanges ignore the key; topic ones need "#" for everything.
constexpr const char* every_key = "#";

} // namespace

std::string subscription_queue(const std::string& user, const std::string& group) {
  return user + ":" + group;
}

std::string group_binding_key(const std::string& group) {
  return "*." + group + ".*";
}

std::string group_routing_key(const std::string& user, const std::string& group) {
  return user + "." + group + ".msg";
}

std::string inbox_queue(const std::string& user) {
  return user + ":inbox";
}

std::string discovery_request_queue(const std::string& user) {
  return user + ":" + discovery_request_exchange.name;
}

std::string discovery_response_queue(const std::string& user) {
  return user + ":" + discovery_response_exchange.name;
}

std::string make_message_id(const std::string& user, uint64_t n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return user + "-" + std::to_string(rng() % 1'000'000'000) + "-" + std::to_string(n);
}

void declare(amqp_mux& w, const exchange_spec& x) {
  w.declare_exchange(x.name, x.type, x.durable);
  if (x.durable_twin == nullptr)
    return;
  w.declare_exchange(x.durable_twin, x.type, true);
  w.bind_exchange(x.durable_twin, x.name, every_key);
  w.bind_exchange(x.name, x.durable_twin, every_key);
}

caf::error declare(amqp_connection& conn, const exchange_spec& x) {
  if (auto err = conn.declare_exchange(first_channel, x.name, x.type, x.durable))
    return err;
  if (x.durable_twin == nullptr)
    return {};
  if (auto err = conn.declare_exchange(first_channel, x.durable_twin, x.type, true))
    return err;
  if (auto err = conn.bind_exchange(first_channel, x.durable_twin, x.name, every_key))
    return err;
  return conn.bind_exchange(first_channel, x.name, x.durable_twin, every_key);
}

caf::error declare_shared_queues(amqp_connection& conn) {
  if (auto err = conn.declare_queue(
          first_channel, amqp_queue_spec{insults_queue, true, false, false, 0, true}))
    return err;
  return conn.bind_queue(first_channel, insults_queue, durable_name(insult_exchange), "");
}

caf::error declare_inbox_exchange(amqp_connection& conn) {
  return declare(conn, inbox_exchange);
}

std::set<std::string> server_owned_names() {
  std::set<std::string> result{insults_queue, inbox_exchange.name};
  for (auto& x : chat_exchanges) {
    result.insert(x.name);
    if (x.durable_twin != nullptr)
      result.insert(x.durable_twin);
  }
  return result;
}

} // namespace chat
