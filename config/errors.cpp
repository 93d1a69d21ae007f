#include "config/errors.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/make_message.hpp>
#include <caf/sec.hpp>

namespace chat {

namespace {

constexpr auto category = caf::atom("chat");

std::string render_chat(uint8_t, caf::atom_value, const caf::message& context) {
  if (context.match_elements<std::string>())
    return context.get_as<std::string>(0);
  return "chat error";
}

} // namespace

caf::error make_error(errc code, std::string what) {
  return caf::error{static_cast<uint8_t>(code), category,
                    caf::make_message(std::move(what))};
}

bool is(const caf::error& err, errc code) {
  return err.category() == category && err.code() == static_cast<uint8_t>(code);
}

std::string describe(const caf::error& err) {
  if (!err)
    return "no error";
  if (err.category() == category)
    return render_chat(err.code(), err.category(), err.context());
  if (err == caf::sec::request_timeout)
    return "no answer in time (is the server reachable?)";
  return caf::actor_system_config::render(err);
}

void add_error_category(caf::actor_system_config& cfg) {
  cfg.add_error_category(category, render_chat);
}

} // namespace chat
