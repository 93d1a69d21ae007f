#include "actors/client/file_transfer_actor.hpp"

#include <caf/actor_cast.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/local_actor.hpp>

namespace chat {

file_transfer_state::~file_transfer_state() {
  stop->store(true);
  if (fetch)
    fetch->cancel();
  if (ctx.offered && !info.incoming && !info.id.empty())
    ctx.offered->remove(info.id);
}

void run_detached(caf::local_actor* self, std::function<void()> job) {
  self->spawn<caf::detached>([job = std::move(job)](caf::blocking_actor*) { job(); });
}

} // namespace chat
