#include "actors/common/supervision.hpp"

namespace chat {

caf::actor child_table::start(caf::event_based_actor* self, const std::string& name) {
  auto& child = children_[name];
  child.handle = child.spawn();
  self->monitor(child.handle);
  self->link_to(child.handle);
  return child.handle;
}

void child_table::adopt(caf::event_based_actor* self, const std::string& name,
                        caf::actor handle, std::function<caf::actor()> spawn) {
  auto& child = children_[name];
  child.spawn = std::move(spawn);
  child.handle = std::move(handle);
  self->monitor(child.handle);
  self->link_to(child.handle);
}

std::string child_table::name_of(const caf::actor_addr& addr) const {
  for (auto& [name, child] : children_)
    if (child.handle && child.handle.address() == addr)
      return name;
  return {};
}

std::optional<caf::timespan> child_table::failed(const std::string& name) {
  auto& child = children_[name];
  child.handle = nullptr;
  return child.restarts.next();
}

void child_table::stop_all(caf::event_based_actor* self, const caf::error& reason) {
  for (auto& [name, child] : children_)
    if (child.handle)
      self->send_exit(child.handle, reason);
}

caf::actor child_table::handle(const std::string& name) const {
  auto i = children_.find(name);
  return i == children_.end() ? caf::actor{} : i->second.handle;
}

} // namespace chat
