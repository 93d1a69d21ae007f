// The sending side of a transfer (actors/client/file_transfer_actor.hpp).

#include "actors/client/file_offer_rules.hpp"
#include "actors/client/file_transfer_actor.hpp"
#include "actors/client/file_transfer_common.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <filesystem>

namespace chat {

namespace {

using namespace file_transfers;

/// Pause between announcements to a receiver that is away.
constexpr auto announce_retry = std::chrono::seconds{3};

void fail(file_transfer_pointer self, std::string text) {
  emit(self, file_event::failed, std::move(text));
  self->quit();
}

/// Looks the receiver up, publishes the offer for it and announces it.
void announce(file_transfer_pointer self) {
  auto& st = self->state;
  auto peer = st.info.peer;
  self->request(st.ctx.registry, st.ctx.call_timeout, lookup_atom::value, peer)
      .then(
          [=](const endpoint& ep) {
            auto& st = self->state;
            if (!file_endpoint(peer, ep, st.peer))
              return fail(self, peer + " cannot receive files (no identity key: an "
                                       "original client)");
            if (st.ctx.pins &&
                st.ctx.pins->check(peer, ep.public_key) == pin_status::changed)
              return fail(self, peer + "'s identity key changed: /trust " + peer +
                                    " first if you trust the new one");
            st.ctx.offered->put(st.info.id,
                                {st.info.path, st.info.size, peer, st.peer.cert});
            auto hdl = caf::actor_cast<caf::actor>(self);
            auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
                st.ctx.call_timeout);
            run_detached(
                self, [hdl, to = st.peer, tls = st.ctx.tls, offer = st.offer, timeout] {
                  auto s = announce_file(to, tls, offer, timeout);
                  caf::anon_send(hdl, sent_atom::value, s.code, s.detail);
                });
          },
          [=](const caf::error&) {
            note_once(self, peer + " is away; the offer waits until they return");
            self->delayed_send(self, announce_retry, retry_atom::value);
          });
}

} // namespace

file_transfer_actor::behavior_type file_send_impl(file_transfer_pointer self,
                                                  file_context ctx, caf::actor manager,
                                                  std::string id, std::string peer,
                                                  std::string path) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.manager = std::move(manager);
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  st.info.id = id;
  st.info.peer = peer;
  st.info.incoming = false;
  st.info.path = ec ? path : absolute.string();
  st.info.name = std::filesystem::path{path}.filename().string();
  st.info.verified = true;
  auto hdl = caf::actor_cast<caf::actor>(self);
  run_detached(self, [hdl, path = st.info.path, stop = st.stop] {
    uint64_t size = 0;
    std::string error;
    auto sha = hash_file(path, size, error, stop.get());
    caf::anon_send(hdl, ready_atom::value, sha, size, error);
  });
  return {
      [=](ready_atom, std::string& sha, uint64_t size, std::string& error) {
        auto& st = self->state;
        if (sha.empty())
          return fail(self, "cannot send " + st.info.path + ": " + error);
        st.info.size = size;
        st.info.sha256 = sha;
        file_offer offer;
        offer.id = st.info.id;
        offer.sender = st.ctx.user;
        offer.receiver = st.info.peer;
        offer.name = st.info.name;
        offer.size = size;
        offer.sha256 = sha;
        st.offer = sign_offer(std::move(offer), *st.ctx.identity);
        announce(self);
      },
      [=](sent_atom, int32_t code, std::string& detail) {
        auto& st = self->state;
        delivery_status s{code, detail};
        if (s.is(delivery_code::ok)) {
          if (!st.announced)
            emit(self, file_event::offer);
          st.announced = true;
          st.told_waiting = false;
          return;
        }
        if (s.is(delivery_code::unavailable) || s.is(delivery_code::deadline_exceeded)) {
          note_once(self, st.info.peer + " is unreachable; the offer waits");
          self->delayed_send(self, announce_retry, retry_atom::value);
          return;
        }
        fail(self, st.info.peer + " refused the offer: " + detail);
      },
      [=](retry_atom) { announce(self); },
      [=](progress_atom, uint64_t bytes) { report_progress(self, bytes); },
      [=](finish_atom, int32_t code, std::string& detail, std::string&) {
        auto& st = self->state;
        auto peer = st.info.peer;
        switch (static_cast<file_outcome>(code)) {
        case file_outcome::done:
          st.info.bytes = st.info.size;
          emit(self, file_event::done, peer + " has it; SHA-256 checked");
          return self->quit();
        case file_outcome::declined:
          return fail(self, peer + " declined");
        case file_outcome::cancelled:
          return fail(self, peer + " cancelled");
        default:
          return fail(self, peer + " could not receive it: " + detail);
        }
      },
      [=](recheck_atom, std::string& cert) {
        // The receiver restarted: its new certificate may fetch if its
        // entry vouches for it with the pinned key.
        auto peer = self->state.info.peer;
        self->request(self->state.ctx.registry, self->state.ctx.call_timeout,
                      lookup_atom::value, peer)
            .then(
                [=](const endpoint& ep) {
                  auto& st = self->state;
                  file_peer now;
                  if (file_endpoint(peer, ep, now) && now.cert == cert &&
                      (!st.ctx.pins ||
                       st.ctx.pins->check(peer, ep.public_key) != pin_status::changed)) {
                    st.peer = now;
                    st.ctx.offered->set_cert(st.info.id, cert);
                  }
                },
                [](const caf::error&) {});
      },
      [=](cancel_atom) { fail(self, "cancelled"); },
      [=](timeout_atom) {},
  };
}

} // namespace chat
