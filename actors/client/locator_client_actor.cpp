#include "actors/client/locator_client_actor.hpp"

#include "actors/common/locator_protocol.hpp"
#include "adapters/common/tls.hpp"
#include "config/errors.hpp"

#include <caf/actor_cast.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>

namespace chat {

namespace {

std::string seconds(caf::timespan x) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(x).count() /
                        1000.0)
             .substr(0, 4) +
         " s";
}

} // namespace

locator_client_actor::behavior_type locator_client_impl(locator_client_pointer self,
                                                        locator_search search,
                                                        udp_socket_factory open_socket) {
  self->state.search = std::move(search);
  std::string error;
  self->state.socket = open_socket(caf::actor_cast<caf::actor>(self), error);
  if (!self->state.socket) {
    self->quit(
        make_error(errc::server_not_found, "cannot search for the server: " + error));
    return locator_client_actor::behavior_type::make_empty_behavior();
  }
  if (!self->state.search.reply_key.empty())
    self->state.nonce = tls::random_hex(16);
  auto send_request = [self] {
    auto& st = self->state;
    st.socket->send_to(st.search.target, st.search.port,
                       st.nonce.empty() ? std::string{locator::request}
                                        : locator::make_request(st.nonce));
  };
  return {
      [=](locate_atom) -> caf::result<std::string> {
        auto& st = self->state;
        if (!st.server.empty())
          return st.server;
        st.waiting.emplace_back(self->make_response_promise<std::string>());
        if (!st.searching) {
          st.searching = true;
          send_request();
          self->delayed_send(self, st.search.retry, retry_atom::value);
          self->delayed_send(self, st.search.timeout, timeout_atom::value);
        }
        return st.waiting.back();
      },
      [=](datagram_atom, const udp_datagram& dgram) {
        auto& st = self->state;
        auto ip = st.nonce.empty() ? locator::parse_reply(dgram.payload)
                                   : locator::parse_reply(st.search.reply_key, st.nonce,
                                                          dgram.payload);
        if (!ip && !st.nonce.empty() && dgram.payload.starts_with(locator::reply_prefix))
          ++st.unproven;
        if (!ip || !st.server.empty() ||
            std::find(st.replies.begin(), st.replies.end(), *ip) != st.replies.end())
          return;
        st.replies.push_back(*ip);
        if (st.replies.size() == 1) {
          st.searching = false;
          self->delayed_send(self, st.search.gather, gathered_atom::value);
        }
      },
      [=](gathered_atom) {
        auto& st = self->state;
        for (auto& ip : st.replies)
          st.server += (st.server.empty() ? "" : ",") + ip;
        for (auto& promise : st.waiting)
          promise.deliver(st.server);
        st.waiting.clear();
      },
      [=](retry_atom) {
        if (!self->state.searching)
          return;
        send_request();
        self->delayed_send(self, self->state.search.retry, retry_atom::value);
      },
      [=](timeout_atom) {
        auto& st = self->state;
        if (!st.searching)
          return;
        st.searching = false;
        auto err = make_error(
            errc::server_not_found,
            "no server answered on UDP port " + std::to_string(st.search.port) +
                " within " + seconds(st.search.timeout) +
                ": is `chat-actors server` running on this LAN? "
                "(or give --chat.server=ADDRESS)" +
                (st.unproven == 0 ? std::string{}
                                  : "; " + std::to_string(st.unproven) +
                                        " answers did not prove the join code "
                                        "(a server with another code, or a rogue)"));
        for (auto& promise : st.waiting)
          promise.deliver(err);
        st.waiting.clear();
      },
  };
}

udp_socket_factory broadcast_socket() {
  return [](caf::actor receiver, std::string& error) {
    return udp_socket::open(datagrams_to(std::move(receiver)), "0.0.0.0", 0, true, error);
  };
}

} // namespace chat
