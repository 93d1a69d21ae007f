#pragma once

// Entry points of the subcommands, called by main after configuration.

#include <caf/fwd.hpp>

#include <string>
#include <vector>

namespace chat {

class chat_config;

int run_server(caf::actor_system& sys, const chat_config& cfg);

/// `chat-actors server --show-join-code`: prints the join code (creating
/// the secrets on a first run), without starting anything.
int run_show_join_code(const chat_config& cfg);

/// `chat-actors server --status`: the cluster as this node sees it
/// (members, Redis master and replicas, RabbitMQ nodes, partitions,
/// alarms, quorum queue replicas).
int run_server_status(const chat_config& cfg);

/// `chat-actors server --forget-user=NAME`: deletes NAME's broker account,
/// so that the name can be bound to another identity key.
int run_forget_user(const chat_config& cfg, const std::string& name);

/// Client flags that are not `chat.*` options.
struct client_flags {
  /// Line-by-line commands and one line per event, even on a TTY.
  bool batch = false;
  /// Events as JSON lines.
  bool json = false;
  /// Interactive: the line editor instead of the full-screen client.
  bool plain = false;
  /// No colours (as NO_COLOR does).
  bool no_color = false;
  /// server: print the join code and exit.
  bool show_join_code = false;
  /// server: print the cluster's state and exit.
  bool status = false;
  /// server: delete this user's broker account and exit.
  std::string forget_user;
  /// One-shot subcommand: "send" or "who"; empty = a chat session.
  std::string oneshot;
  /// send: the peer (--to) or the group (--group), and the text.
  std::string to;
  std::string group;
  std::string text;
  /// send: a file to offer (--file) instead of a text.
  std::string file;
};

int run_client(caf::actor_system& sys, const chat_config& cfg, const client_flags& flags);

/// Takes `--to NAME`, `--group NAME` (or `--to=NAME`, …) and the words of
/// the text out of `args`; the rest stays for the configuration. Returns
/// what is wrong, or nothing.
std::string take_send_arguments(std::vector<std::string>& args, client_flags& flags);

/// `chat-actors send --to bob TEXT`, `send --group room TEXT`, `who`.
int run_oneshot(caf::actor_system& sys, const chat_config& cfg,
                const client_flags& flags);

/// Prints the server's address as found by the LAN locator.
int run_locate(caf::actor_system& sys, const chat_config& cfg);

/// Blocks SIGINT/SIGTERM in every thread created from now on, so that only
/// `wait_for_shutdown_signal` sees them.
void block_shutdown_signals();

} // namespace chat
