#pragma once

// CAF 0.17's dsl.hpp uses an undefined FAIL() in request<T>().
#define FAIL(msg) CAF_FAIL(msg)
#include <caf/test/dsl.hpp>

#include <caf/event_based_actor.hpp>

namespace chat::test {

/// Sends `xs...` to `dest` as a request from a fresh actor; `handlers` (a
/// result handler, optionally an error handler) get the answer once the
/// test scheduler runs.
template <class Dest, class... Handlers, class... Ts>
void ask(caf::actor_system& sys, const Dest& dest, std::tuple<Handlers...> handlers,
         Ts... xs) {
  sys.spawn([=](caf::event_based_actor* asker) -> caf::behavior {
    std::apply(
        [&](auto... hs) { asker->request(dest, caf::infinite, xs...).then(hs...); },
        handlers);
    return {[](int) {}};
  });
}

} // namespace chat::test
