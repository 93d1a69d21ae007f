#pragma once

// What the server and client supervisors share: a table of named children,
// each spawned by a function, monitored and linked, and restarted with a
// growing delay when it fails; the supervisor gives up (and fails itself)
// after too many restarts of one child.

#include "config/defaults.hpp"

#include <caf/actor.hpp>
#include <caf/event_based_actor.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace chat {

struct supervised_child {
  std::function<caf::actor()> spawn;
  caf::actor handle;
  /// Its restarts in this run (defaults::child_restarts).
  backoff restarts{defaults::child_restarts};
};

class child_table {
public:
  /// Registers `name`; `restarts` says how often (and after what delay) it
  /// is restarted before the supervisor gives up.
  void add(const std::string& name, std::function<caf::actor()> spawn,
           backoff_policy restarts = defaults::child_restarts) {
    auto& child = children_[name];
    child.spawn = std::move(spawn);
    child.restarts = backoff{restarts};
  }

  /// Spawns `name`; the supervisor monitors it and is linked to it, so the
  /// child goes down with the supervisor.
  caf::actor start(caf::event_based_actor* self, const std::string& name);

  /// Supervises `handle`, spawned elsewhere; `spawn` (if any) restarts it.
  void adopt(caf::event_based_actor* self, const std::string& name, caf::actor handle,
             std::function<caf::actor()> spawn = {});

  /// Whether a failed `name` can be started again.
  bool restartable(const std::string& name) const {
    auto i = children_.find(name);
    return i != children_.end() && static_cast<bool>(i->second.spawn);
  }

  /// The child that `addr` belongs to, empty if none.
  std::string name_of(const caf::actor_addr& addr) const;

  /// Forgets a failed child's handle; returns the delay before its restart,
  /// or nothing if it failed too often.
  std::optional<caf::timespan> failed(const std::string& name);

  /// Sends every child an exit message with `reason`.
  void stop_all(caf::event_based_actor* self, const caf::error& reason);

  caf::actor handle(const std::string& name) const;

private:
  std::map<std::string, supervised_child> children_;
};

} // namespace chat
