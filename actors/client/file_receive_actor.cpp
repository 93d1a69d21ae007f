// The receiving side of a transfer (actors/client/file_transfer_actor.hpp).

#include "actors/client/file_offer_rules.hpp"
#include "actors/client/file_transfer_actor.hpp"
#include "actors/client/file_transfer_common.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

namespace chat {

namespace {

using namespace file_transfers;

/// A checkpoint (sync + state file) after this many bytes: what a crash
/// may cost, fetched again.
constexpr uint64_t checkpoint_bytes = 8 * 1024 * 1024;

/// gRPC codes the fetch job reports besides those of the call.
constexpr int32_t code_cancelled = 1;
constexpr int32_t code_not_found = 5;
constexpr int32_t code_local_failure = 8; // RESOURCE_EXHAUSTED
constexpr int32_t code_data_loss = 15;

file_offer offer_of(const part_record& r) {
  return {r.id, r.sender, r.receiver, r.name, r.size, r.sha256, r.signature, {}};
}

/// Tells the sender how it ended, at the endpoint of the last fetch: the
/// actor quits right after, so there is no time for a lookup's answer.
void conclude(file_transfer_pointer self, file_outcome outcome, std::string detail) {
  auto& st = self->state;
  if (st.peer.port == 0)
    return; // never reached the sender: it sees the offer go unfetched
  file_conclusion outcome_msg{
      st.info.id, st.ctx.user, static_cast<int32_t>(outcome), std::move(detail), {}};
  run_detached(
      self, [to = st.peer, tls = st.ctx.tls, outcome_msg,
             timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
                 st.ctx.call_timeout)] { conclude_file(to, tls, outcome_msg, timeout); });
}

/// Ends the transfer without the file; the partial copy is kept only if
/// `keep` (our disk failed: the user may make room and send again).
void give_up(file_transfer_pointer self, file_outcome outcome, std::string text,
             bool keep = false) {
  auto& st = self->state;
  st.part.reset();
  if (!keep)
    part_file::discard(st.info.path);
  conclude(self, outcome, text);
  emit(self, file_event::failed, std::move(text));
  self->quit();
}

/// Fetches from the copy's end in a detached job.
void start_fetch(file_transfer_pointer self) {
  auto& st = self->state;
  auto fetch = std::make_shared<file_fetch>();
  st.fetch = fetch;
  st.watched = st.info.bytes;
  auto hdl = caf::actor_cast<caf::actor>(self);
  run_detached(self, [hdl, fetch, slot = st.part, record = st.record,
                      final_path = st.info.path, from = st.peer, tls = st.ctx.tls] {
    auto done = [&](int32_t code, std::string detail, std::string placed = {}) {
      caf::anon_send(hdl, finish_atom::value, code, std::move(detail), std::move(placed));
    };
    auto& file = *slot;
    if (!file) {
      std::string error;
      file = part_file::open(final_path, record, error);
      if (!file)
        return done(code_local_failure, error);
    }
    caf::anon_send(hdl, progress_atom::value, file->offset());
    if (file->offset() < record.size) {
      uint64_t since = 0;
      bool local = false;
      auto status =
          fetch->run(from, tls, record.id, record.receiver, file->offset(),
                     [&](uint64_t offset, std::string_view data) -> std::string {
                       if (auto problem = file->append(offset, data); !problem.empty()) {
                         local = file->write_failed();
                         return problem;
                       }
                       if ((since += data.size()) >= checkpoint_bytes) {
                         since = 0;
                         if (auto problem = file->checkpoint(); !problem.empty()) {
                           local = true;
                           return problem;
                         }
                       }
                       caf::anon_send(hdl, progress_atom::value, file->offset());
                       return {};
                     });
      // Whatever arrived intact is kept for the next attempt.
      auto problem = file->checkpoint();
      if (local || (!problem.empty() && status.is(delivery_code::ok)))
        return done(code_local_failure, local ? status.detail : problem);
      if (!status.is(delivery_code::ok))
        return done(status.code, status.detail);
      if (file->offset() < record.size)
        return done(static_cast<int32_t>(delivery_code::unavailable),
                    "the stream ended early");
    }
    std::string placed;
    if (auto problem = file->finish(placed); !problem.empty())
      return done(code_data_loss, problem);
    done(0, {}, placed);
  });
}

/// Looks the sender up (its session may be new) and fetches.
void resume(file_transfer_pointer self) {
  auto& st = self->state;
  if (st.fetch)
    return;
  auto sender = st.info.peer;
  self->request(st.ctx.registry, st.ctx.call_timeout, lookup_atom::value, sender)
      .then(
          [=](const endpoint& ep) {
            auto& st = self->state;
            if (st.fetch)
              return;
            // Checked again on every lookup: a resumed transfer comes from
            // a state file, and the sender's session may be another one.
            auto offer = offer_of(st.record);
            offer.peer_cert = ep.tls_cert;
            if (!file_endpoint(sender, ep, st.peer) ||
                !offer_problem(offer, ep, st.ctx.user).empty())
              return give_up(self, file_outcome::failed,
                             "the offer is not signed by " + sender +
                                 "'s identity key: refused");
            st.info.verified =
                !st.ctx.pins ||
                st.ctx.pins->check(sender, ep.public_key) != pin_status::changed;
            start_fetch(self);
          },
          [=](const caf::error&) {
            note_once(self, "waiting for " + sender + " to come back");
            self->delayed_send(self, self->state.ctx.retry_delay * 2, retry_atom::value);
          });
}

} // namespace

file_transfer_actor::behavior_type
file_receive_impl(file_transfer_pointer self, file_context ctx, caf::actor manager,
                  part_record record, std::string final_path, bool verified) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.manager = std::move(manager);
  st.info.id = record.id;
  st.info.peer = record.sender;
  st.info.incoming = true;
  st.info.name = record.name;
  st.info.path = std::move(final_path);
  st.info.size = record.size;
  st.info.bytes = record.offset;
  st.info.sha256 = record.sha256;
  st.info.verified = verified;
  st.record = std::move(record);
  st.part = std::make_shared<std::unique_ptr<part_file>>();
  self->send(self, retry_atom::value);
  self->delayed_send(self, st.ctx.stall_timeout, timeout_atom::value);
  return {
      [=](retry_atom) { resume(self); },
      [=](progress_atom, uint64_t bytes) {
        if (bytes > self->state.info.bytes && self->state.told_waiting) {
          self->state.told_waiting = false;
        }
        report_progress(self, bytes);
      },
      [=](finish_atom, int32_t code, std::string& detail, std::string& placed) {
        auto& st = self->state;
        st.fetch.reset();
        auto sender = st.info.peer;
        if (code == 0) {
          st.info.path = placed;
          st.info.bytes = st.info.size;
          conclude(self, file_outcome::done, {});
          emit(self, file_event::done, "saved as " + placed + "; SHA-256 checked");
          return self->quit();
        }
        if (st.cancelled)
          return give_up(self, file_outcome::cancelled, "cancelled");
        if (code == code_local_failure)
          return give_up(self, file_outcome::failed, detail, true);
        if (code == code_data_loss ||
            code == static_cast<int32_t>(delivery_code::invalid_argument))
          return give_up(self, file_outcome::failed, "refused: " + detail);
        if (code == code_not_found)
          return give_up(self, file_outcome::failed, sender + " no longer offers it");
        // Link down, sender away or restarted, stalled: again from here.
        auto pct = st.info.size == 0 ? 100 : st.info.bytes * 100 / st.info.size;
        note_once(self, "connection to " + sender + " lost at " + std::to_string(pct) +
                            "%; resuming when possible");
        self->delayed_send(self, st.ctx.retry_delay, retry_atom::value);
      },
      [=](timeout_atom) {
        // Watchdog: a fetch that brought nothing since the last tick is
        // stuck on a dead link; ending it lets the next attempt reconnect.
        auto& st = self->state;
        if (st.fetch && st.info.bytes == st.watched)
          st.fetch->cancel();
        st.watched = st.info.bytes;
        self->delayed_send(self, st.ctx.stall_timeout, timeout_atom::value);
      },
      [=](cancel_atom) {
        auto& st = self->state;
        st.cancelled = true;
        if (st.fetch)
          st.fetch->cancel(); // the job ends, then finish gives up
        else
          give_up(self, file_outcome::cancelled, "cancelled");
      },
      [=](ready_atom, std::string&, uint64_t, std::string&) {},
      [=](sent_atom, int32_t, std::string&) {},
      [=](recheck_atom, std::string&) {},
  };
}

} // namespace chat
