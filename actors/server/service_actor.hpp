#pragma once

// Keeps one server program (redis-server, rabbitmq-server) available.
// If something already answers on the configured port it is used as is;
// otherwise (managed mode) the actor starts the program as a child, waits
// until it answers, keeps checking that it still does, and restarts it with
// a growing (capped) delay whenever it dies or stops answering as it
// should; it never gives up. The child never outlives the actor (see
// adapters/child_process).
//
// Tells its parent (ready_atom, name, std::string how) and
// (down_atom, name, std::string why).

#include "actors/common/atoms.hpp"
#include "adapters/server/child_process.hpp"
#include "adapters/server/service_spec.hpp"
#include "config/defaults.hpp"

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <functional>
#include <thread>

namespace chat {

using service_actor =
    caf::typed_actor<caf::reacts_to<start_atom>, caf::reacts_to<probe_atom, uint32_t>,
                     caf::reacts_to<exited_atom, int32_t, int32_t>>;

struct service_state {
  ~service_state();

  service_spec spec;
  /// Gets ready/down notices.
  caf::actor parent;
  /// The reaper of the running child, or -1.
  pid_t pid = -1;
  /// Blocks in waitpid for `pid`; reports (exited_atom, pid, status).
  std::thread waiter;
  /// When the current child was started.
  caf::timestamp started_at;
  bool ready = false;
  /// Counts the children started; a probe carries the run it belongs to,
  /// so that one left over from an earlier child is ignored.
  uint32_t run = 0;
  /// Liveness checks failed in a row since the child was ready.
  int failed_checks = 0;
  /// Restarts since the service last ran for a while.
  backoff retry{defaults::service_restarts};

  static inline const char* name = "service";
};

using service_pointer = service_actor::stateful_pointer<service_state>;

service_actor::behavior_type service_impl(service_pointer self, service_spec spec,
                                          caf::actor parent);

} // namespace chat
