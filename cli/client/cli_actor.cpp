#include "cli/client/cli_actor.hpp"

#include "actors/client/private_chat_keys.hpp"
#include "adapters/client/input_history.hpp"
#include "cli/client/chat_log.hpp"
#include "cli/client/commands.hpp"
#include "cli/client/split_text.hpp"
#include "cli/client/ui/highlight.hpp"
#include "config/errors.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>

#include <algorithm>

namespace chat {

namespace {

/// While it lives, output belongs to the command of input line `n`; request
/// handlers capture the number and open a scope of their own.
class line_scope {
public:
  line_scope(cli_state& st, uint64_t n) : st_(st), saved_(std::exchange(st.line_no, n)) {}
  ~line_scope() { st_.line_no = saved_; }
  line_scope(const line_scope&) = delete;
  line_scope& operator=(const line_scope&) = delete;

private:
  cli_state& st_;
  uint64_t saved_;
};

using view = cli_state::view;
using cli::command_kind;
using cli::render;
using cli::render_status;

constexpr auto reply_timeout = std::chrono::seconds{5};

/// Sends wait behind each other (one in flight per peer), so a burst takes
/// longer than one send's deadline.
constexpr auto send_timeout = std::chrono::seconds{60};

/// How long quitting waits for sends still in flight.
constexpr auto quit_grace = std::chrono::seconds{3};

/// --plain: a second Ctrl+C in the lobby within this time quits.
constexpr auto quit_confirm = std::chrono::seconds{2};

chat_event local_event(uint8_t kind, std::string chat, std::string text) {
  chat_event ev;
  ev.kind = kind;
  ev.chat = std::move(chat);
  ev.text = std::move(text);
  ev.ts_ms = now_ms();
  return ev;
}

void say(cli_pointer self, const std::string& text) {
  auto& st = self->state;
  st.print(render(local_event(chat_event::info, "system", text), st.opts));
}

void complain(cli_pointer self, const std::string& text) {
  auto& st = self->state;
  st.print(render(local_event(chat_event::error, "system", text), st.opts));
}

/// Prints `line` into the window of `chat` (full screen), else like print.
void print_in(cli_pointer self, const std::string& chat, std::string line,
              bool counts = false, bool highlight = false) {
  auto& st = self->state;
  if (st.windows)
    st.term->print_to(chat, std::move(line), counts, highlight);
  else
    st.print(std::move(line));
}

std::string prompt_of(const cli_state& st) {
  switch (st.current) {
  case view::lobby:
    return "[lobby] ";
  case view::private_chat:
    return "[@" + st.target + "] ";
  case view::group:
    return "[#" + st.target + "] ";
  case view::discovery:
    return "[who] ";
  case view::insults:
    return "[insults] ";
  }
  return "> ";
}

/// Whichever chat actor serves `chat`; null if that part is not running.
caf::actor owner_of(cli_pointer self, const std::string& chat) {
  auto& peers = self->state.peers;
  return chat.starts_with("private:") ? peers.private_chats : peers.broker;
}

/// What the owner of `chat` calls it: private chats by peer name, the
/// broker by the full chat name.
std::string key_of(const std::string& chat) {
  return chat.starts_with("private:") ? chat.substr(8) : chat;
}

/// Prints the history of `chat`; `marked` (/history): with a line that
/// says where it ends, so it is not taken for new messages.
void show_history(cli_pointer self, const std::string& chat, bool marked = false) {
  auto owner = owner_of(self, chat);
  if (!owner)
    return;
  self->request(owner, reply_timeout, history_atom::value, key_of(chat))
      .then(
          [=, n = self->state.line_no](const std::vector<chat_event>& events) {
            line_scope scope{self->state, n};
            for (auto& ev : events)
              self->state.print(render(ev, self->state.opts));
            if (marked && !self->state.batch)
              say(self,
                  "── end of history (" + std::to_string(events.size()) + " lines) ──");
          },
          [=, n = self->state.line_no](caf::error& err) {
            line_scope scope{self->state, n};
            complain(self, describe(err));
          });
}

/// Leaves the open view for the lobby; full screen: shows the status
/// window too unless `show_status` is false (another window comes next).
void leave_view(cli_pointer self, bool show_status = true) {
  auto& st = self->state;
  auto chat = st.current_chat();
  if (st.current == view::discovery && st.peers.broker)
    caf::anon_send(st.peers.broker, discover_atom::value, false);
  else if (!chat.empty())
    if (auto owner = owner_of(self, chat))
      caf::anon_send(owner, close_atom::value, key_of(chat));
  st.current = view::lobby;
  st.target.clear();
  st.term->set_prompt(prompt_of(st));
  if (st.windows && show_status)
    st.term->show_window({});
}

void show_lobby(cli_pointer self);

/// `replay`: show the chat's history when the view is new (scripts have
/// seen every event of a group they just joined already).
void enter_view(cli_pointer self, view v, const std::string& target, bool replay = true) {
  auto& st = self->state;
  if (st.current != view::lobby)
    leave_view(self, false);
  st.current = v;
  st.target = target;
  st.term->set_prompt(prompt_of(st));
  auto chat = st.current_chat();
  // Full screen: a window keeps what it showed, so its header and history
  // are shown the first time only.
  bool fresh = true;
  if (st.windows) {
    fresh = st.window_chats.insert(chat).second;
    st.term->show_window(chat);
  }
  if (v == view::discovery) {
    st.lobby_round = false; // the view's rounds take over
    st.who_listed = false;
    if (!st.peers.broker)
      return complain(self, "discovery needs the broker, which is not connected");
    caf::anon_send(st.peers.broker, discover_atom::value, true);
    if (fresh)
      say(self,
          std::string{"who is online; then who joins or leaves (rounds every 3 s); "} +
              (st.windows ? "/close closes this window" : "Ctrl+C or /back to leave"));
    return;
  }
  auto owner = owner_of(self, chat);
  if (!owner)
    return complain(self, "that part of the chat is not connected");
  if (!st.batch && fresh)
    say(self,
        "── " + chat + " ── " +
            (st.windows ? "/close closes this window" : "Ctrl+C or /back for the lobby"));
  if (fresh && replay)
    show_history(self, chat);
  caf::anon_send(owner, open_atom::value, key_of(chat));
}

void finish_quit(cli_pointer self);
void run_command(cli_pointer self, const cli::command& cmd);
void update_names(cli_pointer self);

/// Keeps the groups joined for the next start (interactive sessions only:
/// scripts say what they join).
void save_groups(cli_pointer self) {
  auto& st = self->state;
  if (st.groups_file.empty())
    return;
  std::vector<std::string> lines;
  for (auto& [group, transient] : st.groups)
    lines.push_back(transient ? group + " --transient" : group);
  save_input_history(st.groups_file, lines);
}

/// Joins the groups of the last session again, each in a window of its own.
/// In secure mode their queues outlived the session: what was said
/// meanwhile arrives first, under a "while you were away" line.
void restore_groups(cli_pointer self) {
  auto& st = self->state;
  if (st.groups_file.empty() || !st.peers.broker)
    return;
  for (auto& line : load_input_history(st.groups_file)) {
    auto transient = line.ends_with(" --transient");
    auto group = transient ? line.substr(0, line.size() - 12) : line;
    if (group.empty() || st.groups.count(group) > 0)
      continue;
    // Windows come back in the order the groups were joined, before any
    // backlog arrives.
    if (st.windows && st.window_chats.insert(group_chat(group)).second)
      st.term->open_window(group_chat(group));
    // Our queue from the last session, with what was said meanwhile.
    self->request(st.peers.broker, send_timeout, rejoin_atom::value, group, transient)
        .then(
            [=](ok_atom) {
              auto& st = self->state;
              st.groups[group] = transient;
              say(self, "re-joined " + group + " from your last session");
              update_names(self);
            },
            [=](caf::error& err) {
              // Kept in the file: /leave removes it for good.
              complain(self, "cannot re-join " + group + ": " + describe(err));
            });
  }
}
void joined(cli_pointer self);

/// One request that sends something fewer in flight.
void sent(cli_pointer self) {
  auto& st = self->state;
  if (--st.pending == 0 && st.quitting)
    finish_quit(self);
}

/// What to type to send `text` to `chat` again, whichever window is shown
/// then: a failed send puts it back into the input line.
std::string retry_line(const std::string& chat, const std::string& text) {
  if (chat == insults_chat)
    return "/insult " + text;
  if (chat.starts_with("private:"))
    return "/msg " + chat.substr(8) + " " + text;
  return "/msg #" + group_of(chat) + " " + text;
}

/// Sends one piece of text (within the message limit) to `chat`.
void send_piece(cli_pointer self, const std::string& chat, const std::string& text) {
  auto owner = owner_of(self, chat);
  if (!owner)
    return complain(self, "that part of the chat is not connected");
  ++self->state.pending;
  auto n = self->state.line_no;
  auto on_ok = [=](ok_atom) { sent(self); };
  auto on_error = [=](caf::error& err) {
    auto& st = self->state;
    line_scope scope{st, n};
    if (is(err, errc::key_changed)) {
      // Kept, and sent once the user trusts the new key.
      auto peer = chat.substr(8);
      st.held[peer].push_back(text);
      print_in(self, chat,
               render(local_event(chat_event::error, chat,
                                  describe(err) + " — held: \"" + text +
                                      "\" goes out after /trust " + peer),
                      st.opts),
               true, true);
    } else {
      complain(self, describe(err));
      st.term->restore_input(retry_line(chat, text));
    }
    sent(self);
  };
  if (chat.starts_with("private:"))
    // The peer actor answers within its deadline (chat.send-timeout), or
    // when it ends: a timeout here would cost a wake-up of CAF's clock
    // thread per message, 8 % of the round trip (docs/benchmarks.md).
    self->request(owner, caf::infinite, send_atom::value, key_of(chat), text)
        .then(on_ok, on_error);
  else if (chat == insults_chat)
    // Nobody echoes an insult back to its sender: confirm it here.
    self->request(owner, send_timeout, insult_atom::value, text)
        .then(
            [=](ok_atom) {
              auto& st = self->state;
              line_scope scope{st, n};
              st.print(
                  render(local_event(chat_event::info, insults_chat,
                                     "insult sent: the next one in the channel gets it"),
                         st.opts));
              sent(self);
            },
            on_error);
  else // waits in the group's bounded outbox while the broker is away
    self->request(owner, caf::infinite, post_atom::value, group_of(chat), text)
        .then(on_ok, on_error);
}

/// Sends `text` to `chat`, split at the message limit as irssi and WeeChat
/// split long lines.
void send_text(cli_pointer self, const std::string& chat, const std::string& text) {
  for (auto& piece : cli::split_text(text, self->state.max_message_bytes))
    send_piece(self, chat, piece);
}

void show_chats(cli_pointer self) {
  auto& st = self->state;
  auto n = st.line_no;
  auto list = [=](const std::vector<chat_summary>& chats) {
    line_scope scope{self->state, n};
    for (auto& c : chats)
      say(self,
          c.chat + (c.unread > 0 ? " (" + std::to_string(c.unread) + " unread)" : ""));
  };
  auto on_error = [=](caf::error& err) {
    line_scope scope{self->state, n};
    complain(self, describe(err));
  };
  for (auto& owner : {st.peers.private_chats, st.peers.broker})
    if (owner)
      self->request(owner, reply_timeout, chats_atom::value).then(list, on_error);
}

void show_lobby(cli_pointer self) {
  if (self->state.batch)
    return;
  auto& st = self->state;
  say(self, "lobby — /msg <user>, /join <group>, /who, /insult, /groups, /help, /quit");
  show_chats(self);
  // One discovery round tells who is online.
  if (st.peers.broker && !st.lobby_round) {
    st.lobby_round = true;
    caf::anon_send(st.peers.broker, discover_atom::value, true);
  }
}

void finish_quit(cli_pointer self) {
  auto& st = self->state;
  if (st.left)
    return;
  st.left = true;
  if (st.pending > 0)
    complain(self, std::to_string(st.pending) +
                       " message(s) not sent: the broker or the peer did not take them "
                       "in time");
  st.print(render_status("leaving", st.opts));
  // Main sees us end and shuts the session down (unregister, delete
  // subscriptions, close connections).
  self->quit();
}

/// Leaves once what the user sent is out (at most quit_grace later).
void quit(cli_pointer self) {
  auto& st = self->state;
  if (st.quitting)
    return;
  st.quitting = true;
  if (st.current != view::lobby)
    leave_view(self);
  if (st.pending == 0)
    return finish_quit(self);
  self->delayed_send(self, quit_grace, timeout_atom::value);
}

/// Unsubscribes from `group` and closes its window.
void leave_group(cli_pointer self, std::string group) {
  auto& st = self->state;
  if (!st.peers.broker)
    return complain(self, "groups need the broker, which is not connected");
  if (st.current == view::group && st.target == group)
    leave_view(self);
  self->request(st.peers.broker, reply_timeout, leave_atom::value, group)
      .then(
          [=, n = st.line_no](ok_atom) {
            line_scope scope{self->state, n};
            auto& st = self->state;
            st.groups.erase(group);
            save_groups(self);
            if (st.windows && st.window_chats.erase(group_chat(group)) > 0)
              st.term->close_window(group_chat(group));
            say(self, "left " + group);
          },
          [=, n = st.line_no](caf::error& err) {
            line_scope scope{self->state, n};
            complain(self, describe(err));
          });
}

/// The chat /close means: `target` ("@bob", "#room", "who", "insults"),
/// else the one shown.
std::string chat_to_close(const cli_state& st, const std::string& target) {
  if (target.empty())
    return st.current_chat();
  if (target.size() > 1 && target[0] == '#')
    return group_chat(target.substr(1));
  if (target == "who" || target == "discovery")
    return "discovery";
  if (target == "insults")
    return insults_chat;
  return "private:" + (target[0] == '@' ? target.substr(1) : target);
}

/// /close: a group's window leaves the group (as WeeChat's /close does);
/// any other window just goes away. The status window stays.
void close_chat(cli_pointer self, const std::string& target) {
  auto& st = self->state;
  auto chat = chat_to_close(st, target);
  if (chat.empty())
    return complain(self, "the status window stays open (/quit leaves)");
  if (chat.starts_with("group:")) {
    auto group = group_of(chat);
    if (st.groups.count(group) == 0)
      return complain(self, "no window " + target);
    return leave_group(self, group);
  }
  auto shown = chat == st.current_chat();
  if (!shown && st.window_chats.count(chat) == 0)
    return complain(self, "no window " + target);
  if (shown)
    leave_view(self);
  if (st.windows && st.window_chats.erase(chat) > 0)
    st.term->close_window(chat);
}

/// /window N, /window list, /window close (full screen only).
void run_window(cli_pointer self, const cli::command& cmd) {
  auto& st = self->state;
  if (!st.windows)
    return complain(self, "/window needs the full-screen client (not --plain)");
  if (cmd.target == "list")
    return st.term->list_windows();
  if (cmd.target == "close")
    return close_chat(self, {});
  st.term->show_window_number(std::stoul(cmd.target));
}

/// /whois: what the name server says of `name` now, and the groups the
/// last discovery round saw it in.
void whois(cli_pointer self, const std::string& name) {
  auto& st = self->state;
  self->request(st.peers.registry, reply_timeout, lookup_atom::value, name)
      .then(
          [=, n = st.line_no](const endpoint& ep) {
            auto& st = self->state;
            line_scope scope{st, n};
            std::string groups;
            for (auto& peer : st.last_report.live)
              if (peer.name == name)
                for (auto& group : peer.groups)
                  groups += " #" + group;
            say(self, name + " is at " + ep.host + ":" + std::to_string(ep.port) +
                          (groups.empty() ? "" : ", in" + groups));
            say(self, name + "'s identity key: " + full_key_fingerprint(ep.public_key));
          },
          [=, n = st.line_no](caf::error& err) {
            line_scope scope{self->state, n};
            complain(self, describe(err));
          });
}

void run_command(cli_pointer self, const cli::command& cmd) {
  auto& st = self->state;
  switch (cmd.kind) {
  case command_kind::none:
    return;
  case command_kind::invalid:
    return complain(self, cmd.error);
  case command_kind::text:
  case command_kind::me: {
    auto chat = st.current_chat();
    if (chat.empty() || chat == "discovery")
      return complain(self,
                      "not in a chat: /msg <user>, /join <group>, /insult (see /help)");
    // An action travels as "/me waves": original clients show it as it is.
    return send_text(self, chat,
                     cmd.kind == command_kind::me ? "/me " + cmd.text : cmd.text);
  }
  case command_kind::msg:
    if (cmd.to_group) {
      if (st.groups.count(cmd.target) == 0)
        return complain(self, "not a member of group " + cmd.target + ": /join " +
                                  cmd.target + " first");
      if (!cmd.text.empty())
        return send_text(self, group_chat(cmd.target), cmd.text);
      return enter_view(self, view::group, cmd.target);
    }
    [[fallthrough]];
  case command_kind::query:
    if (cmd.target == st.user)
      return complain(self, "that is you: /msg someone else");
    if (cmd.kind == command_kind::query)
      enter_view(self, view::private_chat, cmd.target);
    if (!cmd.text.empty())
      return send_text(self, "private:" + cmd.target, cmd.text);
    if (cmd.kind == command_kind::msg)
      enter_view(self, view::private_chat, cmd.target);
    return;
  case command_kind::join: {
    if (!st.peers.broker)
      return complain(self, "groups need the broker, which is not connected");
    auto group = cmd.target;
    ++st.pending;
    // Joining waits until the subscription is live, also across a reconnect;
    // what the user types meanwhile waits too (it is meant for the group).
    st.joining = true;
    self->request(st.peers.broker, send_timeout, join_atom::value, group, cmd.transient)
        .then(
            [=, transient = cmd.transient, n = st.line_no](ok_atom) {
              line_scope scope{self->state, n};
              self->state.groups[group] = transient;
              save_groups(self);
              if (self->state.batch)
                say(self, "joined " + group);
              enter_view(self, view::group, group, !self->state.batch);
              joined(self);
            },
            [=, n = st.line_no](caf::error& err) {
              line_scope scope{self->state, n};
              complain(self, describe(err));
              joined(self);
            });
    return;
  }
  case command_kind::open:
    // Only groups of this session have a view (and a queue): anything else
    // leaves the user where they were, with the reason.
    if (st.groups.count(cmd.target) == 0)
      return complain(self, "not a member of group " + cmd.target + ": /join " +
                                cmd.target + " first");
    return enter_view(self, view::group, cmd.target);
  case command_kind::leave:
    if (!cmd.target.empty())
      return leave_group(self, cmd.target);
    if (st.current != view::group)
      return complain(self, "usage: /leave <group> (or in a group's window)");
    return leave_group(self, st.target);
  case command_kind::close:
    return close_chat(self, cmd.target);
  case command_kind::groups:
    return show_chats(self);
  case command_kind::who:
    return enter_view(self, view::discovery, {});
  case command_kind::insult:
    if (!cmd.text.empty())
      return send_text(self, insults_chat, cmd.text);
    return enter_view(self, view::insults, {});
  case command_kind::history: {
    auto chat = st.current_chat();
    if (chat.empty() || chat == "discovery")
      return complain(self, "no chat open");
    return show_history(self, chat, true);
  }
  case command_kind::whois:
    return whois(self, cmd.target);
  case command_kind::trust:
    self->request(st.peers.private_chats, reply_timeout, trust_atom::value, cmd.target)
        .then(
            [=, peer = cmd.target, n = st.line_no](const std::string& what) {
              line_scope scope{self->state, n};
              say(self, what);
              // What waited for the new key goes out now, in order.
              auto held = std::move(self->state.held[peer]);
              self->state.held.erase(peer);
              for (auto& text : held)
                send_piece(self, "private:" + peer, text);
            },
            [=, n = st.line_no](caf::error& err) {
              line_scope scope{self->state, n};
              complain(self, describe(err));
            });
    return;
  case command_kind::back:
    if (st.current != view::lobby) {
      leave_view(self);
      show_lobby(self);
    }
    return;
  case command_kind::help:
    if (!cmd.text.empty()) {
      auto lines = cli::help_for(cmd.text);
      if (!lines)
        return complain(self, "no command " + cmd.text + " (try /help)");
      for (auto& line : *lines)
        say(self, line);
      return;
    }
    for (auto& line : cli::help_lines())
      say(self, line);
    return;
  case command_kind::quit:
    return quit(self);
  case command_kind::window:
    return run_window(self, cmd);
  case command_kind::lastlog:
    if (!st.windows)
      return complain(self, "/lastlog needs the full-screen client (not --plain)");
    return st.term->search_window(cmd.text);
  case command_kind::clear:
    if (!st.windows)
      return complain(self, "/clear needs the full-screen client (not --plain)");
    return st.term->clear_window();
  case command_kind::names: {
    auto group = !cmd.target.empty()         ? cmd.target
                 : st.current == view::group ? st.target
                                             : std::string{};
    if (group.empty())
      return complain(self, "usage: /names <group> (or in a group's window)");
    if (!st.peers.broker)
      return complain(self, "/names needs the broker, which is not connected");
    // One discovery round tells who is online in which groups; the answer
    // goes where the question was asked.
    st.names_for = group;
    st.names_chat = st.current_chat();
    st.names_line = st.line_no;
    if (st.current != view::discovery)
      caf::anon_send(st.peers.broker, discover_atom::value, true);
    return;
  }
  }
}

/// Names Tab completes: who is online and whom we talk to, and groups.
void update_names(cli_pointer self) {
  auto& st = self->state;
  std::vector<std::string> users;
  std::vector<std::string> groups;
  for (auto& peer : st.last_report.live) {
    users.push_back(peer.name);
    groups.insert(groups.end(), peer.groups.begin(), peer.groups.end());
  }
  for (auto& chat : st.window_chats)
    if (chat.starts_with("private:"))
      users.push_back(chat.substr(8));
  users.insert(users.end(), st.speakers.begin(), st.speakers.end());
  for (auto& [group, transient] : st.groups)
    groups.push_back(group);
  st.term->set_names(std::move(users), std::move(groups));
}

/// Online members of `group` in `report`, as one line for its window.
void show_names(cli_pointer self, const std::string& group,
                const discovery_report& report) {
  auto& st = self->state;
  std::string names;
  if (st.groups.count(group) > 0)
    names += " " + st.user;
  for (auto& peer : report.live)
    if (std::find(peer.groups.begin(), peer.groups.end(), group) != peer.groups.end())
      names += " " + peer.name;
  line_scope scope{st, st.names_line};
  print_in(
      self, st.names_chat,
      render(local_event(chat_event::info, "system",
                         "#" + group + " online:" + (names.empty() ? " nobody" : names)),
             st.opts));
}

/// The key of a join (or leave) notice in cli_state::noticed.
std::string notice_key(const std::string& group, const std::string& name, bool joined) {
  return group + " " + name + (joined ? " +" : " -");
}

/// A membership event (joined/left) from a group: a notice in the group's
/// window (opened if needed, not counted as unread: it is no message), so it
/// is there when the user looks; line modes print it where they are.
void show_membership(cli_pointer self, const chat_event& ev) {
  auto& st = self->state;
  if (!st.windows)
    return st.print(render(ev, st.opts));
  auto joined = ev.kind == chat_event::joined;
  auto group = group_of(ev.chat);
  if (st.noticed.size() >= cli_state::max_speakers)
    st.noticed.clear();
  st.noticed.erase(notice_key(group, ev.from, !joined));
  st.noticed.insert(notice_key(group, ev.from, joined));
  if (st.window_chats.insert(ev.chat).second)
    update_names(self);
  st.term->print_to(ev.chat, render(ev, st.opts), false, false);
}

/// Full screen: who joined or left our groups since the last round, in the
/// groups' windows (unless their own event said so already).
void show_group_changes(cli_pointer self, const discovery_report& before,
                        const discovery_report& after) {
  auto& st = self->state;
  auto members = [](const discovery_report& r, const std::string& group) {
    std::set<std::string> result;
    for (auto& peer : r.live)
      if (std::find(peer.groups.begin(), peer.groups.end(), group) != peer.groups.end())
        result.insert(peer.name);
    return result;
  };
  for (auto& [group, transient] : st.groups) {
    auto chat = group_chat(group);
    if (st.window_chats.count(chat) == 0)
      continue;
    auto old_members = members(before, group);
    auto new_members = members(after, group);
    for (auto& name : new_members)
      if (old_members.count(name) == 0 &&
          st.noticed.erase(notice_key(group, name, true)) == 0)
        print_in(self, chat,
                 render(local_event(chat_event::info, chat, name + " joined #" + group),
                        st.opts));
    for (auto& name : old_members)
      if (new_members.count(name) == 0 &&
          st.noticed.erase(notice_key(group, name, false)) == 0)
        print_in(self, chat,
                 render(local_event(chat_event::info, chat, name + " left #" + group),
                        st.opts));
  }
}

/// Full screen: the status bar's connection state follows what the links
/// and the registry say.
void track_connection(cli_pointer self, uint8_t kind, const std::string& text) {
  auto& st = self->state;
  std::string state;
  if (kind == chat_event::error && text.ends_with("reconnecting…"))
    state = "reconnecting…";
  else if (text.starts_with("name server unreachable"))
    state = "name server unreachable";
  else if (text != "reconnected" && text != "name server reachable again")
    return;
  if (std::exchange(st.connection, state) != state)
    st.term->set_session(st.user, st.server, st.connection);
}

/// The broker link restarted: subscribe again to this session's groups,
/// keeping their queues (and what arrived there meanwhile).
void rejoin_groups(cli_pointer self) {
  auto& st = self->state;
  for (auto& [group, transient] : st.groups)
    self->request(st.peers.broker, send_timeout, rejoin_atom::value, group, transient)
        .then(
            [=](ok_atom) {
              auto& st = self->state;
              say(self, "re-joined " + group);
              if (st.current_chat() == group_chat(group))
                caf::anon_send(st.peers.broker, open_atom::value, group_chat(group));
            },
            [=](caf::error& err) {
              self->state.groups.erase(group);
              complain(self, "cannot re-join " + group + ": " + describe(err));
            });
}

/// The line editor erases each line typed; what the user should still see
/// of it is shown again, above what it causes: every command, but no text
/// sent to a private chat or a group (it comes back under our name). The
/// full screen, like irssi and WeeChat, shows no commands: echoed into the
/// shown window, "/msg bob secret" typed in #room would show there.
void echo(cli_pointer self, const std::string& line, const cli::command& cmd) {
  auto& st = self->state;
  if (st.batch || st.windows || cmd.kind == command_kind::none)
    return;
  auto comes_back = st.current == view::private_chat || st.current == view::group;
  if (cmd.kind == command_kind::text && comes_back)
    return;
  st.print(cli::render_input(prompt_of(st), line, st.opts));
}

/// Whether `cmd` carries text for a private chat.
bool is_private(const cli_state& st, const cli::command& cmd) {
  return (cmd.kind == command_kind::text && st.current == view::private_chat) ||
         (cmd.kind == command_kind::msg && !cmd.text.empty());
}

/// Runs input line `n`.
void run_line(cli_pointer self, uint64_t n, const std::string& line) {
  auto& st = self->state;
  line_scope scope{st, n};
  // The menu numbers belong to the --plain lobby: in the full screen's
  // status window "6 is my lucky number" is text, not "6: exit".
  auto cmd = cli::parse_command(line, st.current == view::lobby && !st.windows);
  // What was typed for a private chat stays off the disk unless asked for.
  if (cmd.kind != command_kind::none && (st.history_private || !is_private(st, cmd)))
    st.term->keep_in_history(line);
  echo(self, line, cmd);
  run_command(self, cmd);
}

/// A join finished: run what was typed meanwhile.
void joined(cli_pointer self) {
  auto& st = self->state;
  st.joining = false;
  while (!st.joining && !st.backlog.empty()) {
    auto [n, line] = std::move(st.backlog.front());
    st.backlog.pop_front();
    run_line(self, n, line);
  }
  if (!st.joining && st.eof_seen)
    quit(self);
  sent(self);
}

void on_line(cli_pointer self, const std::string& line) {
  auto& st = self->state;
  auto n = ++st.lines_read;
  if (st.joining) {
    st.backlog.emplace_back(n, line);
    return;
  }
  run_line(self, n, line);
}

} // namespace

void cli_state::print(std::string line) {
  if (opts.style == cli::output_style::json && line_no != 0 && line.starts_with('{'))
    line.insert(1, "\"line\":" + std::to_string(line_no) + ",");
  term->print(std::move(line));
}

std::string cli_state::current_chat() const {
  switch (current) {
  case view::lobby:
    return {};
  case view::private_chat:
    return "private:" + target;
  case view::group:
    return group_chat(target);
  case view::discovery:
    return "discovery";
  case view::insults:
    return insults_chat;
  }
  return {};
}

cli_actor::behavior_type cli_impl(cli_pointer self, cli_settings settings) {
  auto& st = self->state;
  st.opts = settings.opts;
  st.batch = settings.batch;
  st.term = std::move(settings.term);
  st.windows = st.term->has_windows();
  st.history_dir = std::move(settings.history_dir);
  st.history_private = settings.history_private;
  st.log_dir = std::move(settings.log_dir);
  st.max_message_bytes = settings.max_message_bytes;
  return {
      [=](start_atom, const std::string& user, const cli_peers& peers) {
        auto& st = self->state;
        st.user = user;
        st.opts.self_name = user;
        st.peers = peers;
        st.term->set_prompt(prompt_of(st));
        auto me = caf::actor_cast<caf::actor>(self);
        st.term->set_session(user, st.server, {});
        st.term->start({[me](std::string line) {
                          caf::anon_send(me, line_atom::value, std::move(line));
                        },
                        [me] { caf::anon_send(me, eof_atom::value); },
                        [me](std::string chat) {
                          caf::anon_send(me, window_atom::value, std::move(chat));
                        }},
                       input_history_file(st.history_dir, user));
        update_names(self);
        if (!st.batch && !st.history_dir.empty()) {
          auto history = input_history_file(st.history_dir, user);
          if (!history.empty())
            st.groups_file = history.substr(0, history.rfind('/') + 1) + "groups-" + user;
          restore_groups(self);
        }
        show_lobby(self);
      },
      [=](link_atom, const cli_peers& peers) {
        auto& st = self->state;
        auto broker_restarted = st.peers.broker != peers.broker;
        st.peers = peers;
        if (!broker_restarted)
          return;
        rejoin_groups(self);
        // The new link knows nothing of the open view.
        if (st.current == view::insults)
          caf::anon_send(st.peers.broker, open_atom::value, std::string{insults_chat});
        else if (st.current == view::discovery)
          caf::anon_send(st.peers.broker, discover_atom::value, true);
      },
      [=](line_atom, const std::string& line) { on_line(self, line); },
      [=](eof_atom) {
        if (self->state.joining)
          self->state.eof_seen = true; // after the typed-ahead lines
        else
          quit(self);
      },
      [=](timeout_atom) { finish_quit(self); },
      [=](interrupt_atom) {
        auto& st = self->state;
        if (st.windows) {
          // The full screen takes Ctrl+C as a key (irssi and WeeChat users
          // press it for colours); a SIGINT from elsewhere never quits
          // without asking either.
          say(self, "Ctrl+C does not quit: type /quit to leave");
          return;
        }
        if (st.current == view::lobby && !st.batch) {
          // Quitting asks first: a second Ctrl+C soon after.
          auto now = std::chrono::steady_clock::now();
          if (st.interrupted && now - *st.interrupted < quit_confirm)
            return quit(self);
          st.interrupted = now;
          st.term->clear_line();
          return say(self, "press Ctrl+C again within 2 s to quit, or type /quit");
        }
        if (st.current == view::lobby)
          return quit(self); // a script's SIGINT
        st.term->clear_line();
        leave_view(self);
        show_lobby(self);
      },
      [=](event_atom, const chat_event& ev) {
        auto& st = self->state;
        if (ev.kind == chat_event::message && !st.log_dir.empty() &&
            !cli::append_to_log(st.log_dir, ev) && !std::exchange(st.log_failed, true))
          complain(self, "cannot write the chat log in " + st.log_dir +
                             " (no more such warnings)");
        if (ev.kind == chat_event::joined || ev.kind == chat_event::left)
          return show_membership(self, ev);
        if (st.windows) {
          if (ev.kind != chat_event::message) {
            track_connection(self, ev.kind, ev.text);
            // A peer's key change is a highlight in its window: sending
            // there waits for /trust.
            if (ev.kind == chat_event::error && ev.chat.starts_with("private:") &&
                ev.text.find("'s key changed") != std::string::npos) {
              if (st.window_chats.insert(ev.chat).second)
                update_names(self);
              st.term->print_to(ev.chat, render(ev, st.opts), true, true);
              return;
            }
            auto chat = st.window_chats.count(ev.chat) > 0 ? ev.chat : st.current_chat();
            st.term->print_to(chat, render(ev, st.opts), false, false);
            return;
          }
          // Its own window; a mention of us, or a new private chat, is
          // highlighted (and rings the bell).
          auto fresh = st.window_chats.insert(ev.chat).second;
          auto highlight = !ev.own && (ui::mentions(ev.text, st.user) ||
                                       (fresh && ev.chat.starts_with("private:")));
          // What we sent ourselves is nothing unread.
          st.term->print_to(ev.chat, render(ev, st.opts), !ev.own, highlight);
          auto speaker = !ev.own && !ev.from.empty() && ev.from != st.user &&
                         st.speakers.size() < cli_state::max_speakers &&
                         st.speakers.insert(cli::printable(ev.from)).second;
          if (fresh || speaker)
            update_names(self);
          return;
        }
        if (st.batch || ev.chat == st.current_chat() || ev.kind != chat_event::message) {
          st.print(render(ev, st.opts));
          return;
        }
        // Elsewhere: one short notice; the chat keeps it as unread.
        auto notice = ev;
        notice.text = "[" + ev.chat + "] " + ev.text;
        st.print(render(notice, st.opts));
      },
      [=](event_atom, const std::string& status) {
        auto& st = self->state;
        if (st.windows) {
          // The status bar names the server; run_client says it here first.
          if (auto at = status.find(", server ");
              status.starts_with("registered as ") && at != std::string::npos) {
            st.server = status.substr(at + 9);
            st.term->set_session(st.user, st.server, st.connection);
          }
          track_connection(self, chat_event::info, status);
          st.term->print_to({}, render_status(status, st.opts), false, false);
          return;
        }
        st.print(render_status(status, st.opts));
      },
      [=](window_atom, const std::string& chat) {
        // The user brought up another window: typed text goes there now.
        auto& st = self->state;
        if (chat == st.current_chat())
          return;
        if (chat.empty()) {
          leave_view(self, false);
        } else if (chat.starts_with("private:")) {
          enter_view(self, view::private_chat, chat.substr(8));
        } else if (chat.starts_with("group:")) {
          enter_view(self, view::group, group_of(chat));
        } else if (chat == "discovery") {
          enter_view(self, view::discovery, {});
        } else if (chat == insults_chat) {
          enter_view(self, view::insults, {});
        }
      },
      [=](report_atom, const discovery_report& report) {
        auto& st = self->state;
        auto before = std::exchange(st.last_report, report);
        if (st.windows) {
          update_names(self);
          if (std::exchange(st.have_report, true))
            show_group_changes(self, before, report);
        }
        if (!st.names_for.empty()) {
          show_names(self, std::exchange(st.names_for, {}), report);
          if (!st.lobby_round) {
            if (st.current != view::discovery)
              caf::anon_send(st.peers.broker, discover_atom::value, false);
            return;
          }
        }
        if (st.lobby_round && st.windows) {
          st.lobby_round = false;
          if (st.current != view::discovery)
            caf::anon_send(st.peers.broker, discover_atom::value, false);
          print_in(self, {}, render(cli::listing(report), st.opts));
          return;
        }
        if (st.lobby_round) {
          st.lobby_round = false;
          if (st.current != view::discovery)
            caf::anon_send(st.peers.broker, discover_atom::value, false);
          if (st.current == view::lobby)
            st.print(render(cli::listing(report), st.opts));
          return;
        }
        if (st.batch) // scripts read every round
          st.print(render(report, st.opts));
        else if (st.current != view::discovery)
          return;
        else if (!std::exchange(st.who_listed, true))
          st.print(render(cli::listing(report), st.opts));
        else if (auto changes = render_changes(report, st.opts); !changes.empty())
          say(self, changes);
      },
  };
}

} // namespace chat
