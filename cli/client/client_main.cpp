#include "actors/client/broker_link_actor.hpp"
#include "actors/client/locator_client_actor.hpp"
#include "actors/client/private_chat_actor.hpp"
#include "actors/client/private_chat_keys.hpp"
#include "actors/client/registry_actor.hpp"
#include "actors/common/locator_protocol.hpp"
#include "actors/common/names.hpp"
#include "adapters/client/identity_store.hpp"
#include "adapters/common/amqp_protocol.hpp"
#include "adapters/common/broker_account.hpp"
#include "adapters/common/registry_keys.hpp"
#include "adapters/common/state_files.hpp"
#include "adapters/common/tls_tunnel.hpp"
#include "cli/client/cli_actor.hpp"
#include "cli/client/client_supervisor.hpp"
#include "cli/client/commands.hpp"
#include "cli/client/ui/fullscreen_terminal.hpp"
#include "cli/run.hpp"
#include "cli/signals.hpp"
#include "config/chat_config.hpp"
#include "config/defaults.hpp"
#include "config/errors.hpp"
#include "config/theme.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <unistd.h>

namespace chat {

namespace {

namespace d = defaults;

/// Where the server nodes' LAN locators listen: the join code says, else
/// `chat.locator-port`.
uint16_t locator_port_for(const chat_config& cfg, const std::optional<join_code>& code) {
  if (code && code->locator_port != 0)
    return code->locator_port;
  return caf::get_or(cfg, "chat.locator-port", d::locator_port);
}

/// Finds the server: the configured address, else a LAN broadcast (with a
/// join code: only answers that prove the code count).
caf::expected<std::string> find_server(caf::actor_system& sys, const chat_config& cfg,
                                       const std::optional<join_code>& code = {}) {
  auto server = caf::get_or(cfg, "chat.server", std::string{d::server});
  if (!server.empty())
    return server;
  locator_search search;
  search.target =
      caf::get_or(cfg, "chat.locator-broadcast", std::string{d::locator_broadcast});
  search.port = locator_port_for(cfg, code);
  search.timeout =
      caf::get_or(cfg, "chat.locator-timeout", caf::timespan{d::locator_timeout});
  if (code)
    search.reply_key = locator::reply_key(code->amqp_password);
  std::cerr << "searching for the server (UDP broadcast to " << search.target << ":"
            << search.port << ")…" << std::endl;
  auto locator = sys.spawn(locator_client_impl, search, broadcast_socket());
  caf::scoped_actor self{sys};
  caf::expected<std::string> result{std::string{}};
  self->request(locator, caf::infinite, locate_atom::value)
      .receive([&](const std::string& ip) { result = ip; },
               [&](caf::error& err) { result = std::move(err); });
  self->send_exit(locator, caf::exit_reason::user_shutdown);
  return result;
}

// -- secure mode: the join code ---------------------------------------------

/// Where the client keeps its join code: `<state-dir>/join-code` (the same
/// file a server node with this state dir writes).
std::string stored_join_code_path(const chat_config& cfg) {
  auto dir = caf::get_or(cfg, "chat.state-dir", std::string{d::state_dir});
  return (dir.empty() ? default_state_dir() : dir) + "/join-code";
}

/// The join code to use: --chat.join-code (or the config file), else
/// $CHAT_JOIN_CODE, else the stored one, else asked for once on a terminal
/// (and stored, mode 0600). Nothing and `rc` set on failure (reported).
std::optional<join_code> resolve_join_code(const chat_config& cfg, bool interactive,
                                           int& rc) {
  auto text = caf::get_or(cfg, "chat.join-code", std::string{d::join_code});
  std::string origin = "--chat.join-code";
  if (text.empty())
    if (auto env = std::getenv("CHAT_JOIN_CODE"); env && *env) {
      text = env;
      origin = "CHAT_JOIN_CODE";
    }
  auto path = stored_join_code_path(cfg);
  if (text.empty()) {
    std::ifstream in{path};
    if (std::getline(in, text))
      origin = path;
  }
  bool asked = false;
  if (text.empty() && interactive) {
    std::cout << "This server needs a join code (the server node prints it; "
                 "`chat-actors server --show-join-code` prints it again).\njoin code: "
              << std::flush;
    std::getline(std::cin, text);
    asked = true;
    origin = "the join code typed";
  }
  if (text.empty()) {
    std::cerr << "chat-actors: no join code: pass --chat.join-code=CODE or set "
                 "CHAT_JOIN_CODE (`chat-actors server --show-join-code` prints it), or "
                 "--chat.allow-original-clients=true for an open-mode server\n";
    rc = 2;
    return std::nullopt;
  }
  std::string why;
  auto code = decode_join_code(text, why);
  if (!code) {
    std::cerr << "chat-actors: " << origin << ": " << why << '\n';
    rc = 2;
    return std::nullopt;
  }
  if (asked) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path{path}.parent_path(), ec);
    if (auto err = write_private_file(path, encode(*code) + "\n"))
      std::cerr << "chat-actors: " << describe(err) << " (the code is not kept)\n";
  }
  return code;
}

/// Tunnels live until the process ends: a session's registry still
/// unregisters through its tunnel after `run_client` returned.
void keep_until_exit(std::shared_ptr<tls_tunnel> tunnel) {
  static std::mutex mtx;
  static std::vector<std::shared_ptr<tls_tunnel>> tunnels;
  std::lock_guard<std::mutex> guard{mtx};
  tunnels.emplace_back(std::move(tunnel));
}

/// A cluster: the name server's master as the first Sentinel that answers
/// says, asked anew for every connection the tunnel carries.
tunnel_target master_of(std::shared_ptr<server_list> servers, const join_code& code) {
  return [servers, code]() -> caf::expected<std::string> {
    caf::error last;
    for (auto& host : servers->candidates()) {
      auto master = sentinel_master_tls(host, code.sentinel_tls_port, code.cert,
                                        code.redis_password, std::chrono::seconds{1});
      if (master)
        return master;
      last = master.error();
    }
    return last;
  };
}

/// How a session reaches the server node's name server and broker.
struct server_access {
  redis_settings redis;
  amqp_settings amqp;
};

/// Open mode: the configured ports and credentials, plaintext. Secure mode:
/// a pinned TLS probe first (a server without the join code's certificate
/// gets nothing from us), then a tunnel for hiredis and AMQP over TLS.
std::optional<server_access> access_for(const chat_config& cfg, const std::string& server,
                                        const std::optional<join_code>& code, int& rc) {
  // "a,b,c": the nodes of a cluster, any of which will do.
  auto servers = std::make_shared<server_list>(server_list::parse(server));
  server_access result;
  auto first = servers->candidates().front();
  result.redis = read_redis_settings(cfg, first);
  result.amqp = read_amqp_settings(cfg, first);
  if (!code)
    return result;
  // The first node that passes the pinned probe. One that presents
  // another certificate (a rogue that answered the broadcast too) is
  // dropped, and named only if no node proves itself.
  caf::expected<tls_probe> probe{caf::error{}};
  caf::error untrusted;
  for (auto& host : servers->candidates()) {
    probe = probe_pinned(host, code->redis_tls_port, code->cert, std::chrono::seconds{3});
    if (probe) {
      first = host;
      break;
    }
    if (is(probe.error(), errc::untrusted_server)) {
      servers->forget(host);
      if (!untrusted)
        untrusted = probe.error();
    }
  }
  if (!probe) {
    std::cerr << "chat-actors: " << describe(untrusted ? untrusted : probe.error())
              << '\n';
    rc = 1;
    return std::nullopt;
  }
  servers->worked(first);
  auto tunnel =
      code->cluster
          ? tls_tunnel::start(master_of(servers, *code), code->redis_tls_port, code->cert)
          : tls_tunnel::start(first, code->redis_tls_port, code->cert);
  if (!tunnel) {
    std::cerr << "chat-actors: " << describe(tunnel.error()) << '\n';
    rc = 1;
    return std::nullopt;
  }
  result.redis.host = "127.0.0.1";
  result.redis.port = (*tunnel)->local_port();
  result.redis.user = redis_member_user;
  result.redis.password = code->redis_password;
  result.redis.local_address = probe->local_address;
  result.redis.timeout =
      std::max(result.redis.timeout, caf::timespan{d::tunnel_redis_timeout});
  keep_until_exit(std::shared_ptr<tls_tunnel>{std::move(*tunnel)});
  result.amqp.host = first;
  result.amqp.port = code->amqp_tls_port;
  result.amqp.user = code->amqp_user;
  result.amqp.password = code->amqp_password;
  result.amqp.vhost = code->amqp_vhost;
  result.amqp.tls_pin = code->cert;
  result.amqp.server_owned = server_owned_names();
  if (code->cluster) {
    result.amqp.servers = servers;
    result.amqp.quorum_queues = true;
    result.redis.cluster_members = servers;
  }
  return result;
}

/// Asks for a name on the terminal; empty when stdin is closed.
std::string prompt_name(const std::string& why) {
  if (!why.empty())
    std::cout << why << '\n';
  std::cout << "your name: " << std::flush;
  std::string line;
  if (!std::getline(std::cin, line))
    return {};
  return line;
}

/// Where input history files, identity keys and pinned peer keys are kept
/// (one each per user name); empty without a home.
std::string history_dir() {
  auto home = std::getenv("HOME");
  if (home == nullptr || *home == '\0')
    return {};
  return std::string{home} + "/.local/state/chat-actors";
}

/// What must hold of a name before it is registered; an error (reported as
/// one line) refuses it.
using name_claim = std::function<caf::error(const std::string& name)>;

/// Registers a name: the configured one, or asked for (again, with the
/// reason) while it is invalid, taken, or not ours on this server. Empty on
/// failure (reported).
std::string register_name(caf::scoped_actor& self, const private_chat_actor& chats,
                          std::string name, endpoint& published, bool interactive,
                          const name_claim& claim, int& rc) {
  std::string why;
  for (;;) {
    if (name.empty() && interactive)
      name = prompt_name(why);
    if (name.empty()) {
      std::cerr << "chat-actors: no name given (--chat.name=NAME)\n";
      rc = 2;
      return {};
    }
    caf::error failure;
    if (auto problem = name_problem(name); !problem.empty())
      failure = make_error(errc::invalid_name, problem);
    else
      failure = claim(name);
    if (!failure)
      // Through the private-chat manager: it publishes its port and key.
      self->request(chats, caf::infinite, register_atom::value, name)
          .receive([&](const endpoint& ep) { published = ep; },
                   [&](caf::error& err) { failure = std::move(err); });
    if (!failure)
      return name;
    why = describe(failure);
    bool retryable = is(failure, errc::invalid_name) || is(failure, errc::name_taken);
    if (!interactive || !retryable) {
      std::cerr << "chat-actors: " << why << '\n';
      rc = is(failure, errc::invalid_name) ? 2 : 1;
      return {};
    }
    name.clear();
  }
}

} // namespace

int run_locate(caf::actor_system& sys, const chat_config& cfg) {
  auto server = find_server(sys, cfg);
  if (!server) {
    std::cerr << "chat-actors: " << describe(server.error()) << '\n';
    return 1;
  }
  std::cout << *server << std::endl;
  return 0;
}

namespace {

/// A registered session: lease, private chats, broker link. Its events go
/// to one listener (the CLI actor, or a one-shot command).
struct session {
  std::string server;
  server_access access;
  std::string name;
  endpoint published;
  cli_peers peers;
  /// How the broker link is (re)started.
  broker_link_settings broker;

  /// Clean exit: the actors unregister and delete the session's queues.
  void stop() const {
    for (auto& hdl :
         {peers.broker, peers.private_chats, caf::actor_cast<caf::actor>(peers.registry)})
      if (hdl)
        caf::anon_send_exit(hdl, caf::exit_reason::user_shutdown);
  }
};

/// Whether a session's identity key is kept on disk (or made for this
/// process only, for a throwaway `who` name).
enum class identity_kind { kept, throwaway };

/// Group messages and insults are signed with the user's identity key and
/// checked against the keys pinned in the same files as private chats use.
sender_proof sender_proof_for(const std::string& name,
                              std::shared_ptr<const ed25519_key> key) {
  if (!key)
    return {};
  return {std::move(key), std::make_shared<known_peers>(history_dir(), name), {}};
}

/// Secure mode: the session's own broker account, asked of the server
/// nodes' LAN locators (adapters/common/broker_account.hpp) for `name` with its
/// identity key, before the name is registered. A name bound to another
/// key is `name_taken` (asked again, interactively).
caf::error take_broker_account(const chat_config& cfg, const join_code& code,
                               const std::string& name, amqp_settings& amqp) {
  std::string failure;
  auto key = load_identity(history_dir(), name, failure);
  if (!key)
    return make_error(errc::service_failed, failure);
  auto hosts = amqp.servers ? amqp.servers->candidates() : std::vector{amqp.host};
  auto account =
      broker_account::fetch(hosts, locator_port_for(cfg, code), code.amqp_password, name,
                            *key, d::account_fetch_timeout);
  if (!account)
    return is(account.error(), errc::name_taken)
               ? account.error()
               : make_error(errc::broker_error, describe(account.error()));
  amqp.user = account->user;
  amqp.password = account->password;
  return {};
}

/// The broker link's settings for a session (its server and access).
broker_link_settings broker_settings_for(const chat_config& cfg, const session& s) {
  auto result = read_broker_link_settings(cfg, s.server);
  result.amqp = s.access.amqp;
  return result;
}

/// Finds the server, starts the session's actors and registers `name` (asked
/// for when empty and interactive). Nothing and `rc` set on failure.

std::optional<session> open_session(caf::actor_system& sys, const chat_config& cfg,
                                    const caf::actor& listener, std::string name,
                                    bool interactive, int& rc,
                                    identity_kind identity = identity_kind::kept,
                                    bool announce = true) {
  // Before anything goes on the network (a LAN broadcast, when no server
  // is configured).
  if (name.empty() && !interactive) {
    std::cerr << "chat-actors: no name given (--chat.name=NAME)\n";
    rc = 2;
    return std::nullopt;
  }
  std::optional<join_code> code;
  if (!caf::get_or(cfg, "chat.allow-original-clients", d::allow_original_clients)) {
    code = resolve_join_code(cfg, interactive, rc);
    if (!code)
      return std::nullopt;
  }
  auto server = find_server(sys, cfg, code);
  if (!server) {
    std::cerr << "chat-actors: " << describe(server.error()) << '\n';
    rc = 1;
    return std::nullopt;
  }
  auto access = access_for(cfg, *server, code, rc);
  if (!access)
    return std::nullopt;
  session result;
  result.server = *server;
  result.access = *access;
  auto ttl = caf::get_or(cfg, "chat.lease-ttl", caf::timespan{d::lease_ttl});
  auto registry = spawn_registry(sys, access->redis, ttl, listener);
  result.peers.registry = registry;
  auto chat_settings = private_chat_settings::from(cfg);
  if (identity == identity_kind::kept)
    chat_settings.identity_dir = history_dir();
  auto chats = spawn_private_chats(sys, std::move(chat_settings), registry, listener);
  if (!chats) {
    std::cerr << "chat-actors: " << describe(chats.error()) << '\n';
    result.stop();
    rc = 1;
    return std::nullopt;
  }
  result.peers.private_chats = caf::actor_cast<caf::actor>(chats->manager);
  {
    caf::scoped_actor self{sys};
    // A kept identity owns a broker account; a throwaway `who` name makes
    // do with the join code's account.
    name_claim claim = [&](const std::string& candidate) -> caf::error {
      if (!code || identity != identity_kind::kept)
        return {};
      return take_broker_account(cfg, *code, candidate, result.access.amqp);
    };
    result.name = register_name(self, chats->manager, name, result.published, interactive,
                                claim, rc);
  }
  if (result.name.empty()) {
    result.stop();
    return std::nullopt;
  }
  // A kept identity signs group messages.
  std::shared_ptr<const ed25519_key> key;
  if (identity == identity_kind::kept) {
    std::string failure;
    key = load_identity(history_dir(), result.name, failure);
  }
  auto& ep = result.published;
  result.broker = broker_settings_for(cfg, result);
  result.broker.proof = sender_proof_for(result.name, key);
  result.broker.announce = announce;
  result.peers.broker = caf::actor_cast<caf::actor>(
      spawn_broker_link(sys, result.name, result.broker,
                        ep.host + ":" + std::to_string(ep.port), listener, registry));
  return result;
}

cli::render_options render_options_for(const client_flags& flags, bool batch) {
  cli::render_options opts;
  opts.style = flags.json ? cli::output_style::json
               : batch    ? cli::output_style::plain
                          : cli::output_style::human;
  opts.color =
      std::getenv("NO_COLOR") == nullptr && isatty(STDOUT_FILENO) != 0 && !flags.no_color;
  return opts;
}

/// Events wait for a slow terminal or reader of stdout in a bounded queue;
/// what does not fit is dropped with one notice (in the output's style).
output_limits output_limits_for(const chat_config& cfg, const cli::render_options& opts,
                                bool interactive) {
  auto size = caf::get_or(cfg, "chat.output-queue", d::output_queue);
  std::string who = interactive ? "the terminal" : "the reader of the output";
  return {static_cast<size_t>(size), [opts, who](size_t n) {
            return cli::render_status("… " + std::to_string(n) + " events dropped: " +
                                          who + " is not keeping up",
                                      opts);
          }};
}

/// The full-screen client, unless --plain, a dumb terminal or one curses
/// does not know asks for the line editor.
std::unique_ptr<terminal> interactive_terminal(const chat_config& cfg,
                                               const client_flags& flags,
                                               const cli::render_options& opts,
                                               const output_limits& limits) {
  auto term = std::getenv("TERM");
  if (!flags.plain && term != nullptr && std::string_view{term} != "dumb" &&
      *term != '\0') {
    ui::fullscreen_settings settings;
    settings.limits = limits;
    settings.color = opts.color;
    settings.colors = opts.colors;
    settings.bell = caf::get_or(cfg, "chat.bell", d::bell);
    settings.scrollback =
        static_cast<size_t>(caf::get_or(cfg, "chat.scrollback", d::scrollback));
    settings.commands = cli::command_names();
    if (auto result = ui::make_fullscreen_terminal(std::move(settings)))
      return result;
  }
  return make_line_editor(limits);
}

} // namespace

int run_client(caf::actor_system& sys, const chat_config& cfg,
               const client_flags& flags) {
  bool interactive = isatty(STDIN_FILENO) != 0 && !flags.batch;
  cli_settings settings;
  settings.batch = !interactive;
  settings.opts = render_options_for(flags, settings.batch);
  settings.opts.colors = read_theme(cfg);
  auto limits = output_limits_for(cfg, settings.opts, interactive);
  settings.term = interactive ? interactive_terminal(cfg, flags, settings.opts, limits)
                              : make_batch_terminal(std::move(limits));
  settings.history_dir = history_dir();
  settings.history_private = caf::get_or(cfg, "chat.history-private", d::history_private);
  settings.log_dir = caf::get_or(cfg, "chat.log-dir", std::string{d::log_dir});
  settings.max_message_bytes = static_cast<size_t>(
      caf::get_or(cfg, "chat.max-message-bytes", d::max_message_bytes));
  auto cli = sys.spawn(cli_impl, settings);
  auto listener = caf::actor_cast<caf::actor>(cli);
  int rc = 0;
  auto s =
      open_session(sys, cfg, listener,
                   caf::get_or(cfg, "chat.name", std::string{d::name}), interactive, rc);
  if (!s) {
    caf::anon_send_exit(cli, caf::exit_reason::user_shutdown);
    return rc;
  }
  caf::anon_send(cli, event_atom::value,
                 "registered as " + s->name + " at " + s->published.host + ":" +
                     std::to_string(s->published.port) + ", server " + s->server);
  // What peers see after "key changed": compared out of band before /trust.
  caf::anon_send(cli, event_atom::value,
                 "your identity key " + key_fingerprint(s->published.public_key));
  caf::anon_send(cli, start_atom::value, s->name, s->peers);
  auto broker_settings = s->broker;
  auto endpoint_text = s->published.host + ":" + std::to_string(s->published.port);
  auto supervisor = spawn_client_supervisor(
      sys, cli,
      client_children{s->peers, [&sys, name = s->name, broker_settings, endpoint_text,
                                 listener, registry = s->peers.registry] {
                        return caf::actor_cast<caf::actor>(
                            spawn_broker_link(sys, name, broker_settings, endpoint_text,
                                              listener, registry));
                      }});
  // Ctrl+C goes to the CLI (back to the lobby, or quit there); SIGTERM and
  // SIGHUP quit cleanly.
  std::atomic<bool> done = false;
  std::thread signals{[&] {
    while (!done) {
      auto sig = wait_for_shutdown_signal();
      if (done)
        break;
      if (sig == SIGINT)
        caf::anon_send(cli, interrupt_atom::value);
      else
        caf::anon_send(cli, eof_atom::value);
    }
  }};
  {
    caf::scoped_actor self{sys};
    self->wait_for(cli);
  }
  done = true;
  wake_signal_waiter();
  signals.join();
  // Stops the session's actors: unregister, delete queues, close connections.
  caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
  return 0;
}

int run_oneshot(caf::actor_system& sys, const chat_config& cfg,
                const client_flags& flags) {
  auto name = caf::get_or(cfg, "chat.name", std::string{d::name});
  auto identity = identity_kind::kept;
  if (name.empty() && flags.oneshot == "who") {
    name = broker_account::make_throwaway_name();
    identity = identity_kind::throwaway;
  }
  if (name.empty()) {
    std::cerr << "chat-actors: send needs your name: --chat.name=NAME\n";
    return 2;
  }
  int rc = 0;
  caf::scoped_actor self{sys};
  // A one-shot send joins a group only for the moment: no join/leave notice.
  auto s = open_session(sys, cfg, caf::actor_cast<caf::actor>(self), name, false, rc,
                        identity, false);
  if (!s)
    return rc;
  auto fail = [&](const caf::error& err) {
    std::cerr << "chat-actors: " << describe(err) << '\n';
    rc = 1;
  };
  constexpr auto patience = std::chrono::seconds{30};
  if (flags.oneshot == "who") {
    caf::anon_send(s->peers.broker, discover_atom::value, true);
    bool reported = false;
    // The first round reports chat.discovery-settle (50 ms) after it starts,
    // or once the registry answers: every user with a live lease merged with
    // the AMQP answers in by then (original clients answer only that way; one
    // slower than the settle time is missed by this one-shot, listed by the
    // next round of an open discovery view).
    self->receive_while([&] { return !reported; })(
        [&](report_atom, const discovery_report& report) {
          std::cout << cli::render(cli::listing(report), render_options_for(flags, true))
                    << std::endl;
          reported = true;
        },
        [](event_atom, const chat_event&) {}, [](event_atom, const std::string&) {},
        caf::after(std::chrono::seconds{10}) >>
            [&] {
              std::cerr << "chat-actors: no discovery answer within 10 s\n";
              reported = true;
              rc = 1;
            });
  } else if (!flags.to.empty()) {
    self->request(s->peers.private_chats, patience, send_atom::value, flags.to,
                  flags.text)
        .receive([](ok_atom) {}, fail);
  } else {
    // A persistent subscription for the moment of sending; the clean exit
    // deletes it again.
    self->request(s->peers.broker, patience, join_atom::value, flags.group, false)
        .receive(
            [&](ok_atom) {
              self->request(s->peers.broker, patience, post_atom::value, flags.group,
                            flags.text)
                  .receive([](ok_atom) {}, fail);
            },
            fail);
  }
  s->stop();
  return rc;
}

} // namespace chat
