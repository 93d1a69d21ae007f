#define CAF_SUITE file_names
#include <caf/test/unit_test.hpp>

#include "adapters/client/file_names.hpp"

#include <set>
#include <string>

using namespace chat;

namespace {

std::string clean(std::string_view name) {
  std::string problem;
  return sanitize_file_name(name, problem);
}

bool refused(std::string_view name) {
  std::string problem;
  auto result = sanitize_file_name(name, problem);
  return result.empty() && !problem.empty();
}

} // namespace

CAF_TEST(ordinary names pass unchanged) {
  CAF_CHECK_EQUAL(clean("report.pdf"), "report.pdf");
  CAF_CHECK_EQUAL(clean("Fotos vom Urlaub (2).tar.gz"), "Fotos vom Urlaub (2).tar.gz");
  CAF_CHECK_EQUAL(clean("r\xc3\xa9sum\xc3\xa9.txt"), "r\xc3\xa9sum\xc3\xa9.txt");
  CAF_CHECK_EQUAL(clean("a..b"), "a..b");
}

CAF_TEST(path traversal is refused) {
  CAF_CHECK(refused("../../.bashrc"));
  CAF_CHECK(refused("/etc/passwd"));
  CAF_CHECK(refused("dir/file"));
  CAF_CHECK(refused("..\\..\\boot.ini"));
  CAF_CHECK(refused(".."));
  CAF_CHECK(refused("."));
  CAF_CHECK(refused(""));
}

CAF_TEST(control characters and invalid utf8 are refused) {
  CAF_CHECK(refused("evil\nname"));
  CAF_CHECK(refused("bell\x07"));
  CAF_CHECK(refused("esc\x1b[2J"));
  CAF_CHECK(refused(std::string{"nul\0x", 5}));
  CAF_CHECK(refused("csi\xc2\x9b"));
  CAF_CHECK(refused("bidi\xe2\x80\xaetxt.exe"));
  CAF_CHECK(refused("\xff\xfe"));
}

CAF_TEST(overlong names are refused) {
  CAF_CHECK_EQUAL(clean(std::string(255, 'x')), std::string(255, 'x'));
  CAF_CHECK(refused(std::string(256, 'x')));
}

CAF_TEST(hidden files and trailing dots lose them) {
  CAF_CHECK_EQUAL(clean(".bashrc"), "bashrc");
  CAF_CHECK_EQUAL(clean("...ssh"), "ssh");
  CAF_CHECK_EQUAL(clean(" . .profile"), "profile");
  CAF_CHECK_EQUAL(clean("name. . "), "name");
  CAF_CHECK(refused("..."));
  CAF_CHECK(refused(" . "));
}

CAF_TEST(unique paths never replace a file) {
  std::set<std::string> taken{"/d/report.pdf", "/d/report (1).pdf", "/d/notes"};
  auto is_taken = [&](const std::string& p) { return taken.count(p) > 0; };
  CAF_CHECK_EQUAL(unique_path("/d", "other.pdf", is_taken), "/d/other.pdf");
  CAF_CHECK_EQUAL(unique_path("/d", "report.pdf", is_taken), "/d/report (2).pdf");
  CAF_CHECK_EQUAL(unique_path("/d/", "notes", is_taken), "/d/notes (1)");
  taken.insert("/d/a.tar.gz");
  CAF_CHECK_EQUAL(unique_path("/d", "a.tar.gz", is_taken), "/d/a (1).tar.gz");
}

CAF_TEST(human sizes) {
  CAF_CHECK_EQUAL(human_size(812), "812 B");
  CAF_CHECK_EQUAL(human_size(4 * 1024 * 1024), "4.0 MiB");
  CAF_CHECK_EQUAL(human_size(1536), "1.5 KiB");
}
