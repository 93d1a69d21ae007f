#include "actors/chat_exchanges.hpp"

#include "adapters/amqp_connection.hpp"
#include "adapters/amqp_mux.hpp"

namespace chat {

namespace {

/// Fanout exchanges ignore the key; topic ones need "#" for everything.
constexpr const char* every_key = "#";

} // namespace

void declare(amqp_mux& w, const exchange_spec& x) {
  w.declare_exchange(x.name, x.type, false);
  if (x.durable_twin == nullptr)
    return;
  w.declare_exchange(x.durable_twin, x.type, true);
  w.bind_exchange(x.durable_twin, x.name, every_key);
  w.bind_exchange(x.name, x.durable_twin, every_key);
}

caf::error declare(amqp_connection& conn, const exchange_spec& x) {
  if (auto err = conn.declare_exchange(first_channel, x.name, x.type, false))
    return err;
  if (x.durable_twin == nullptr)
    return {};
  if (auto err = conn.declare_exchange(first_channel, x.durable_twin, x.type, true))
    return err;
  if (auto err = conn.bind_exchange(first_channel, x.durable_twin, x.name, every_key))
    return err;
  return conn.bind_exchange(first_channel, x.name, x.durable_twin, every_key);
}

} // namespace chat
