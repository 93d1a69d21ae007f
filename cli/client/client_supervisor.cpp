#include "cli/client/client_supervisor.hpp"

#include "actors/common/supervision.hpp"
#include "config/errors.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

namespace chat {

namespace {

struct client_supervisor_state {
  child_table children;
  cli_actor cli;
  cli_peers peers;
  static inline const char* name = "client-supervisor";
};

using supervisor_pointer = caf::stateful_actor<client_supervisor_state>*;

void tell(supervisor_pointer self, uint8_t kind, std::string text) {
  chat_event ev;
  ev.kind = kind;
  ev.chat = "system";
  ev.text = std::move(text);
  ev.ts_ms = now_ms();
  self->send(self->state.cli, event_atom::value, std::move(ev));
}

caf::behavior client_supervisor_impl(supervisor_pointer self, cli_actor cli,
                                     client_children kids) {
  auto& st = self->state;
  st.cli = std::move(cli);
  st.peers = kids.peers;
  st.children.adopt(self, "registry", caf::actor_cast<caf::actor>(kids.peers.registry));
  st.children.adopt(self, "private chats", kids.peers.private_chats);
  st.children.adopt(self, "groups", kids.peers.broker, kids.respawn_broker);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (!self->state.children.name_of(msg.source).empty())
      return; // the down handler decides
    self->state.children.stop_all(self, msg.reason);
    self->quit(msg.reason);
  });
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    auto name = st.children.name_of(msg.source);
    if (name.empty() || msg.reason == caf::exit_reason::user_shutdown)
      return;
    auto delay = st.children.restartable(name) ? st.children.failed(name) : std::nullopt;
    if (!delay) {
      tell(self, chat_event::error,
           name + " failed: " + describe(msg.reason) + "; leaving");
      self->send(st.cli, eof_atom::value);
      return;
    }
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(*delay).count();
    tell(self, chat_event::error,
         name + " failed: " + describe(msg.reason) + "; restarting in " +
             std::to_string(secs) + " s");
    self->delayed_send(self, *delay, start_atom::value, name);
  });
  return {
      [=](start_atom, const std::string& name) {
        auto& st = self->state;
        st.peers.broker = st.children.start(self, name);
        tell(self, chat_event::info, name + " restarted");
        self->send(st.cli, link_atom::value, st.peers);
      },
  };
}

} // namespace

caf::actor spawn_client_supervisor(caf::actor_system& sys, cli_actor cli,
                                   client_children children) {
  return sys.spawn(client_supervisor_impl, std::move(cli), std::move(children));
}

} // namespace chat
