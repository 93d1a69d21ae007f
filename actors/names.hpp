#pragma once

// The naming rule for users and groups. Names become AMQP routing keys and
// queue names (`<user>.<group>.msg`, `<user>:<group>`), so `.`, `*`, `#`,
// `:` and spaces must never get through.

#include <string>
#include <string_view>

namespace chat {

inline constexpr size_t max_name_length = 32;

/// Empty if `name` is a valid user or group name, else why it is not.
std::string name_problem(std::string_view name);

} // namespace chat
