#pragma once

// What the chat actors tell the CLI, and what the CLI asks them for. Shared
// by private chats, groups, discovery and the insult channel, so the CLI
// renders all of them the same way.

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

/// One line in a chat view or an event for the CLI.
struct chat_event {
  enum kind_t : uint8_t {
    message, ///< a chat message (private, group or insult)
    info,    ///< something the user should know (peer offline, reconnected, …)
    error,   ///< something failed
    joined,  ///< `from` joined the group `chat` (a notice, not a message)
    left,    ///< `from` left the group `chat`
  };
  uint8_t kind = message;
  /// "private:<peer>", "group:<group>", "insults", "discovery" or "system".
  std::string chat;
  /// Sender name; empty for info/error.
  std::string from;
  std::string text;
  /// Milliseconds since the epoch (system clock), when we received or sent it.
  int64_t ts_ms = 0;
  /// Sent by this user.
  bool own = false;
  /// Sender proved its identity (messages and join/leave notices; always
  /// true for own lines).
  bool verified = true;
  /// Said while we were away (waited on the server for our return); ts_ms
  /// is then when it was sent, if the sender said.
  bool backlog = false;

  friend bool operator==(const chat_event&, const chat_event&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_event& x) {
  return f(caf::meta::type_name("chat_event"), x.kind, x.chat, x.from, x.text, x.ts_ms,
           x.own, x.verified, x.backlog);
}

/// A chat in the lobby listing.
struct chat_summary {
  std::string chat;
  uint32_t unread = 0;
  friend bool operator==(const chat_summary&, const chat_summary&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_summary& x) {
  return f(caf::meta::type_name("chat_summary"), x.chat, x.unread);
}

/// Another user, as a discovery round saw them.
struct peer_info {
  std::string name;
  /// Their private-chat endpoint, "host:port"; empty if they did not say
  /// (original clients answer with the bare name).
  std::string endpoint;
  std::vector<std::string> groups;
  friend bool operator==(const peer_info&, const peer_info&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, peer_info& x) {
  return f(caf::meta::type_name("peer_info"), x.name, x.endpoint, x.groups);
}

/// The outcome of one discovery round.
struct discovery_report {
  std::vector<peer_info> live;
  std::vector<std::string> joined;
  std::vector<std::string> left;
  friend bool operator==(const discovery_report&, const discovery_report&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, discovery_report& x) {
  return f(caf::meta::type_name("discovery_report"), x.live, x.joined, x.left);
}

/// Milliseconds since the epoch, for chat_event::ts_ms.
/// Chat ids (chat_event::chat) of groups: "group:<group>".
std::string group_chat(const std::string& group);
/// The group of a "group:<group>" chat id; empty if it is none.
std::string group_of(std::string_view chat);
/// The chat id of the insult channel.
inline constexpr const char* insults_chat = "insults";

int64_t now_ms();

} // namespace chat
