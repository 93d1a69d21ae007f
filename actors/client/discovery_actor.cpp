#include "actors/client/discovery_actor.hpp"

#include "actors/client/amqp_glue.hpp"
#include "actors/common/names.hpp"
#include "adapters/common/amqp_protocol.hpp"

#include <caf/send.hpp>

#include <algorithm>
#include <utility>

namespace chat {

namespace {

/// Sends the current round's report, once.
void report(discovery_pointer self) {
  auto& st = self->state;
  if (st.done)
    return;
  st.done = true;
  auto result = merge_round(st.cfg.user, st.online, st.answers, st.earlier, st.previous);
  st.previous.clear();
  for (auto& peer : result.live)
    st.previous.insert(peer.name);
  caf::anon_send(st.listener, report_atom::value, std::move(result));
}

void start_round(discovery_pointer self) {
  auto& st = self->state;
  auto round = ++st.round;
  st.earlier = std::exchange(st.answers, {});
  st.online.clear();
  st.settled = false;
  st.done = false;
  amqp_message msg;
  msg.exchange = discovery_request_exchange.name;
  msg.body = st.cfg.user;
  msg.headers[round_header] = std::to_string(round);
  st.channel->publish(st.next_id++, std::move(msg));
  st.asking = static_cast<bool>(st.cfg.registry);
  if (st.asking) {
    // Late replies (after the next round started) are dropped; a failure
    // leaves the round to the AMQP answers (the registry itself tells the
    // user that the name server is unreachable).
    auto answered = [self, round] {
      auto& st = self->state;
      if (round != st.round || !st.asking)
        return false;
      st.asking = false;
      return true;
    };
    self->request(st.cfg.registry, st.cfg.interval, online_atom::value)
        .then(
            [self, answered](std::vector<peer_info>& users) {
              if (!answered())
                return;
              self->state.online = std::move(users);
              if (self->state.settled)
                report(self);
            },
            [self, answered](caf::error&) {
              if (answered() && self->state.settled)
                report(self);
            });
  }
  self->delayed_send(self, std::min(st.cfg.settle, st.cfg.interval), report_atom::value,
                     round);
  self->delayed_send(self, st.cfg.interval, round_atom::value, round);
}

} // namespace

discovery_report merge_round(const std::string& self,
                             const std::vector<peer_info>& online,
                             const std::map<std::string, peer_info>& answers,
                             const std::map<std::string, peer_info>& earlier,
                             const std::set<std::string>& reported) {
  // Lowest priority first: later writes win.
  std::map<std::string, peer_info> merged = earlier;
  for (auto& peer : online)
    merged[peer.name] = peer;
  for (auto& [name, peer] : answers)
    merged[name] = peer;
  merged.erase(self);
  discovery_report result;
  for (auto& [name, peer] : merged) {
    result.live.push_back(peer);
    if (reported.count(name) == 0)
      result.joined.push_back(name);
  }
  for (auto& name : reported)
    if (merged.count(name) == 0)
      result.left.push_back(name);
  return result;
}

discovery_actor::behavior_type discovery_impl(discovery_pointer self,
                                              discovery_config cfg, caf::actor listener) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.listener = std::move(listener);
  // Requests and answers are worth nothing after the round: no confirms,
  // nothing published again after a reconnect.
  st.channel = st.cfg.broker(forward_to(caf::actor_cast<caf::actor>(self)),
                             amqp_channel::options{.confirms = false});
  auto requests = discovery_request_queue(st.cfg.user);
  auto responses = discovery_response_queue(st.cfg.user);
  // Exclusive, auto-delete: a queue of this connection, on the broker node
  // it is connected to, gone with it. A durable queue would live on one
  // node and be unusable (`not_found: home node ... is down`) while that
  // node is; this one is declared anew on whichever node the connection
  // moves to, and a crashed session leaves none behind. Fresh: a leftover
  // durable queue of an older client is deleted first.
  auto spec = [](std::string name) {
    return amqp_queue_spec{.name = std::move(name),
                           .durable = false,
                           .exclusive = true,
                           .auto_delete = true};
  };
  auto& w = *st.channel;
  w.declare_queue(spec(requests), true, false);
  w.bind(requests, discovery_request_exchange.name, "");
  w.consume(requests, 0, true);
  w.declare_queue(spec(responses), true, false);
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
  return {
      [=](discover_atom, bool on) {
        auto& st = self->state;
        if (on == st.on)
          return;
        st.on = on;
        if (on) {
          st.previous.clear();
          st.answers.clear();
          st.first = st.round + 1;
          start_round(self);
        } else {
          ++st.round; // pending timers and late answers no longer count
        }
      },
      [=](groups_atom, std::vector<std::string> groups) {
        self->state.groups = std::move(groups);
      },
      [=](report_atom, uint64_t round) {
        auto& st = self->state;
        if (!st.on || round != st.round)
          return;
        st.settled = true;
        if (!st.asking)
          report(self);
      },
      [=](round_atom, uint64_t round) {
        auto& st = self->state;
        if (!st.on || round != st.round)
          return;
        report(self); // unless done: the registry did not answer in time
        start_round(self);
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
          answer.headers[groups_header] = join_names(st.groups);
          if (auto round = d.header(round_header); !round.empty())
            answer.headers[round_header] = round;
          st.channel->publish(st.next_id++, std::move(answer));
          return;
        }
        if (!st.on)
          return;
        auto peer = peer_info{name, d.header(endpoint_header),
                              split_names(d.header(groups_header))};
        auto round = d.header(round_header);
        if (round.empty() || round == std::to_string(st.round))
          st.answers[name] = std::move(peer);
        else if (st.round > st.first && round == std::to_string(st.round - 1))
          st.earlier[name] = std::move(peer); // late, but not flapping
        // else: an answer to an older round
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
