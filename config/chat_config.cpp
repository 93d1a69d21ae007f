#include "config/chat_config.hpp"

#include "config/defaults.hpp"
#include "config/theme.hpp"

#include <caf/config_option_adder.hpp>
#include <caf/config_value.hpp>
#include <caf/pec.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>

namespace chat {

namespace {

std::string seconds_text(caf::timespan x) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(x).count();
  if (ms >= 3'600'000 && ms % 3'600'000 == 0)
    return std::to_string(ms / 3'600'000) + "h";
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

std::string quoted(std::string_view x) {
  return "\"" + std::string{x} + "\"";
}

} // namespace

const std::vector<option_spec>& chat_options() {
  using k = option_kind;
  namespace d = defaults;
  static const std::vector<option_spec> options{
      {"name", k::string, quoted(d::name), "user name; empty = ask at start-up"},
      {"server", k::string, quoted(d::server),
       "address of the server node (a cluster: several, comma-separated); empty = find "
       "it by UDP broadcast"},
      {"locator-port", k::port, std::to_string(d::locator_port),
       "UDP port of the LAN locator"},
      {"locator-broadcast", k::string, quoted(d::locator_broadcast),
       "address the client broadcasts its search to"},
      {"locator-timeout", k::duration, seconds_text(d::locator_timeout),
       "give up searching for the server after this long"},
      {"join-code", k::string, quoted(d::join_code),
       "secure mode: the server's join code; empty = the stored one, else ask"},
      {"allow-original-clients", k::boolean, d::allow_original_clients ? "true" : "false",
       "open mode for original clients: no passwords, no TLS (trusted LAN only)"},
      {"amqp-tls-port", k::port, std::to_string(d::amqp_tls_port),
       "server: RabbitMQ port with TLS (secure mode)"},
      {"redis-tls-port", k::port, std::to_string(d::redis_tls_port),
       "server: TLS port in front of Redis (secure mode)"},
      {"redis-port", k::port, std::to_string(d::redis_port),
       "Redis (name server) TCP port"},
      {"redis-db", k::integer, std::to_string(d::redis_db), "Redis database number"},
      {"redis-password", k::string, quoted(d::redis_password),
       "Redis password; empty = none (a managed Redis then needs none either)"},
      {"amqp-port", k::port, std::to_string(d::amqp_port),
       "RabbitMQ (AMQP 0-9-1) TCP port"},
      {"amqp-vhost", k::string, quoted(d::amqp_vhost), "RabbitMQ virtual host"},
      {"amqp-user", k::string, quoted(d::amqp_user), "RabbitMQ user"},
      {"amqp-password", k::string, quoted(d::amqp_password), "RabbitMQ password"},
      {"grpc-host", k::string, quoted(d::grpc_host),
       "address the private-chat service binds to"},
      {"grpc-port", k::port, std::to_string(d::grpc_port),
       "port of the private-chat service (TLS; in open mode the plaintext one for "
       "original clients, TLS then on a free port); 0 = any free port"},
      {"history-size", k::integer, std::to_string(d::history_size),
       "messages kept per private chat and per group"},
      {"send-timeout", k::duration, seconds_text(d::send_timeout),
       "a private message fails if not delivered within this long"},
      {"max-message-bytes", k::integer, std::to_string(d::max_message_bytes),
       "longest private message text in bytes (UTF-8)"},
      {"history-bytes", k::integer, std::to_string(d::history_bytes),
       "bytes of text kept per group and per private chat (oldest dropped first)"},
      {"max-conversations", k::integer, std::to_string(d::max_conversations),
       "private conversations kept at once; the least recently active makes room"},
      {"max-connections-per-host", k::integer,
       std::to_string(d::max_connections_per_host),
       "connections one host may hold open to the private-chat service"},
      {"listener-check-interval", k::duration, seconds_text(d::listener_check_interval),
       "how often the private-chat service checks that it still accepts"},
      {"max-groups", k::integer, std::to_string(d::max_groups),
       "groups one client may join at once"},
      {"outbox-size", k::integer, std::to_string(d::outbox_size),
       "group messages that may wait for the broker per group; more are refused"},
      {"history-private", k::boolean, d::history_private ? "true" : "false",
       "keep lines typed for private chats in the input history file too"},
      {"output-queue", k::integer, std::to_string(d::output_queue),
       "bytes of events that may wait for a slow terminal or reader; more are dropped"},
      {"bell", k::boolean, d::bell ? "true" : "false",
       "full screen: ring the terminal bell on a highlight"},
      {"scrollback", k::integer, std::to_string(d::scrollback),
       "full screen: lines each window keeps"},
      {"log-dir", k::string, quoted(d::log_dir),
       "per-chat logs, one file per chat and day (mode 0600); empty = none"},
      {"managed", k::boolean, d::managed ? "true" : "false",
       "server: start and supervise redis-server/rabbitmq-server if none answers"},
      {"state-dir", k::string, quoted(d::state_dir),
       "server: data of managed services; empty = ~/.local/state/chat-actors"},
      {"lease-ttl", k::duration, seconds_text(d::lease_ttl),
       "registry lease; refreshed every ttl/3, frees a crashed client's name"},
      {"queue-expiry", k::duration, seconds_text(d::queue_expiry),
       "a crashed client's broker queues are deleted after this long unused"},
      {"away-keep", k::duration, seconds_text(d::away_keep),
       "secure mode: group messages wait this long for a member who is away"},
      {"away-max-messages", k::integer, std::to_string(d::away_max_messages),
       "secure mode: messages that wait per group for a member who is away"},
      {"discovery-interval", k::duration, seconds_text(d::discovery_interval),
       "a discovery round: request, collect answers, report"},
      {"discovery-settle", k::duration, seconds_text(d::discovery_settle),
       "how long after its start a discovery round reports (registry + answers)"},
      {"cluster-secret", k::string, quoted(d::cluster_secret),
       "server: run as a cluster node; the secret every node of the cluster shares"},
      {"join", k::string, quoted(d::join),
       "server: address of a running node whose cluster to join"},
      {"node-address", k::string, quoted(d::node_address),
       "server: this node's LAN address; empty = detected"},
      {"sentinel-port", k::port, std::to_string(d::sentinel_port),
       "server: Redis Sentinel port of a cluster node"},
      {"sentinel-tls-port", k::port, std::to_string(d::sentinel_tls_port),
       "server: TLS port in front of the cluster node's Sentinel"},
      {"redis-max-memory", k::integer, std::to_string(d::redis_max_memory),
       "server: bytes a managed Redis may use; least recently used keys go first"},
      {"member-queue-max-bytes", k::integer, std::to_string(d::member_queue_max_bytes),
       "server: bytes a member's broker queue may hold; the oldest messages go first"},
      {"service-restart-max-delay", k::duration, seconds_text(d::service_restarts.max),
       "server: longest delay between restarts of a managed service that keeps "
       "failing (never given up)"},
  };
  return options;
}

chat_config::chat_config() {
  // Before the file and the command line, which may set another one.
  set("scheduler.policy", caf::atom_from_string(defaults::scheduler_policy));
  set("scheduler.max-threads", defaults::scheduler_threads);
  opt_group group{custom_options_, "chat"};
  for (auto& opt : chat_options()) {
    switch (opt.kind) {
    case option_kind::string:
      group.add<std::string>(opt.key, opt.help);
      break;
    case option_kind::port:
      group.add<uint16_t>(opt.key, opt.help);
      break;
    case option_kind::integer:
      group.add<int64_t>(opt.key, opt.help);
      break;
    case option_kind::boolean:
      group.template add<bool>(opt.key, opt.help);
      break;
    case option_kind::duration:
      group.add<caf::timespan>(opt.key, opt.help);
      break;
    }
  }
}

std::vector<std::string> config_search_path() {
  std::vector<std::string> result{"caf-application.conf"};
  if (auto xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    result.emplace_back(std::string{xdg} + "/chat-actors/caf-application.conf");
  else if (auto home = std::getenv("HOME"); home && *home)
    result.emplace_back(std::string{home} + "/.config/chat-actors/caf-application.conf");
  return result;
}

namespace {

void print_help(std::ostream& out) {
  out << "usage: chat-actors [client|server|send|who|locate] [flags] "
         "[--chat.<key>=<value> ...]\n\n"
         "  client (default)  chat client: interactive on a terminal, else line by line\n"
         "  server            run the server node (Redis, RabbitMQ, LAN locator)\n"
         "  send              one message: send --to USER TEXT, or send --group GROUP "
         "TEXT\n"
         "  who               who is online (one discovery round)\n"
         "  locate            print the server address the LAN locator finds\n\n"
         "client flags:\n"
         "  --batch           commands line by line from stdin, one line per event\n"
         "                    (the default when stdin is not a terminal)\n"
         "  --json            events as JSON lines\n"
         "  --plain           interactive line mode instead of the full-screen client\n"
         "                    (also when TERM is dumb)\n"
         "  --no-color        no colours (as the NO_COLOR variable)\n\n"
         "server flags:\n"
         "  --show-join-code  print the join code clients need, and exit\n"
         "  --status          a cluster node: the cluster as this node sees it\n"
         "  --forget-user=NAME  delete NAME's broker account (bound to its identity\n"
         "                    key), so that another key may take the name\n\n"
         "options (also settable in caf-application.conf, section [chat]):\n";
  for (auto& opt : chat_options()) {
    std::string lhs = "  --chat." + std::string{opt.key} + "=" + opt.default_text;
    out << lhs << std::string(lhs.size() < 40 ? 40 - lhs.size() : 1, ' ') << opt.help
        << '\n';
  }
  out << "  --chat.theme.<key>=COLOUR             colours ([chat.theme] in the file), "
         "keys:\n"
         "                                         ";
  for (auto key : theme_keys())
    out << ' ' << key;
  out << "\n                                          COLOUR: default, black, red, "
         "green, "
         "yellow, blue,\n                                          magenta, cyan, white, "
         "bright-…, 0..255\n                                          (nicks: a "
         "comma-separated list)\n";
  out << "  --config-file=PATH                    config file; default: the first of\n";
  for (auto& path : config_search_path())
    out << "                                          " << path << '\n';
  out << "  --help, --version\n";
}

bool is_option(const std::string& arg, std::string_view name) {
  return arg == name || arg.starts_with(std::string{name} + "=");
}

const option_spec* find_option(std::string_view key) {
  for (auto& opt : chat_options())
    if (opt.key == key)
      return &opt;
  return nullptr;
}

std::string expected_form(option_kind kind) {
  switch (kind) {
  case option_kind::string:
    return "a string (in the file: in double quotes, e.g. \"text\")";
  case option_kind::port:
    return "a port number 0..65535";
  case option_kind::integer:
    return "an integer";
  case option_kind::boolean:
    return "true or false";
  case option_kind::duration:
    return "a duration such as 15s or 250ms";
  }
  return "";
}

std::string bad_value(std::string_view key, option_kind kind) {
  return "bad value for chat." + std::string{key} + ": expected " + expected_form(kind);
}

/// Checks one `--chat.key=value` argument before CAF sees it, so that the
/// error names the key and the expected form.
std::string check_cli_argument(const std::string& arg) {
  static const std::regex integer{R"(-?[0-9]+)"};
  static const std::regex duration{R"([0-9]+(\.[0-9]+)?(ns|us|ms|s|min|h))"};
  auto eq = arg.find('=');
  auto key = std::string_view{arg}.substr(7, eq == std::string::npos ? std::string::npos
                                                                     : eq - 7);
  auto opt = find_option(key);
  if (opt == nullptr)
    return "unknown option --chat." + std::string{key} + " (try --help)";
  if (eq == std::string::npos)
    return "option --chat." + std::string{key} + " needs a value: --chat." +
           std::string{key} + "=<value>";
  auto value = arg.substr(eq + 1);
  bool ok = true;
  switch (opt->kind) {
  case option_kind::string:
    break;
  case option_kind::port:
    ok = std::regex_match(value, integer) && value.size() < 7 && std::stol(value) >= 0 &&
         std::stol(value) <= 65535;
    break;
  case option_kind::integer:
    ok = std::regex_match(value, integer) && value.size() < 18;
    break;
  case option_kind::boolean:
    ok = value == "true" || value == "false";
    break;
  case option_kind::duration:
    ok = std::regex_match(value, duration);
    break;
  }
  return ok ? std::string{} : bad_value(key, opt->kind) + ", got '" + value + "'";
}

/// The line of `path` that opens `[section]`, or that sets `key` in it
/// (1-based; 0 if not found).
size_t line_of(const std::string& path, const std::string& section,
               const std::string& key = {}) {
  static const std::regex header{R"(\s*\[\s*([^\]\s]*)\s*\]\s*(;.*)?)"};
  static const std::regex entry{R"(\s*([^=\s]+)\s*=.*)"};
  std::ifstream in{path};
  std::string current;
  std::smatch m;
  size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (std::regex_match(line, m, header)) {
      current = m[1];
      if (key.empty() && current == section)
        return n;
    } else if (!key.empty() && current == section && std::regex_match(line, m, entry) &&
               m[1] == key) {
      return n;
    }
  }
  return 0;
}

/// "PATH:LINE: " (or "PATH: " when the line is not known).
std::string where(const std::string& path, size_t line) {
  return path + (line > 0 ? ":" + std::to_string(line) : std::string{}) + ": ";
}

/// A CAF parser error in words, and its line (0 if none).
std::pair<std::string, size_t> parse_problem(const caf::error& err) {
  if (err.category() != caf::atom("parser"))
    return {caf::actor_system_config::render(err), 0};
  auto code = static_cast<caf::pec>(err.code());
  std::string what;
  switch (code) {
  case caf::pec::unexpected_character:
    what = "unexpected character: a value is a number, true or false, a duration "
           "(15s) or a string in double quotes (name=\"alice\")";
    break;
  case caf::pec::unexpected_newline:
    what = "unexpected end of the line: a value is missing or a quote is not closed";
    break;
  case caf::pec::unexpected_eof:
    what = "unexpected end of the file";
    break;
  default:
    what = to_string(code);
    std::replace(what.begin(), what.end(), '_', ' ');
  }
  size_t line = 0;
  if (err.context().match_elements<caf::settings>()) {
    auto& ctx = err.context().get_as<caf::settings>(0);
    if (auto x = caf::get_if<int64_t>(&ctx, "line"))
      line = static_cast<size_t>(*x);
    if (auto arg = caf::get_if<std::string>(&ctx, "argument"))
      what = "cannot read " + *arg + ": " + what;
  }
  return {what, line};
}

} // namespace

/// Values CAF would silently ignore in a file (wrong type, out of range,
/// unknown section or key) become errors here.
std::string check_file(const std::string& path, const caf::config_option_set& options) {
  auto raw = caf::actor_system_config::parse_config_file(path.c_str());
  if (!raw && raw.error().category() != caf::atom("parser"))
    return "cannot read config file " + path + ": " +
           caf::actor_system_config::render(raw.error());
  if (!raw) {
    auto [what, line] = parse_problem(raw.error());
    return where(path, line) + what;
  }
  for (auto& [name, value] : *raw) {
    auto entries = caf::get_if<caf::settings>(&value);
    if (entries == nullptr) // a key outside of any section
      return where(path, line_of(path, "global", name)) + "unknown option " + name +
             " (options go in a section such as [chat])";
    if (name == "chat")
      continue;
    bool known_section = false;
    for (auto& opt : options)
      known_section = known_section || opt.category() == name;
    if (!known_section)
      return where(path, line_of(path, name)) + "unknown section [" + name +
             "] (chat-actors options go in [chat])";
    for (auto& entry : *entries)
      if (options.qualified_name_lookup(name, entry.first) == nullptr)
        return where(path, line_of(path, name, entry.first)) + "unknown option " + name +
               "." + entry.first;
  }
  auto section = caf::get_if<caf::settings>(&*raw, "chat");
  if (!section)
    return {};
  for (auto& [key, value] : *section) {
    if (key == "theme") {
      std::string bad_key;
      if (auto problem = check_theme(value, &bad_key); !problem.empty())
        return where(path, bad_key.empty() ? line_of(path, "chat.theme")
                                           : line_of(path, "chat.theme", bad_key)) +
               problem;
      continue;
    }
    auto at = where(path, line_of(path, "chat", key));
    auto opt = find_option(key);
    if (opt == nullptr)
      return at + "unknown option chat." + key + " (try --help)";
    bool ok = false;
    switch (opt->kind) {
    case option_kind::string:
      ok = caf::holds_alternative<std::string>(value);
      break;
    case option_kind::port:
      ok = caf::holds_alternative<uint16_t>(value);
      break;
    case option_kind::integer:
      ok = caf::holds_alternative<int64_t>(value);
      break;
    case option_kind::boolean:
      ok = caf::holds_alternative<bool>(value);
      break;
    case option_kind::duration:
      ok = caf::holds_alternative<caf::timespan>(value);
      break;
    }
    if (!ok)
      return at + bad_value(key, opt->kind) + ", got " + caf::to_string(value);
  }
  return {};
}

chat_config::load_result chat_config::load(std::vector<std::string> args) {
  for (auto& arg : args) {
    if (arg == "--help" || arg == "-h") {
      print_help(std::cout);
      return load_result::exit_ok;
    }
    if (arg == "--version") {
      std::cout << "chat-actors " << CHAT_VERSION << '\n';
      return load_result::exit_ok;
    }
  }
  auto fail = [this](const std::string& what) {
    error = what;
    std::cerr << "chat-actors: " << what << '\n';
    return load_result::exit_usage;
  };
  // Pick the config file ourselves: an explicit one must exist, the default
  // ones are optional.
  std::vector<std::string> rest;
  std::vector<std::pair<std::string, bool>> booleans;
  // --chat.theme.KEY=COLOUR: checked here, put into the settings once CAF
  // has read the rest (CAF knows no such options).
  std::vector<std::pair<std::string, std::string>> colours;
  for (auto& arg : args) {
    if (is_option(arg, "--config-file")) {
      if (arg.size() <= 14)
        return fail("--config-file needs a path: --config-file=PATH");
      config_file_used = arg.substr(14);
      if (!std::filesystem::exists(config_file_used))
        return fail("config file not found: " + config_file_used);
    } else if (arg.starts_with("--chat.theme.")) {
      auto eq = arg.find('=');
      auto key = arg.substr(13, eq == std::string::npos ? std::string::npos : eq - 13);
      if (eq == std::string::npos)
        return fail("option --chat.theme." + key + " needs a value: --chat.theme." + key +
                    "=<colour>");
      theme scratch = default_theme();
      auto value = arg.substr(eq + 1);
      if (auto problem = set_theme_value(scratch, key, caf::config_value{value});
          !problem.empty())
        return fail(problem);
      colours.emplace_back("chat.theme." + key, value);
    } else if (arg.starts_with("--chat.")) {
      if (auto problem = check_cli_argument(arg); !problem.empty())
        return fail(problem);
      // CAF 0.17 reads a boolean on the command line only as a bare flag
      // ("--chat.managed=true" is an "illegal argument" to it): we set
      // booleans ourselves once CAF has read the rest.
      auto eq = arg.find('=');
      auto opt = find_option(std::string_view{arg}.substr(7, eq - 7));
      if (opt != nullptr && opt->kind == option_kind::boolean) {
        booleans.emplace_back("chat." + std::string{opt->key},
                              arg.substr(eq + 1) == "true");
        continue;
      }
      rest.emplace_back(arg);
    } else if (arg.starts_with("--")) {
      // CAF's own options; CAF would answer anything else with its raw
      // parser error.
      auto name = arg.substr(2, arg.find('=') - 2);
      if (custom_options_.cli_long_name_lookup(name) == nullptr)
        return fail("unknown option --" + name + " (try --help)");
      rest.emplace_back(arg);
    } else {
      rest.emplace_back(arg);
    }
  }
  if (config_file_used.empty())
    for (auto& path : config_search_path())
      if (std::filesystem::exists(path)) {
        config_file_used = path;
        break;
      }
  std::ifstream file;
  std::istringstream no_file;
  if (!config_file_used.empty()) {
    if (auto problem = check_file(config_file_used, custom_options_); !problem.empty())
      return fail(problem);
    file.open(config_file_used);
  }
  auto err = parse(std::move(rest), config_file_used.empty()
                                        ? static_cast<std::istream&>(no_file)
                                        : static_cast<std::istream&>(file));
  if (err)
    return fail(parse_problem(err).first);
  for (auto& [key, value] : booleans)
    set(key, value);
  for (auto& [key, value] : colours)
    caf::put(content, key, value);
  if (cli_helptext_printed)
    return load_result::exit_ok;
  if (!remainder.empty())
    return fail("unexpected argument '" + remainder.front() + "' (try --help)");
  if (auto problem = validate(*this); !problem.empty())
    return fail(problem);
  return load_result::run;
}

namespace {

/// An integer option and the range it must lie in.
struct integer_range {
  const char* key;
  int64_t fallback;
  int64_t min;
  int64_t max;
};

/// The server node's services each need a TCP port of their own: two on
/// one port leave the second restarting forever (it cannot bind).
std::string check_distinct_ports(const caf::actor_system_config& cfg) {
  namespace d = defaults;
  const std::pair<const char*, uint16_t> services[] = {
      {"chat.redis-port", d::redis_port},
      {"chat.redis-tls-port", d::redis_tls_port},
      {"chat.amqp-port", d::amqp_port},
      {"chat.amqp-tls-port", d::amqp_tls_port},
      {"chat.sentinel-port", d::sentinel_port},
      {"chat.sentinel-tls-port", d::sentinel_tls_port},
  };
  std::map<uint16_t, const char*> owner;
  for (auto [key, fallback] : services) {
    auto port = caf::get_or(cfg, key, fallback);
    if (auto [i, fresh] = owner.emplace(port, key); !fresh)
      return std::string{"bad value for "} + key + ": port " + std::to_string(port) +
             " is already " + i->second + "; each service needs its own port";
  }
  return {};
}

} // namespace

std::string validate(const caf::actor_system_config& cfg) {
  // Types were checked on the way in (check_cli_argument, check_file);
  // here only what a type cannot say.
  namespace d = defaults;
  const integer_range ranges[] = {
      {"chat.redis-db", d::redis_db, 0, 15},
      {"chat.history-size", d::history_size, 1, 1'000'000},
      {"chat.max-message-bytes", d::max_message_bytes, 1, 1'000'000},
      {"chat.history-bytes", d::history_bytes, 1024, int64_t{1} << 30},
      {"chat.max-conversations", d::max_conversations, 1, 100'000},
      {"chat.max-connections-per-host", d::max_connections_per_host, 1, 100'000},
      {"chat.max-groups", d::max_groups, 1, 1000},
      {"chat.outbox-size", d::outbox_size, 1, 1'000'000},
      {"chat.output-queue", d::output_queue, 65536, int64_t{1} << 30},
      {"chat.scrollback", d::scrollback, 10, 1'000'000},
  };
  for (auto& r : ranges)
    if (auto x = caf::get_or(cfg, r.key, r.fallback); x < r.min || x > r.max)
      return std::string{"bad value for "} + r.key + ": expected an integer " +
             std::to_string(r.min) + ".." + std::to_string(r.max);
  if (auto section = caf::get_if(&cfg.content, "chat.theme"))
    if (auto problem = check_theme(*section); !problem.empty())
      return problem;
  auto ttl = caf::get_or(cfg, "chat.lease-ttl", caf::timespan{d::lease_ttl});
  if (ttl < std::chrono::seconds{3})
    return "bad value for chat.lease-ttl: expected a duration of at least 3s";
  for (auto key :
       {"chat.locator-timeout", "chat.send-timeout", "chat.listener-check-interval"})
    if (caf::get_or(cfg, key, caf::timespan{1}) <= caf::timespan{0})
      return std::string{"bad value for "} + key + ": expected a positive duration";
  return check_distinct_ports(cfg);
}

} // namespace chat
