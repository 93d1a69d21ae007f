#include "actors/server/lan_locator_actor.hpp"

#include "actors/common/locator_protocol.hpp"
#include "config/defaults.hpp"
#include "config/errors.hpp"

#include <caf/actor_cast.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <spdlog/spdlog.h>

namespace chat {

namespace {

/// Refusals of the rate limit are logged at most this often.
constexpr auto refusal_log_interval = std::chrono::seconds{10};

/// Counts a datagram over the rate limit; one log line per interval.
void refused(lan_locator_state& st, caf::timestamp now) {
  ++st.ignored;
  if (now - st.refusals_logged < refusal_log_interval)
    return;
  auto r = st.limit.take_refusals();
  st.refusals_logged = now;
  spdlog::warn(
      "LAN locator: {} datagrams from {} sources over the rate limit, not answered",
      r.datagrams, r.sources);
}

} // namespace

lan_locator_actor::behavior_type lan_locator_impl(lan_locator_pointer self,
                                                  udp_socket_factory open_socket,
                                                  locator_services services) {
  if (services.accounts)
    self->link_to(services.accounts);
  self->state.services = std::move(services);
  std::string error;
  self->state.socket = open_socket(caf::actor_cast<caf::actor>(self), error);
  if (!self->state.socket) {
    self->quit(make_error(errc::service_failed, "LAN locator: " + error));
    return lan_locator_actor::behavior_type::make_empty_behavior();
  }
  return {
      [=](datagram_atom, const udp_datagram& dgram) {
        auto& st = self->state;
        auto& services = st.services;
        if (dgram.truncated) {
          ++st.ignored;
          return;
        }
        if (auto now = caf::make_timestamp(); !st.limit.admit(dgram.sender_ip, now)) {
          refused(st, now);
          return;
        }
        if (services.on_join)
          if (auto reply = services.on_join(dgram)) {
            st.socket->send_to(dgram.sender_ip, dgram.sender_port, std::move(*reply));
            return;
          }
        if (services.accounts &&
            dgram.payload.starts_with(broker_account::request_prefix)) {
          // Creating an account takes seconds: answered when it is done,
          // while we go on answering everyone else.
          self->request(services.accounts, defaults::account_reply_timeout,
                        account_atom::value, dgram)
              .then(
                  [=](const std::string& reply) {
                    if (!reply.empty())
                      self->state.socket->send_to(dgram.sender_ip, dgram.sender_port,
                                                  reply);
                  },
                  [=](const caf::error&) { ++self->state.ignored; });
          return;
        }
        auto nonce = locator::parse_request_nonce(dgram.payload);
        bool authenticated = nonce && !services.reply_key.empty();
        if (!authenticated && dgram.payload != locator::request) {
          ++st.ignored;
          return;
        }
        auto ip = st.address_towards(dgram.sender_ip);
        if (ip.empty()) {
          ++st.ignored;
          return;
        }
        st.socket->send_to(dgram.sender_ip, dgram.sender_port,
                           authenticated
                               ? locator::make_reply(services.reply_key, ip, *nonce)
                               : locator::make_reply(ip));
        ++st.answered;
      },
      [=](stats_atom) {
        return std::make_tuple(self->state.answered, self->state.ignored);
      },
  };
}

udp_socket_factory locator_socket(uint16_t port) {
  return [port](caf::actor receiver, std::string& error) {
    return udp_socket::open(datagrams_to(std::move(receiver)), "0.0.0.0", port, false,
                            error);
  };
}

} // namespace chat
