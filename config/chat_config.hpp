#pragma once

// The actor system configuration of chat-actors: every `chat.*` option with
// its default (config/defaults.hpp), the config-file search path, our own
// `--help`, and validation that turns a bad value into one clear line.

#include <caf/actor_system_config.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace chat {

/// The value kinds our options take; drives registration, help and checks.
enum class option_kind { string, port, integer, boolean, duration };

/// One `chat.<key>` option.
struct option_spec {
  std::string_view key;
  option_kind kind;
  std::string default_text;
  std::string_view help;
};

/// All `chat.*` options, in the order `--help` shows them.
const std::vector<option_spec>& chat_options();

class chat_config : public caf::actor_system_config {
public:
  chat_config();

  /// Outcome of `load`.
  enum class load_result { run, exit_ok, exit_usage };

  /// Reads the config file and the command line (without the subcommand).
  /// Prints help, version or a one-line error itself.
  load_result load(std::vector<std::string> args);

  /// The config file that was read, empty if none.
  std::string config_file_used;

  /// Why `load` returned exit_usage: the one line it printed.
  std::string error;
};

/// Where the config file is looked up when no `--config-file` is given.
std::vector<std::string> config_search_path();

/// Checks a config file before CAF reads it: one line naming the file, the
/// line and what is wrong for a syntax error, an unknown section or key (in
/// `options`), or a `chat.*` value of the wrong type. Empty = all fine.
std::string check_file(const std::string& path, const caf::config_option_set& options);

/// Checks every `chat.*` value that was set; the error names the key and the
/// expected form. Empty string = all fine.
std::string validate(const caf::actor_system_config& cfg);

} // namespace chat
