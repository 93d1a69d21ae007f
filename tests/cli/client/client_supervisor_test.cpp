#define CAF_SUITE client_supervisor
#include "tests/dsl.hpp"

#include "cli/client/client_supervisor.hpp"

using namespace chat;

namespace {

/// Keeps what the CLI prints.
struct fake_terminal : terminal {
  std::shared_ptr<std::vector<std::string>> lines =
      std::make_shared<std::vector<std::string>>();
  std::shared_ptr<int> starts = std::make_shared<int>(0);
  void start(input_handler, std::string) override { ++*starts; }
  void keep_in_history(std::string) override {}
  void print(std::string line) override { lines->push_back(std::move(line)); }
  void set_prompt(std::string) override {}
  void clear_line() override {}
};

caf::behavior idle(caf::event_based_actor*) {
  return {[](int) {}};
}

/// A broker link that accepts joins and records re-joins.
caf::behavior fake_broker(caf::event_based_actor* self,
                          std::shared_ptr<std::vector<std::string>> rejoins) {
  self->set_default_handler(caf::drop);
  return {
      [](join_atom, const std::string&, bool) { return ok_atom::value; },
      [](leave_atom, const std::string&) { return ok_atom::value; },
      [rejoins](rejoin_atom, const std::string& group, bool transient) {
        rejoins->push_back(group + (transient ? " (transient)" : ""));
        return ok_atom::value;
      },
  };
}

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<std::vector<std::string>> printed;
  std::shared_ptr<int> terminal_starts;
  int broker_spawns = 0;

  cli_actor make_cli() {
    auto term = std::make_shared<fake_terminal>();
    printed = term->lines;
    terminal_starts = term->starts;
    cli_settings settings;
    settings.batch = true;
    settings.opts.style = cli::output_style::plain;
    settings.term = term;
    return sys.spawn(cli_impl, settings);
  }

  bool printed_line_with(const std::string& text) const {
    for (auto& line : *printed)
      if (line.find(text) != std::string::npos)
        return true;
    return false;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(client_supervisor_tests, fixture)

CAF_TEST(a failed broker link is restarted and the user is told) {
  auto cli = make_cli();
  auto registry = caf::actor_cast<registry_actor>(sys.spawn(idle));
  auto chats = sys.spawn(idle);
  auto broker = sys.spawn(idle);
  auto sup = spawn_client_supervisor(
      sys, cli, client_children{cli_peers{registry, chats, broker}, [this] {
                                  ++broker_spawns;
                                  return sys.spawn(idle);
                                }});
  sched.run();
  caf::anon_send_exit(broker, caf::exit_reason::unhandled_exception);
  sched.run();
  CAF_CHECK(printed_line_with("groups failed"));
  CAF_CHECK_EQUAL(broker_spawns, 0);
  advance_time(std::chrono::seconds{1});
  sched.run();
  CAF_CHECK_EQUAL(broker_spawns, 1);
  CAF_CHECK(printed_line_with("groups restarted"));
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(a restarted broker link gets the groups of the session back) {
  auto cli = make_cli();
  auto rejoins = std::make_shared<std::vector<std::string>>();
  auto registry = caf::actor_cast<registry_actor>(sys.spawn(idle));
  auto chats = sys.spawn(idle);
  auto broker = sys.spawn(fake_broker, rejoins);
  cli_peers peers{registry, chats, broker};
  auto sup = spawn_client_supervisor(
      sys, cli, client_children{peers, [this, rejoins] {
                                  return sys.spawn(fake_broker, rejoins);
                                }});
  caf::anon_send(cli, start_atom::value, std::string{"ann"}, peers);
  for (auto line : {"/join room", "/join tmp --transient", "/join gone", "/leave gone"}) {
    caf::anon_send(cli, line_atom::value, std::string{line});
    sched.run();
  }
  CAF_CHECK(rejoins->empty());
  caf::anon_send_exit(broker, caf::exit_reason::unhandled_exception);
  sched.run();
  advance_time(std::chrono::seconds{1});
  sched.run();
  // Joined groups come back (not the one left), the terminal keeps running.
  CAF_CHECK_EQUAL(*rejoins, (std::vector<std::string>{"room", "tmp (transient)"}));
  CAF_CHECK(printed_line_with("re-joined room"));
  CAF_CHECK_EQUAL(*terminal_starts, 1);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(losing the private chats ends the session with the reason) {
  auto cli = make_cli();
  auto registry = caf::actor_cast<registry_actor>(sys.spawn(idle));
  auto chats = sys.spawn(idle);
  auto broker = sys.spawn(idle);
  auto sup = spawn_client_supervisor(
      sys, cli, client_children{cli_peers{registry, chats, broker}, {}});
  sched.run();
  caf::anon_send_exit(chats, caf::exit_reason::unhandled_exception);
  sched.run();
  CAF_CHECK(printed_line_with("private chats failed"));
  CAF_CHECK(printed_line_with("leaving"));
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST_FIXTURE_SCOPE_END()
