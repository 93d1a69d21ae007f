#pragma once

// Wires an amqp_channel's callbacks to an actor: deliveries, confirms and
// link status arrive as (deliver_atom, amqp_delivery),
// (confirm_atom, uint64_t, caf::error) and (link_atom, bool, std::string).

#include "actors/common/atoms.hpp"
#include "adapters/common/amqp_channel.hpp"

#include <caf/actor.hpp>
#include <caf/send.hpp>

namespace chat {

inline amqp_channel::callbacks forward_to(caf::actor owner) {
  amqp_channel::callbacks cbs;
  cbs.delivery = [owner](amqp_delivery d) {
    caf::anon_send(owner, deliver_atom::value, std::move(d));
  };
  cbs.confirmed = [owner](uint64_t id, caf::error err) {
    caf::anon_send(owner, confirm_atom::value, id, std::move(err));
  };
  cbs.status = [owner](bool up, std::string text) {
    caf::anon_send(owner, link_atom::value, up, std::move(text));
  };
  return cbs;
}

} // namespace chat
