#define CAF_SUITE identity_store
#include <caf/test/unit_test.hpp>

#include "adapters/client/identity_store.hpp"

#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

using namespace chat;

namespace {

/// A fresh directory under /tmp, removed at the end.
struct temp_dir {
  std::string path = "/tmp/chat-identity-test-" + std::to_string(getpid());
  temp_dir() { std::filesystem::remove_all(path); }
  ~temp_dir() { std::filesystem::remove_all(path); }
};

unsigned mode_of(const std::string& path) {
  struct stat st {};
  stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

} // namespace

CAF_TEST(an identity is made once and kept private) {
  temp_dir dir;
  std::string error;
  auto first = load_identity(dir.path, "alice", error);
  CAF_REQUIRE(first != nullptr);
  auto file = dir.path + "/identity-alice.key";
  CAF_CHECK_EQUAL(mode_of(file), 0600u);
  CAF_CHECK_EQUAL(mode_of(dir.path), 0700u);
  auto again = load_identity(dir.path, "alice", error);
  CAF_REQUIRE(again != nullptr);
  CAF_CHECK_EQUAL(again->public_hex(), first->public_hex());
  auto bob = load_identity(dir.path, "bob", error);
  CAF_CHECK_NOT_EQUAL(bob->public_hex(), first->public_hex());
}

CAF_TEST(a damaged identity file is an error and is not replaced) {
  temp_dir dir;
  std::filesystem::create_directories(dir.path);
  auto file = dir.path + "/identity-alice.key";
  std::ofstream{file} << "not a key\n";
  std::string error;
  CAF_CHECK(load_identity(dir.path, "alice", error) == nullptr);
  CAF_CHECK(error.find("damaged") != std::string::npos);
  std::ifstream in{file};
  std::string content;
  std::getline(in, content);
  CAF_CHECK_EQUAL(content, "not a key");
}

CAF_TEST(peers are pinned on first contact and changes are seen) {
  temp_dir dir;
  auto k1 = std::string(64, 'a');
  auto k2 = std::string(64, 'b');
  {
    known_peers pins{dir.path, "alice"};
    CAF_CHECK(pins.check("bob", k1) == pin_status::first_contact);
    CAF_CHECK(pins.check("bob", k1) == pin_status::matches);
    CAF_CHECK(pins.check("bob", k2) == pin_status::changed);
    CAF_CHECK(pins.check("bob", "") == pin_status::changed);
    CAF_CHECK(pins.check("carol", "") == pin_status::first_contact); // nothing pinned
    CAF_CHECK_EQUAL(pins.pinned("carol"), "");
  }
  CAF_CHECK_EQUAL(mode_of(dir.path + "/known-peers-alice"), 0600u);
  known_peers reloaded{dir.path, "alice"};
  CAF_CHECK(reloaded.check("bob", k2) == pin_status::changed);
  reloaded.trust("bob", k2);
  CAF_CHECK(known_peers(dir.path, "alice").check("bob", k2) == pin_status::matches);
  // Another user of the machine account has pins of its own.
  CAF_CHECK(known_peers(dir.path, "dave").check("bob", k1) == pin_status::first_contact);
}

CAF_TEST(pins in memory only without a directory) {
  known_peers pins{"", "alice"};
  CAF_CHECK(pins.check("bob", std::string(64, 'a')) == pin_status::first_contact);
  CAF_CHECK(pins.check("bob", std::string(64, 'b')) == pin_status::changed);
}

CAF_TEST(two holders of one pin file see the pins of each other) {
  temp_dir dir;
  known_peers chats{dir.path, "alice"};
  known_peers groups{dir.path, "alice"};
  auto k1 = std::string(64, 'a');
  auto k2 = std::string(64, 'b');
  CAF_CHECK(groups.check("bob", k1) == pin_status::first_contact);
  CAF_CHECK_EQUAL(chats.pinned("bob"), k1);
  chats.trust("bob", k2);
  CAF_CHECK(groups.check("bob", k2) == pin_status::matches);
}
