#pragma once

// The naming rule for users and groups. Names become AMQP routing keys and
// queue names (`<user>.<group>.msg`, `<user>:<group>`), so `.`, `*`, `#`,
// `:` and spaces must never get through.

#include <string>
#include <string_view>
#include <vector>

namespace chat {

inline constexpr size_t max_name_length = 32;

/// Empty if `name` is a valid user or group name, else why it is not.
std::string name_problem(std::string_view name);

/// Group names as discovery answers and the registry carry them: "a,b".
std::string join_names(const std::vector<std::string>& names);

/// The valid names of a "a,b" list; anything else in it is dropped (it
/// comes from other clients).
std::vector<std::string> split_names(const std::string& list);

} // namespace chat
