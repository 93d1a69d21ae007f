#define CAF_SUITE theme
#include <caf/test/unit_test.hpp>

#include "cli/client/render.hpp"
#include "config/chat_config.hpp"
#include "config/theme.hpp"
#include "tests/cli/client/sample_events.hpp"

#include <cstdio>
#include <fstream>

#include <unistd.h>

using namespace chat;
using load_result = chat_config::load_result;

namespace {

std::string write_file(const std::string& text) {
  char path[] = "/tmp/chat-theme-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  std::ofstream{path} << text;
  return path;
}

/// What `load` said for a config file holding `text`.
std::string file_error(const std::string& text) {
  auto file = write_file(text);
  chat_config cfg;
  auto result = cfg.load({"--config-file=" + file});
  std::remove(file.c_str());
  return result == load_result::exit_usage ? cfg.error : std::string{};
}

} // namespace

CAF_TEST(colour names bright variants and indexes) {
  CAF_CHECK_EQUAL(parse_color("default"), -1);
  CAF_CHECK_EQUAL(parse_color("black"), 0);
  CAF_CHECK_EQUAL(parse_color("red"), 1);
  CAF_CHECK_EQUAL(parse_color("white"), 7);
  CAF_CHECK_EQUAL(parse_color("bright-black"), 8);
  CAF_CHECK_EQUAL(parse_color("bright-cyan"), 14);
  CAF_CHECK_EQUAL(parse_color("0"), 0);
  CAF_CHECK_EQUAL(parse_color("208"), 208);
  CAF_CHECK_EQUAL(parse_color("255"), 255);
  for (auto bad :
       {"", "256", "-1", "pink", "bright-", "bright-default", "Red", "1000", " red"})
    CAF_CHECK(!parse_color(bad));
}

CAF_TEST(colours become SGR foregrounds) {
  CAF_CHECK_EQUAL(sgr_foreground(-1), "");
  CAF_CHECK_EQUAL(sgr_foreground(1), "31");
  CAF_CHECK_EQUAL(sgr_foreground(12), "94");
  CAF_CHECK_EQUAL(sgr_foreground(208), "38;5;208");
}

CAF_TEST(the defaults keep the look of the client before themes) {
  auto& t = default_theme();
  CAF_CHECK_EQUAL(t.timestamp, -1);
  CAF_CHECK_EQUAL(t.notice, -1);
  CAF_CHECK_EQUAL(t.error, 1);
  CAF_CHECK_EQUAL(t.unverified, 3);
  CAF_CHECK_EQUAL(t.highlight, -1);
  CAF_CHECK_EQUAL(t.status_fg, -1);
  CAF_CHECK_EQUAL(t.status_bg, -1);
  CAF_CHECK(t.nicks == cli::name_palette());
  chat_config cfg;
  CAF_REQUIRE(cfg.load({}) == load_result::run);
  auto read = read_theme(cfg);
  CAF_CHECK_EQUAL(read.error, t.error);
  CAF_CHECK(read.nicks == t.nicks);
  // The default theme's lines: dim time, bold red errors, 256-colour names.
  cli::render_options opts{cli::output_style::human, true};
  auto line = cli::render(test::group_message("bob", "hi"), opts);
  CAF_CHECK(line.starts_with("\033[2m"));
  CAF_CHECK(line.find("\033[1;38;5;" + std::to_string(cli::name_color("bob")) + "m") !=
            std::string::npos);
  auto err = test::group_message("", "failed");
  err.kind = chat_event::error;
  CAF_CHECK(cli::render(err, opts).find("\033[1;31m! failed") != std::string::npos);
}

CAF_TEST(a theme section in the file and on the command line) {
  auto file =
      write_file("[chat]\nname=\"bob\"\n[chat.theme]\ntimestamp=\"bright-black\"\n"
                 "error=208\nnicks=[\"red\", 33, \"bright-blue\"]\n"
                 "status-bg=\"blue\"\n");
  chat_config cfg;
  CAF_REQUIRE(cfg.load({"--config-file=" + file, "--chat.theme.status-bg=green",
                        "--chat.theme.own-name=cyan"}) == load_result::run);
  std::remove(file.c_str());
  auto t = read_theme(cfg);
  CAF_CHECK_EQUAL(t.timestamp, 8);
  CAF_CHECK_EQUAL(t.error, 208);
  CAF_CHECK(t.nicks == (std::vector<int>{1, 33, 12}));
  CAF_CHECK_EQUAL(t.status_bg, 2); // the command line wins
  CAF_CHECK_EQUAL(t.own_name, 6);
  CAF_CHECK_EQUAL(t.notice, -1); // not set: the default
  CAF_CHECK_EQUAL(caf::get_or(cfg, "chat.name", std::string{}), "bob");
  chat_config cli;
  CAF_REQUIRE(cli.load({"--chat.theme.nicks=red, 33,bright-blue"}) == load_result::run);
  CAF_CHECK(read_theme(cli).nicks == (std::vector<int>{1, 33, 12}));
}

CAF_TEST(the renderers paint with the theme and not at all without colour) {
  auto t = default_theme();
  t.timestamp = 8;
  t.error = 208;
  t.own_name = 6;
  t.nicks = {1};
  t.unverified = 13;
  cli::render_options opts{cli::output_style::human, true};
  opts.colors = t;
  auto line = cli::render(test::group_message("bob", "hi"), opts);
  CAF_CHECK(line.starts_with("\033[2;90m"));
  CAF_CHECK(line.find("\033[1;31m  bob") != std::string::npos);
  auto own = test::group_message("alice", "mine");
  own.own = true;
  CAF_CHECK(cli::render(own, opts).find("\033[1;36m  you") != std::string::npos);
  auto forged = test::group_message("bob", "x");
  forged.verified = false;
  CAF_CHECK(cli::render(forged, opts).find("\033[95m (unverified)") != std::string::npos);
  auto err = test::group_message("", "failed");
  err.kind = chat_event::error;
  CAF_CHECK(cli::render(err, opts).find("\033[1;38;5;208m! failed") != std::string::npos);
  // NO_COLOR / --no-color wins over any theme.
  opts.color = false;
  CAF_CHECK(cli::render(test::group_message("bob", "hi"), opts).find('\033') ==
            std::string::npos);
  CAF_CHECK(cli::render(err, opts).find('\033') == std::string::npos);
}

CAF_TEST(a bad theme value is one line naming the key the value and the form) {
  auto error = file_error("[chat.theme]\nnotice=\"pink\"\n");
  CAF_CHECK(error.find(":2: bad value for chat.theme.notice: expected a colour") !=
            std::string::npos);
  CAF_CHECK(error.find("got 'pink'") != std::string::npos);
  CAF_CHECK(error.find("bright-") != std::string::npos);
  CAF_CHECK(error.find('\n') == std::string::npos);
  error = file_error("[chat.theme]\ntimestamp=\"red\"\nerror=300\n");
  CAF_CHECK(error.find(":3: bad value for chat.theme.error") != std::string::npos);
  CAF_CHECK(error.find("got '300'") != std::string::npos);
  error = file_error("[chat.theme]\nnicks=[]\n");
  CAF_CHECK(error.find("chat.theme.nicks: expected a list of colours") !=
            std::string::npos);
  error = file_error("[chat.theme]\ncolour=\"red\"\n");
  CAF_CHECK(error.find("unknown option chat.theme.colour") != std::string::npos);
  CAF_CHECK(error.find("timestamp, notice") != std::string::npos);
  chat_config cfg;
  CAF_CHECK(cfg.load({"--chat.theme.status-fg=bright"}) == load_result::exit_usage);
  CAF_CHECK_EQUAL(cfg.error, "bad value for chat.theme.status-fg: expected a colour: "
                             "default, black, red, green, yellow, blue, magenta, cyan, "
                             "white, bright-<one of these>, or 0..255, got 'bright'");
  chat_config unknown;
  CAF_CHECK(unknown.load({"--chat.theme.tiemstamp=red"}) == load_result::exit_usage);
  CAF_CHECK(unknown.error.starts_with("unknown option chat.theme.tiemstamp"));
  chat_config nicks;
  CAF_CHECK(nicks.load({"--chat.theme.nicks=red,,blue"}) == load_result::exit_usage);
  CAF_CHECK(nicks.error.find("got 'red,,blue'") != std::string::npos);
}
