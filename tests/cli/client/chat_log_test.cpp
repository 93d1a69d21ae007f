#define CAF_SUITE chat_log
#include <caf/test/unit_test.hpp>

#include "cli/client/chat_log.hpp"

#include <cstdlib>
#include <fstream>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

using namespace chat;
using namespace chat::cli;

namespace {

chat_event message(std::string chat, std::string from, std::string text) {
  chat_event ev;
  ev.kind = chat_event::message;
  ev.chat = std::move(chat);
  ev.from = std::move(from);
  ev.text = std::move(text);
  ev.ts_ms = 1'764'417'600'000; // 2025-11-29 12:00 UTC: the 29th or 30th anywhere
  return ev;
}

} // namespace

CAF_TEST(one file per chat and day) {
  auto ev = message("group:room", "bob", "hi");
  auto name = log_file_name(ev.chat, ev.ts_ms);
  CAF_CHECK(name.starts_with("group-room-2025-11-"));
  CAF_CHECK(name.ends_with(".log"));
  CAF_CHECK(log_file_name("private:../x", ev.ts_ms).starts_with("private-___x-"));
  auto day_later = log_file_name(ev.chat, ev.ts_ms + 86'400'000);
  CAF_CHECK_NOT_EQUAL(name, day_later);
}

CAF_TEST(lines have a timestamp and the sender and no controls) {
  auto line = log_line(message("group:room", "bob", "hi\033[2J 日本"));
  CAF_CHECK(line.ends_with(" bob: hi[2J 日本"));
  CAF_CHECK_EQUAL(line.size(), std::string{"2025-11-29 12:00:00"}.size() +
                                   std::string{" bob: hi[2J 日本"}.size());
  auto own = message("private:bob", "alice", "yo");
  own.own = true;
  CAF_CHECK(log_line(own).ends_with(" you: yo"));
}

CAF_TEST(files are appended to and private) {
  char tmpl[] = "/tmp/chat-log-test-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  auto logs = dir + "/logs";
  auto ev = message("group:room", "bob", "first");
  CAF_REQUIRE(append_to_log(logs, ev));
  ev.text = "second";
  CAF_REQUIRE(append_to_log(logs, ev));
  auto path = logs + "/" + log_file_name(ev.chat, ev.ts_ms);
  struct stat st {};
  CAF_REQUIRE_EQUAL(stat(path.c_str(), &st), 0);
  CAF_CHECK_EQUAL(st.st_mode & 0777, 0600u);
  CAF_REQUIRE_EQUAL(stat(logs.c_str(), &st), 0);
  CAF_CHECK_EQUAL(st.st_mode & 0777, 0700u);
  std::ifstream in{path};
  std::string a, b;
  std::getline(in, a);
  std::getline(in, b);
  CAF_CHECK(a.ends_with("bob: first"));
  CAF_CHECK(b.ends_with("bob: second"));
  unlink(path.c_str());
  rmdir(logs.c_str());
  rmdir(dir.c_str());
}
