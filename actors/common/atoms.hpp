#pragma once

// Message tags shared by chat-actors' actors (CAF 0.17: at most 10 chars).

#include <caf/atom.hpp>

namespace chat {

using caf::atom;
using caf::atom_constant;

using ok_atom = atom_constant<atom("ok")>;
using register_atom = atom_constant<atom("register")>;
using unregister_atom = atom_constant<atom("unregister")>;
using lookup_atom = atom_constant<atom("lookup")>;
using refresh_atom = atom_constant<atom("refresh")>;
using status_atom = atom_constant<atom("status")>;
using locate_atom = atom_constant<atom("locate")>;
using retry_atom = atom_constant<atom("retry")>;
using timeout_atom = atom_constant<atom("timeout")>;
using datagram_atom = atom_constant<atom("datagram")>;
using stats_atom = atom_constant<atom("stats")>;
using probe_atom = atom_constant<atom("probe")>;
using exited_atom = atom_constant<atom("exited")>;
using ready_atom = atom_constant<atom("ready")>;
using down_atom = atom_constant<atom("down")>;
using start_atom = atom_constant<atom("start")>;
using event_atom = atom_constant<atom("event")>;
// Chats (CLI ↔ private chats, groups, discovery, insults).
using send_atom = atom_constant<atom("send")>;
using post_atom = atom_constant<atom("post")>;
using history_atom = atom_constant<atom("history")>;
using chats_atom = atom_constant<atom("chats")>;
using open_atom = atom_constant<atom("open")>;
using close_atom = atom_constant<atom("close")>;
using join_atom = atom_constant<atom("join")>;
using leave_atom = atom_constant<atom("leave")>;
using rejoin_atom = atom_constant<atom("rejoin")>;
using discover_atom = atom_constant<atom("discover")>;
using insult_atom = atom_constant<atom("insult")>;
using report_atom = atom_constant<atom("report")>;
using online_atom = atom_constant<atom("online")>;
// Terminal → CLI.
using line_atom = atom_constant<atom("line")>;
using eof_atom = atom_constant<atom("eof")>;
using interrupt_atom = atom_constant<atom("interrupt")>;
// Private chats (gRPC service ↔ manager ↔ peer actors).
using incoming_atom = atom_constant<atom("incoming")>;
using sent_atom = atom_constant<atom("sent")>;
using drop_atom = atom_constant<atom("drop")>;
using trust_atom = atom_constant<atom("trust")>;
// AMQP workers → their owning actors; discovery rounds; group lists.
using deliver_atom = atom_constant<atom("deliver")>;
using confirm_atom = atom_constant<atom("confirm")>;
using link_atom = atom_constant<atom("link")>;
using round_atom = atom_constant<atom("round")>;
using groups_atom = atom_constant<atom("groups")>;
using gathered_atom = atom_constant<atom("gathered")>;
using account_atom = atom_constant<atom("account")>;
using flush_atom = atom_constant<atom("flush")>;
using backlog_atom = atom_constant<atom("backlog")>;
// File transfers.
using file_atom = atom_constant<atom("file")>;
using progress_atom = atom_constant<atom("progress")>;
using finish_atom = atom_constant<atom("finish")>;
using recheck_atom = atom_constant<atom("recheck")>;
using cancel_atom = atom_constant<atom("cancel")>;
// Private messages kept for a user who is away (inbox actor, registry).
using inbox_atom = atom_constant<atom("inbox")>;
using identity_atom = atom_constant<atom("identity")>;

} // namespace chat
