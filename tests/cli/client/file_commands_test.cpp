#define CAF_SUITE file_commands
#include <caf/test/unit_test.hpp>

#include "cli/client/commands.hpp"
#include "cli/client/file_render.hpp"
#include "cli/run.hpp"

#include <algorithm>

using namespace chat;
using namespace chat::cli;

CAF_TEST(send takes a user and a path with spaces) {
  auto cmd = parse_command("/send bob ~/My Files/report.pdf", false);
  CAF_CHECK(cmd.kind == command_kind::offer);
  CAF_CHECK_EQUAL(cmd.target, "bob");
  CAF_CHECK_EQUAL(cmd.text, "~/My Files/report.pdf");
  CAF_CHECK_EQUAL(parse_command("/send @bob x", false).target, "bob");
  CAF_CHECK_EQUAL(parse_command("/send bob", false).text, ""); // the CLI asks for a path
  CAF_CHECK(parse_command("/send", false).kind == command_kind::invalid);
  CAF_CHECK(parse_command("/send #room x", false).kind == command_kind::invalid);
}

CAF_TEST(accept takes an optional id and an optional path) {
  auto latest = parse_command("/accept", false);
  CAF_CHECK(latest.kind == command_kind::accept);
  CAF_CHECK_EQUAL(latest.target, "");
  CAF_CHECK_EQUAL(latest.text, "");
  auto by_id = parse_command("/accept 3f2a91c0", false);
  CAF_CHECK_EQUAL(by_id.target, "3f2a91c0");
  CAF_CHECK_EQUAL(by_id.text, "");
  auto both = parse_command("/accept 3f2a91c0 /tmp/in box", false);
  CAF_CHECK_EQUAL(both.target, "3f2a91c0");
  CAF_CHECK_EQUAL(both.text, "/tmp/in box");
  auto path_only = parse_command("/accept ~/Desktop", false);
  CAF_CHECK_EQUAL(path_only.target, "");
  CAF_CHECK_EQUAL(path_only.text, "~/Desktop");
}

CAF_TEST(decline cancel and transfers) {
  CAF_CHECK(parse_command("/decline", false).kind == command_kind::decline);
  CAF_CHECK_EQUAL(parse_command("/decline 3f2a", false).target, "3f2a");
  CAF_CHECK(parse_command("/decline 3f2a more", false).kind == command_kind::invalid);
  CAF_CHECK(parse_command("/cancel", false).kind == command_kind::invalid);
  auto cancel = parse_command("/cancel 3f2a91c0", false);
  CAF_CHECK(cancel.kind == command_kind::cancel);
  CAF_CHECK_EQUAL(cancel.target, "3f2a91c0");
  CAF_CHECK(parse_command("/transfers", false).kind == command_kind::files);
}

CAF_TEST(help and completion know the file commands) {
  auto names = command_names();
  for (auto* name : {"/send", "/accept", "/decline", "/transfers", "/cancel"}) {
    CAF_CHECK(std::find(names.begin(), names.end(), name) != names.end());
    auto help = help_lines();
    CAF_CHECK(std::any_of(help.begin(), help.end(),
                          [&](auto& line) { return line.starts_with(name); }));
  }
}

CAF_TEST(file events as json lines) {
  render_options opts;
  opts.style = output_style::json;
  file_event ev;
  ev.kind = file_event::offer;
  ev.id = std::string(32, 'a');
  ev.peer = "alice";
  ev.incoming = true;
  ev.name = "evil\x1b[2J.txt";
  ev.size = 10;
  ev.sha256 = std::string(64, 'f');
  ev.verified = true;
  auto offer = render(ev, opts);
  CAF_CHECK(offer.starts_with("{\"type\":\"file_offer\""));
  CAF_CHECK(offer.find("\"from\":\"alice\"") != std::string::npos);
  CAF_CHECK(offer.find("\"verified\":true") != std::string::npos);
  CAF_CHECK(offer.find('\x1b') == std::string::npos);
  ev.kind = file_event::progress;
  ev.bytes = 5;
  CAF_CHECK(render(ev, opts).find("\"type\":\"file_progress\"") != std::string::npos);
  CAF_CHECK(render(ev, opts).find("\"bytes\":5") != std::string::npos);
  ev.kind = file_event::done;
  auto done = render(ev, opts);
  CAF_CHECK(done.find("\"type\":\"file_done\"") != std::string::npos);
  CAF_CHECK(done.find("\"sha256\":\"" + std::string(64, 'f')) != std::string::npos);
  opts.style = output_style::human;
  opts.color = false;
  ev.kind = file_event::offer;
  ev.verified = false;
  CAF_CHECK(render(ev, opts).find("UNVERIFIED") != std::string::npos);
}

CAF_TEST(send one shot takes a file for one user) {
  std::vector<std::string> args{"--to", "bob", "--file", "/tmp/x y.bin"};
  client_flags flags;
  CAF_CHECK_EQUAL(take_send_arguments(args, flags), "");
  CAF_CHECK_EQUAL(flags.to, "bob");
  CAF_CHECK_EQUAL(flags.file, "/tmp/x y.bin");
  CAF_CHECK_EQUAL(flags.text, "");
  std::vector<std::string> group{"--group", "room", "--file=/tmp/x"};
  client_flags g;
  CAF_CHECK(!take_send_arguments(group, g).empty());
  std::vector<std::string> with_text{"--to", "bob", "--file=/tmp/x", "hello"};
  client_flags t;
  CAF_CHECK(!take_send_arguments(with_text, t).empty());
}
