#pragma once

// Keeps one server program (redis-server, rabbitmq-server) available.
// If something already answers on the configured port it is used as is;
// otherwise (managed mode) the actor starts the program as a child, waits
// until it answers, and restarts it with exponential backoff whenever it
// dies. The child never outlives the actor (see adapters/child_process).
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
    caf::typed_actor<caf::reacts_to<start_atom>, caf::reacts_to<probe_atom>,
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
  /// Restarts since the service last ran for a while.
  backoff retry{defaults::service_restarts};

  static inline const char* name = "service";
};

using service_pointer = service_actor::stateful_pointer<service_state>;

service_actor::behavior_type service_impl(service_pointer self, service_spec spec,
                                          caf::actor parent);

} // namespace chat
