#define CAF_SUITE chat_config
#include <caf/test/unit_test.hpp>

#include "config/chat_config.hpp"
#include "config/defaults.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace chat;
using load_result = chat_config::load_result;

namespace {

std::string write_file(const std::string& text) {
  char path[] = "/tmp/chat-config-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  std::ofstream{path} << text;
  return path;
}

} // namespace

CAF_TEST(command line values override defaults) {
  chat_config cfg;
  CAF_REQUIRE(cfg.load({"--chat.name=alice", "--chat.redis-port=7000"}) ==
              load_result::run);
  CAF_CHECK_EQUAL(caf::get_or(cfg, "chat.name", std::string{}), "alice");
  CAF_CHECK_EQUAL(caf::get_or(cfg, "chat.redis-port", defaults::redis_port), 7000);
  CAF_CHECK_EQUAL(caf::get_or(cfg, "chat.amqp-port", defaults::amqp_port), 5672);
}

CAF_TEST(booleans are read on the command line as true and false) {
  // CAF 0.17 itself takes a boolean only as a bare flag.
  chat_config on;
  CAF_REQUIRE(on.load({"--chat.allow-original-clients=true", "--chat.managed=false"}) ==
              load_result::run);
  CAF_CHECK_EQUAL(caf::get_or(on, "chat.allow-original-clients", false), true);
  CAF_CHECK_EQUAL(caf::get_or(on, "chat.managed", true), false);
  chat_config off;
  CAF_REQUIRE(off.load({"--chat.allow-original-clients=false"}) == load_result::run);
  CAF_CHECK_EQUAL(caf::get_or(off, "chat.allow-original-clients", true), false);
  chat_config bad;
  CAF_CHECK(bad.load({"--chat.managed=yes"}) == load_result::exit_usage);
}

CAF_TEST(file values are read and the command line wins) {
  auto file = write_file("[chat]\nname=\"bob\"\nlease-ttl=20s\namqp-port=6000\n");
  chat_config cfg;
  CAF_REQUIRE(cfg.load({"--config-file=" + file, "--chat.amqp-port=6001"}) ==
              load_result::run);
  CAF_CHECK_EQUAL(caf::get_or(cfg, "chat.name", std::string{}), "bob");
  CAF_CHECK_EQUAL(caf::get_or(cfg, "chat.amqp-port", defaults::amqp_port), 6001);
  CAF_CHECK(caf::get_or(cfg, "chat.lease-ttl", caf::timespan{}) ==
            std::chrono::seconds{20});
  std::remove(file.c_str());
}

CAF_TEST(the sharing scheduler is the default and can be overridden) {
  auto policy = [](const chat_config& cfg) {
    return caf::get_or(cfg, "scheduler.policy", caf::atom("none"));
  };
  chat_config plain;
  CAF_REQUIRE(plain.load({}) == load_result::run);
  CAF_CHECK_EQUAL(policy(plain), caf::atom("sharing"));
  chat_config chosen;
  CAF_REQUIRE(chosen.load({"--scheduler.policy=stealing"}) == load_result::run);
  CAF_CHECK_EQUAL(policy(chosen), caf::atom("stealing"));
}

CAF_TEST(bad values are refused instead of silently ignored) {
  for (auto text :
       {"[chat]\nredis-port=70000\n", "[chat]\nredis-port=\"x\"\n", "[chat]\nname='al'\n",
        "[chat]\nnmae=\"al\"\n", "[chat]\nname=al\n"}) {
    auto file = write_file(text);
    chat_config cfg;
    CAF_CHECK(cfg.load({"--config-file=" + file}) == load_result::exit_usage);
    std::remove(file.c_str());
  }
  for (auto arg : {"--chat.redis-port=99999", "--chat.managed=yes", "--chat.lease-ttl=5",
                   "--chat.nope=1", "--chat.lease-ttl=1s", "--chat.redis-db=99",
                   "--config-file=/nonexistent"}) {
    chat_config cfg;
    CAF_CHECK(cfg.load({arg}) == load_result::exit_usage);
  }
}

CAF_TEST(mistakes are one line naming the option or the file and line) {
  auto error_of = [](std::vector<std::string> args) {
    chat_config cfg;
    CAF_CHECK(cfg.load(std::move(args)) == load_result::exit_usage);
    return cfg.error;
  };
  CAF_CHECK_EQUAL(error_of({"--chta.name=zed"}),
                  "unknown option --chta.name (try --help)");
  CAF_CHECK_EQUAL(error_of({"--scheduler.nope=1"}),
                  "unknown option --scheduler.nope (try --help)");
  auto unquoted = write_file("[chat]\n; a comment\nname=zed\n");
  CAF_CHECK_EQUAL(error_of({"--config-file=" + unquoted}),
                  unquoted + ":3: unexpected character: a value is a number, true or "
                             "false, a duration (15s) or a string in double quotes "
                             "(name=\"alice\")");
  auto section = write_file("[chat]\nname=\"zed\"\n\n[chta]\nname=\"x\"\n");
  CAF_CHECK_EQUAL(error_of({"--config-file=" + section}),
                  section +
                      ":4: unknown section [chta] (chat-actors options go in [chat])");
  auto caf_key = write_file("[scheduler]\npolicy='stealing'\nfoo=1\n");
  CAF_CHECK_EQUAL(error_of({"--config-file=" + caf_key}),
                  caf_key + ":3: unknown option scheduler.foo");
  auto chat_key = write_file("[chat]\nname=\"zed\"\nnmae=\"al\"\n");
  CAF_CHECK_EQUAL(error_of({"--config-file=" + chat_key}),
                  chat_key + ":3: unknown option chat.nmae (try --help)");
  auto bad_value = write_file("[chat]\n\nredis-port=70000\n");
  CAF_CHECK_EQUAL(
      error_of({"--config-file=" + bad_value}).substr(0, bad_value.size() + 3),
      bad_value + ":3:");
  for (auto& file : {unquoted, section, caf_key, chat_key, bad_value})
    std::remove(file.c_str());
}

CAF_TEST(two services on one port are refused) {
  chat_config cfg;
  CAF_CHECK(cfg.load({"--chat.redis-port=25744", "--chat.amqp-port=25744"}) ==
            load_result::exit_usage);
  CAF_CHECK_EQUAL(cfg.error, "bad value for chat.amqp-port: port 25744 is already "
                             "chat.redis-port; each service needs its own port");
  chat_config defaults_cfg;
  CAF_CHECK(defaults_cfg.load({}) == load_result::run);
  chat_config tls_cfg;
  CAF_CHECK(tls_cfg.load({"--chat.amqp-tls-port=6380"}) == load_result::exit_usage);
}

CAF_TEST(help lists the subcommands and client flags) {
  std::ostringstream out;
  auto old = std::cout.rdbuf(out.rdbuf());
  chat_config cfg;
  auto result = cfg.load({"--help"});
  std::cout.rdbuf(old);
  CAF_CHECK(result == load_result::exit_ok);
  for (auto word : {"  client ", "  server ", "  send ", "  who ", "  locate ", "--batch",
                    "--json", "--chat.name="})
    CAF_CHECK_NOT_EQUAL(out.str().find(word), std::string::npos);
}
