#include "actors/server/service_actor.hpp"

#include "adapters/common/thread_name.hpp"
#include "config/defaults.hpp"
#include "config/errors.hpp"

#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <spdlog/spdlog.h>

namespace chat {

namespace {

/// A run this long counts as stable and resets the backoff.
constexpr auto stable_run = std::chrono::seconds{30};

void launch(service_pointer self) {
  auto& st = self->state;
  auto spec = st.spec.prepare();
  std::string error;
  if (spec)
    st.pid = child_process::spawn(*spec, error);
  if (!spec || st.pid < 0) {
    auto why = spec ? error : describe(spec.error());
    self->quit(
        make_error(errc::service_failed, "cannot start " + st.spec.name + ": " + why));
    return;
  }
  spdlog::info("{}: started (pid {}), log: {}", st.spec.name, st.pid, spec->log_file);
  st.started_at = caf::make_timestamp();
  st.failed_checks = 0;
  ++st.run;
  st.waiter = std::thread{[pid = st.pid, hdl = caf::actor_cast<caf::actor>(self)] {
    name_this_thread("chat.child-wait");
    auto status = child_process::wait(pid);
    caf::anon_send(hdl, exited_atom::value, int32_t{pid}, int32_t{status});
  }};
  self->delayed_send(self, st.spec.probe_interval, probe_atom::value, st.run);
}

/// A ready child: does it still answer as it should? One that fails too
/// many checks in a row is stopped (and restarted when it has exited).
void check_liveness(service_pointer self) {
  auto& st = self->state;
  if (st.spec.answers()) {
    st.failed_checks = 0;
  } else if (++st.failed_checks >= st.spec.liveness_failures) {
    spdlog::error("{}: does not answer as it should ({} checks in a row), restarting it",
                  st.spec.name, st.failed_checks);
    caf::anon_send(st.parent, down_atom::value, st.spec.name,
                   std::string{"answers wrongly or not at all, restarting"});
    child_process::terminate(st.pid);
    return;
  }
  self->delayed_send(self, st.spec.liveness_interval, probe_atom::value, st.run);
}

} // namespace

service_state::~service_state() {
  if (pid > 0)
    child_process::terminate(pid);
  if (waiter.joinable())
    waiter.join();
}

service_actor::behavior_type service_impl(service_pointer self, service_spec spec,
                                          caf::actor parent) {
  self->state.retry = backoff{spec.restarts};
  self->state.spec = std::move(spec);
  self->state.parent = std::move(parent);
  self->send(self, start_atom::value);
  return {
      [=](start_atom) {
        auto& st = self->state;
        if (st.pid > 0)
          return;
        if (st.spec.answers()) {
          st.ready = true;
          caf::anon_send(st.parent, ready_atom::value, st.spec.name,
                         "port " + std::to_string(st.spec.port) + ", not managed");
          return;
        }
        if (!st.spec.managed) {
          self->quit(make_error(errc::service_failed, st.spec.name +
                                                          " does not answer on port " +
                                                          std::to_string(st.spec.port) +
                                                          " and chat.managed is false"));
          return;
        }
        launch(self);
      },
      [=](probe_atom, uint32_t run) {
        auto& st = self->state;
        if (st.pid <= 0 || run != st.run)
          return;
        if (st.ready) {
          check_liveness(self);
          return;
        }
        if (st.spec.answers()) {
          st.ready = true;
          caf::anon_send(st.parent, ready_atom::value, st.spec.name,
                         "port " + std::to_string(st.spec.port) + ", managed, pid " +
                             std::to_string(st.pid));
          if (st.spec.liveness_interval > caf::timespan{})
            self->delayed_send(self, st.spec.liveness_interval, probe_atom::value,
                               st.run);
          return;
        }
        if (caf::make_timestamp() - st.started_at > st.spec.ready_timeout) {
          spdlog::error("{}: no answer after start, stopping it", st.spec.name);
          child_process::terminate(st.pid);
          return;
        }
        self->delayed_send(self, st.spec.probe_interval, probe_atom::value, st.run);
      },
      [=](exited_atom, int32_t pid, int32_t status) {
        auto& st = self->state;
        if (pid != st.pid)
          return;
        if (st.waiter.joinable())
          st.waiter.join();
        st.pid = -1;
        st.ready = false;
        if (caf::make_timestamp() - st.started_at > stable_run)
          st.retry.reset();
        // Never nothing: the policy has no attempt limit.
        auto delay = st.retry.next().value_or(st.spec.probe_interval);
        auto why = describe_wait_status(status);
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(delay).count();
        caf::anon_send(st.parent, down_atom::value, st.spec.name,
                       why + ", restarting in " + std::to_string(ms) + " ms");
        self->delayed_send(self, delay, start_atom::value);
      },
  };
}

} // namespace chat
