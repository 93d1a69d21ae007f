#define CAF_SUITE input_history
#include <caf/test/unit_test.hpp>

#include "adapters/client/input_history.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>

using namespace chat;
using lines = std::vector<std::string>;

namespace {

struct temp_dir {
  std::string path;
  temp_dir() {
    char name[] = "/tmp/chat-history-test-XXXXXX";
    path = mkdtemp(name);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

unsigned mode_of(const std::string& path) {
  struct stat st {};
  stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

} // namespace

CAF_TEST(sessions merge instead of overwriting) {
  CAF_CHECK_EQUAL(merge_input_history({"a", "b"}, {"c", "d"}, 10),
                  (lines{"a", "b", "c", "d"}));
  // A repeated entry is kept once, as shells do with ignoredups.
  CAF_CHECK_EQUAL(merge_input_history({"a", "b"}, {"b", "c", "c"}, 10),
                  (lines{"a", "b", "c"}));
  // The newest entries are kept.
  CAF_CHECK_EQUAL(merge_input_history({"a", "b", "c"}, {"d", "e"}, 3),
                  (lines{"c", "d", "e"}));
}

CAF_TEST(one file per user name readable by the owner only) {
  temp_dir tmp;
  auto dir = tmp.path + "/state";
  auto alice = input_history_file(dir, "alice");
  auto bob = input_history_file(dir, "bob");
  CAF_CHECK_EQUAL(alice, dir + "/history-alice");
  CAF_CHECK_NOT_EQUAL(alice, bob);
  CAF_CHECK_EQUAL(mode_of(dir), 0700u);
  // A file left world-readable by an older version becomes private too.
  std::ofstream{alice} << "old\n";
  chmod(alice.c_str(), 0644);
  CAF_REQUIRE(save_input_history(
      alice, merge_input_history(load_input_history(alice), {"/join room"}, 10)));
  CAF_CHECK_EQUAL(mode_of(alice), 0600u);
  CAF_CHECK_EQUAL(load_input_history(alice), (lines{"old", "/join room"}));
  CAF_CHECK_EQUAL(load_input_history(bob), lines{});
  CAF_CHECK_EQUAL(input_history_file("", "alice"), "");
}
