#include "actors/topology_actor.hpp"

#include "config/errors.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <spdlog/spdlog.h>

namespace chat {

topology_actor::behavior_type topology_impl(topology_pointer self, amqp_settings broker) {
  self->state.broker = std::move(broker);
  return {
      [=](ready_atom) {
        caf::error err;
        auto conn = amqp_connection::open(self->state.broker, err);
        for (auto& x : chat_exchanges)
          if (!err)
            err = conn->declare_exchange(x.name, x.type, false);
        if (err) {
          spdlog::warn("topology: {}; retrying", describe(err));
          self->delayed_send(self, std::chrono::seconds{1}, ready_atom::value);
          return;
        }
        ++self->state.rounds;
        spdlog::info("topology: exchanges declared");
      },
  };
}

} // namespace chat
