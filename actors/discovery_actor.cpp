#include "actors/discovery_actor.hpp"

#include "actors/amqp_glue.hpp"
#include "actors/amqp_protocol.hpp"
#include "actors/names.hpp"

#include <caf/send.hpp>

#include <sstream>

namespace chat {

namespace {

std::string joined(const std::vector<std::string>& xs) {
  std::string result;
  for (auto& x : xs)
    result += (result.empty() ? "" : ",") + x;
  return result;
}

std::vector<std::string> split(const std::string& x) {
  std::vector<std::string> result;
  std::istringstream in{x};
  std::string item;
  while (std::getline(in, item, ','))
    if (name_problem(item).empty())
      result.push_back(item);
  return result;
}

} // namespace

discovery_actor::behavior_type discovery_impl(discovery_pointer self,
                                              discovery_config cfg, caf::actor listener) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.listener = std::move(listener);
  // Requests and answers are worth nothing after the round: no confirms,
  // nothing published again after a reconnect.
  st.channel = st.cfg.broker(forward_to(caf::actor_cast<caf::actor>(self)),
                             amqp_channel::options{.confirms = false});
  auto expiry =
      std::chrono::duration_cast<std::chrono::milliseconds>(st.cfg.queue_expiry).count();
  auto requests = discovery_request_queue(st.cfg.user);
  auto responses = discovery_response_queue(st.cfg.user);
  auto& w = *st.channel;
  w.declare_queue(amqp_queue_spec{requests, true, false, false, expiry}, true, true);
  w.bind(requests, discovery_request_exchange.name, "");
  w.consume(requests, 0, true);
  w.declare_queue(amqp_queue_spec{responses, true, false, false, expiry}, true, true);
  w.bind(responses, discovery_response_exchange.name, st.cfg.user);
  w.consume(responses, 0, true);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    if (!msg.reason || msg.reason == caf::exit_reason::user_shutdown) {
      st.channel->delete_queue(discovery_request_queue(st.cfg.user));
      st.channel->delete_queue(discovery_response_queue(st.cfg.user));
    }
    self->quit(msg.reason);
  });
  auto start_round = [self] {
    auto& st = self->state;
    ++st.round;
    st.answers.clear();
    amqp_message msg;
    msg.exchange = discovery_request_exchange.name;
    msg.body = st.cfg.user;
    msg.headers[round_header] = std::to_string(st.round);
    st.channel->publish(st.next_id++, std::move(msg));
    self->delayed_send(self, st.cfg.interval, round_atom::value, st.round);
  };
  return {
      [=](discover_atom, bool on) {
        auto& st = self->state;
        if (on == st.on)
          return;
        st.on = on;
        if (on) {
          st.previous.clear();
          start_round();
        } else {
          ++st.round; // pending timers and late answers no longer count
        }
      },
      [=](groups_atom, std::vector<std::string> groups) {
        self->state.groups = std::move(groups);
      },
      [=](round_atom, uint64_t round) {
        auto& st = self->state;
        if (!st.on || round != st.round)
          return;
        discovery_report report;
        std::set<std::string> now;
        for (auto& [name, peer] : st.answers) {
          report.live.push_back(peer);
          now.insert(name);
          if (st.previous.count(name) == 0)
            report.joined.push_back(name);
        }
        for (auto& name : st.previous)
          if (now.count(name) == 0)
            report.left.push_back(name);
        st.previous = std::move(now);
        caf::anon_send(st.listener, report_atom::value, std::move(report));
        start_round();
      },
      [=](deliver_atom, const amqp_delivery& d) {
        auto& st = self->state;
        auto& name = d.body;
        if (name == st.cfg.user || !name_problem(name).empty())
          return; // our own request, or garbage (e.g. the original's "stop")
        if (d.exchange == discovery_request_exchange.name) {
          amqp_message answer;
          answer.exchange = discovery_response_exchange.name;
          answer.routing_key = name;
          answer.body = st.cfg.user;
          answer.headers[endpoint_header] = st.cfg.endpoint;
          answer.headers[groups_header] = joined(st.groups);
          if (auto round = d.header(round_header); !round.empty())
            answer.headers[round_header] = round;
          st.channel->publish(st.next_id++, std::move(answer));
          return;
        }
        if (!st.on)
          return;
        auto round = d.header(round_header);
        if (!round.empty() && round != std::to_string(st.round))
          return; // an answer to an earlier round
        st.answers[name] =
            peer_info{name, d.header(endpoint_header), split(d.header(groups_header))};
      },
      [=](confirm_atom, uint64_t, const caf::error&) {},
      [=](link_atom, bool up, const std::string& text) {
        if (up && text == "connected")
          return;
        caf::anon_send(self->state.listener, event_atom::value,
                       chat_event{up ? chat_event::info : chat_event::error, "discovery",
                                  "", text, now_ms(), false, true});
      },
  };
}

} // namespace chat
