#pragma once

// Helpers both sides of a transfer use (actors/client/file_transfer_actor.hpp).

#include "actors/client/chat_types.hpp"
#include "actors/client/file_transfer_actor.hpp"
#include "actors/client/private_chat_keys.hpp"

#include <caf/send.hpp>

#include <string>

namespace chat::file_transfers {

/// A copy of the transfer's info as an event of `kind` to the manager.
inline void emit(file_transfer_pointer self, uint8_t kind, std::string text = {}) {
  auto ev = self->state.info;
  ev.kind = kind;
  ev.text = std::move(text);
  ev.ts_ms = now_ms();
  caf::anon_send(self->state.manager, event_atom::value, std::move(ev));
}

/// Tells the user once per wait (a note is not repeated at every retry).
inline void note_once(file_transfer_pointer self, std::string text) {
  if (self->state.told_waiting)
    return;
  self->state.told_waiting = true;
  emit(self, file_event::info, std::move(text));
}

/// A progress event at most once a second, and always at the end.
inline void report_progress(file_transfer_pointer self, uint64_t bytes) {
  auto& st = self->state;
  st.info.bytes = bytes;
  auto now = std::chrono::steady_clock::now();
  auto elapsed = now - st.last_report;
  if (elapsed < std::chrono::seconds{1} && bytes < st.info.size)
    return;
  auto secs = std::chrono::duration<double>(elapsed).count();
  st.info.rate =
      st.last_report.time_since_epoch().count() == 0 || secs <= 0
          ? 0
          : static_cast<double>(bytes - std::min(bytes, st.reported_bytes)) / secs;
  st.last_report = now;
  st.reported_bytes = bytes;
  emit(self, file_event::progress);
}

/// The peer's FileTransfer endpoint, if its entry vouches for a TLS
/// certificate (chat-actors clients; original clients take no files).
inline bool file_endpoint(const std::string& name, const endpoint& ep, file_peer& out) {
  if (!tls_vouched(name, ep) || ep.tls_port == 0)
    return false;
  out = {ep.host, ep.tls_port, ep.tls_cert};
  return true;
}

/// Tells the sender of offer `id` how it ended (fire and forget: a sender
/// that does not hear it sees the offer go unfetched).
template <class Self>
void tell_sender(Self* self, const file_context& ctx, const std::string& sender,
                 file_conclusion outcome) {
  self->request(ctx.registry, ctx.call_timeout, lookup_atom::value, sender)
      .then(
          [=](const endpoint& ep) {
            file_peer to;
            if (!file_endpoint(sender, ep, to))
              return;
            run_detached(
                self,
                [to, tls = ctx.tls, outcome,
                 timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
                     ctx.call_timeout)] { conclude_file(to, tls, outcome, timeout); });
          },
          [](const caf::error&) {});
}

} // namespace chat::file_transfers
