#define CAF_SUITE part_file
#include <caf/test/unit_test.hpp>

#include "adapters/client/part_file.hpp"
#include "adapters/common/openssl_util.hpp"

#include <openssl/evp.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace chat;
namespace fs = std::filesystem;

namespace {

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return openssl::to_hex({reinterpret_cast<const char*>(md), len});
}

std::string read_all(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

struct fixture {
  fixture() {
    char tmpl[] = "/tmp/part_file_test.XXXXXX";
    dir = mkdtemp(tmpl);
    content = std::string(3000, 'a') + std::string(3000, 'b') + "tail";
    record.id = std::string(32, 'c');
    record.sender = "alice";
    record.receiver = "bob";
    record.name = "data.bin";
    record.size = content.size();
    record.sha256 = sha256_hex(content);
    record.signature = "00";
  }
  ~fixture() { fs::remove_all(dir); }
  std::string dir;
  std::string content;
  part_record record;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(part_file_tests, fixture)

CAF_TEST(the state file round trips) {
  record.offset = 17;
  record.name = "we\nird name";
  part_record back;
  CAF_REQUIRE(parse_record(format_record(record), back));
  CAF_CHECK(back == record);
  CAF_CHECK(!parse_record("id=x\nsize=nope\n", back));
  auto past = record;
  past.offset = past.size + 1;
  CAF_CHECK(!parse_record(format_record(past), back));
}

CAF_TEST(a whole file takes its name once its hash matches) {
  std::string error;
  auto path = dir + "/data.bin";
  auto part = part_file::open(path, record, error);
  CAF_REQUIRE(part != nullptr);
  CAF_CHECK_EQUAL(part->append(0, content.substr(0, 4000)), "");
  CAF_CHECK_EQUAL(part->append(4000, content.substr(4000)), "");
  CAF_CHECK(!fs::exists(path));
  std::string placed;
  CAF_CHECK_EQUAL(part->finish(placed), "");
  CAF_CHECK_EQUAL(placed, path);
  CAF_CHECK_EQUAL(read_all(path), content);
  CAF_CHECK(!fs::exists(path + ".part"));
  CAF_CHECK(!fs::exists(path + ".part.state"));
}

CAF_TEST(bytes out of place or past the size are refused) {
  std::string error;
  auto part = part_file::open(dir + "/data.bin", record, error);
  CAF_REQUIRE(part != nullptr);
  CAF_CHECK_NOT_EQUAL(part->append(10, "x"), ""); // a gap
  CAF_CHECK_EQUAL(part->append(0, content), "");
  CAF_CHECK_NOT_EQUAL(part->append(content.size(), "more"), "");
  CAF_CHECK_EQUAL(part->offset(), content.size());
  CAF_CHECK(!part->write_failed());
  auto small = record;
  small.size = 10;
  auto other = part_file::open(dir + "/small.bin", small, error);
  CAF_REQUIRE(other != nullptr);
  CAF_CHECK_NOT_EQUAL(other->append(0, std::string(11, 'x')), "");
  CAF_CHECK_EQUAL(other->offset(), 0u);
}

CAF_TEST(a restart continues from the checkpoint and never doubles a byte) {
  std::string error;
  auto path = dir + "/data.bin";
  {
    auto part = part_file::open(path, record, error);
    CAF_REQUIRE(part != nullptr);
    CAF_CHECK_EQUAL(part->append(0, content.substr(0, 2000)), "");
    CAF_CHECK_EQUAL(part->checkpoint(), "");
    // Written after the checkpoint, then the process dies.
    CAF_CHECK_EQUAL(part->append(2000, content.substr(2000, 1000)), "");
  }
  auto left = part_file::find(dir);
  CAF_REQUIRE_EQUAL(left.size(), 1u);
  CAF_CHECK_EQUAL(left[0].first, path);
  CAF_CHECK_EQUAL(left[0].second.offset, 2000u);
  auto part = part_file::open(path, left[0].second, error);
  CAF_REQUIRE(part != nullptr);
  CAF_CHECK_EQUAL(part->offset(), 2000u);
  CAF_CHECK_EQUAL(fs::file_size(path + ".part"), 2000u);
  CAF_CHECK_EQUAL(part->append(2000, content.substr(2000)), "");
  std::string placed;
  CAF_CHECK_EQUAL(part->finish(placed), "");
  CAF_CHECK_EQUAL(read_all(placed), content);
}

CAF_TEST(a wrong hash discards the copy) {
  std::string error;
  auto path = dir + "/data.bin";
  auto part = part_file::open(path, record, error);
  CAF_REQUIRE(part != nullptr);
  auto forged = content;
  forged[5] = 'z';
  CAF_CHECK_EQUAL(part->append(0, forged), "");
  std::string placed;
  CAF_CHECK_NOT_EQUAL(part->finish(placed), "");
  CAF_CHECK(!fs::exists(path));
  CAF_CHECK(!fs::exists(path + ".part"));
}

CAF_TEST(a name taken meanwhile is not replaced) {
  std::string error;
  auto path = dir + "/data.bin";
  auto part = part_file::open(path, record, error);
  CAF_REQUIRE(part != nullptr);
  CAF_CHECK_EQUAL(part->append(0, content), "");
  std::ofstream{path} << "someone else's";
  std::string placed;
  CAF_CHECK_EQUAL(part->finish(placed), "");
  CAF_CHECK_EQUAL(placed, dir + "/data (1).bin");
  CAF_CHECK_EQUAL(read_all(path), "someone else's");
  CAF_CHECK_EQUAL(read_all(placed), content);
}

CAF_TEST(hash_file reads a whole file) {
  auto path = dir + "/src";
  std::ofstream{path, std::ios::binary} << content;
  uint64_t size = 0;
  std::string error;
  CAF_CHECK_EQUAL(hash_file(path, size, error), record.sha256);
  CAF_CHECK_EQUAL(size, content.size());
  CAF_CHECK_EQUAL(hash_file(dir + "/missing", size, error), "");
  CAF_CHECK_NOT_EQUAL(error, "");
  CAF_CHECK_EQUAL(hash_file(dir, size, error), "");
}

CAF_TEST_FIXTURE_SCOPE_END()
