#pragma once

// The CLI actor: renders what the chat actors report and turns what the
// user types into requests to them. It talks to everything by message: the
// terminal adapter hands it lines, the signal thread hands it Ctrl+C.

#include "actors/client/chat_types.hpp"
#include "actors/client/registry_actor.hpp"
#include "actors/common/atoms.hpp"
#include "adapters/client/terminal.hpp"
#include "cli/client/render.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace chat {

struct cli_peers;

/// The full-screen front end shows the window of a chat (a key, /window N).
using window_atom = caf::atom_constant<caf::atom("window")>;

/// start: the session is registered; read the terminal from now on. link:
/// a chat actor was restarted, talk to these handles now (the groups of this
/// session are re-joined).
using cli_actor =
    caf::typed_actor<caf::reacts_to<start_atom, std::string, cli_peers>,
                     caf::reacts_to<link_atom, cli_peers>,
                     caf::reacts_to<line_atom, std::string>, caf::reacts_to<eof_atom>,
                     caf::reacts_to<interrupt_atom>, caf::reacts_to<timeout_atom>,
                     caf::reacts_to<event_atom, chat_event>,
                     caf::reacts_to<event_atom, std::string>,
                     caf::reacts_to<report_atom, discovery_report>,
                     caf::reacts_to<window_atom, std::string>>;

/// Everything the CLI talks to. Chat actors are held untyped: the CLI only
/// relies on the messages listed in actors/common/atoms.hpp.
struct cli_peers {
  registry_actor registry;
  /// Private chats: send, history, chats, open, close (by peer name).
  caf::actor private_chats;
  /// Groups, discovery, insults: join, leave, post, history, chats, open,
  /// close, insult, discover.
  caf::actor broker;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cli_peers& x) {
  return f(caf::meta::type_name("cli_peers"), x.registry, x.private_chats, x.broker);
}

struct cli_state {
  /// What the user looks at.
  enum class view { lobby, private_chat, group, discovery, insults };

  std::shared_ptr<terminal> term;
  cli::render_options opts;
  cli_peers peers;
  /// Our user name.
  std::string user;
  view current = view::lobby;
  /// Peer or group of the open view.
  std::string target;
  /// Batch mode: every event is printed, whatever the view.
  bool batch = false;
  /// Where the input history file of `user` goes (empty: none kept).
  std::string history_dir;
  /// Lines typed for a private chat go to the history file too.
  bool history_private = false;
  bool started = false;
  bool quitting = false;
  /// Quitting is done.
  bool left = false;
  /// Sends, joins and leaves still waiting for an answer.
  size_t pending = 0;
  /// Groups joined in this session (name → transient), re-joined when the
  /// broker link restarts.
  std::map<std::string, bool> groups;
  /// A join is in flight; lines typed meanwhile wait in `backlog`.
  bool joining = false;
  /// Lines typed while a join runs, with their numbers.
  std::deque<std::pair<uint64_t, std::string>> backlog;
  /// The lobby asked for one discovery round (who is online).
  bool lobby_round = false;
  /// The discovery view has shown the full list since it was entered;
  /// later rounds show only who joined or left.
  bool who_listed = false;
  /// --plain: when Ctrl+C was last pressed in the lobby (a second one soon
  /// after quits).
  std::optional<std::chrono::steady_clock::time_point> interrupted;
  /// End of input came while lines waited.
  bool eof_seen = false;
  /// Input lines read so far; each line's number tags what it causes.
  uint64_t lines_read = 0;
  /// The input line whose command is running (its output carries the number
  /// in JSON as "line"), 0 if none.
  uint64_t line_no = 0;

  /// Full screen: one window per chat (the terminal has windows).
  bool windows = false;
  /// Full screen: chats that have a window (their history was shown once).
  std::set<std::string> window_chats;
  /// Full screen: who wrote in a chat we see (Tab completes them, as irssi
  /// completes the nicks that spoke), at most max_speakers.
  std::set<std::string> speakers;
  static constexpr size_t max_speakers = 1000;
  /// Full screen: the server and the connection state for the status bar.
  std::string server;
  std::string connection;
  /// The last discovery round (Tab completion, /names, join/leave notices).
  discovery_report last_report;
  /// A round came already (the first one has nothing to compare with).
  bool have_report = false;
  /// Full screen: join/leave notices shown from membership events
  /// ("<group> <name> +" or "-"), so the next discovery round does not say
  /// the same again; at most max_speakers.
  std::set<std::string> noticed;
  /// Interactive: the groups joined, kept for the next start (empty: not
  /// kept).
  std::string groups_file;
  /// Where per-chat logs go (empty: none); whether writing one failed.
  std::string log_dir;
  bool log_failed = false;
  /// /names asked for this group's members at the next discovery round,
  /// typed as input line `names_line` in the window of `names_chat`.
  std::string names_for;
  std::string names_chat;
  uint64_t names_line = 0;
  /// Longest message text (chat.max-message-bytes): longer ones are split.
  size_t max_message_bytes = 4096;
  /// Private messages held because the peer's key changed (peer → texts),
  /// sent after /trust.
  std::map<std::string, std::vector<std::string>> held;

  /// "private:bob", "group:room", "insults", "discovery" or "" (lobby).
  std::string current_chat() const;

  /// Prints one line (any style); JSON output caused by a command carries
  /// the command's input line number, so a script can match replies.
  void print(std::string line);

  static inline const char* name = "cli";
};

using cli_pointer = cli_actor::stateful_pointer<cli_state>;

struct cli_settings {
  cli::render_options opts;
  bool batch = false;
  std::shared_ptr<terminal> term;
  /// Where input history files go (one per user name; empty: none kept).
  std::string history_dir;
  /// Keep lines typed for private chats in the history file too.
  bool history_private = false;
  /// Where per-chat logs go (empty: none).
  std::string log_dir;
  /// Longest message text (chat.max-message-bytes).
  size_t max_message_bytes = 4096;
};

/// Prints what it is told; reads the terminal after `start`; ends
/// (normally) when the user quits.
cli_actor::behavior_type cli_impl(cli_pointer self, cli_settings settings);

} // namespace chat
