#define CAF_SUITE join_code
#include "tests/dsl.hpp"

#include "config/join_code.hpp"

#include <random>

using namespace chat;

namespace {

join_code sample() {
  join_code code;
  code.amqp_tls_port = 5671;
  code.redis_tls_port = 6380;
  for (size_t i = 0; i < code.cert.size(); ++i)
    code.cert[i] = static_cast<uint8_t>(i * 7 + 3);
  code.amqp_user = "chat-member";
  code.amqp_password = "0123456789abcdef0123456789abcdef";
  code.redis_password = "fedcba9876543210fedcba9876543210";
  return code;
}

} // namespace

CAF_TEST(a join code survives the round trip through its text form) {
  auto code = sample();
  auto text = encode(code);
  CAF_CHECK_EQUAL(text.substr(0, 6), "chat1-");
  for (char c : text)
    CAF_CHECK(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  std::string why;
  auto back = decode_join_code("  " + text + "\n", why);
  CAF_REQUIRE(back);
  CAF_CHECK(*back == code);
  CAF_CHECK(why.empty());
}

CAF_TEST(a cluster join code carries the sentinel port) {
  auto code = sample();
  code.cluster = true;
  code.sentinel_tls_port = 26380;
  std::string why;
  auto back = decode_join_code(encode(code), why);
  CAF_REQUIRE(back);
  CAF_CHECK(back->cluster);
  CAF_CHECK_EQUAL(back->sentinel_tls_port, 26380u);
  CAF_CHECK(*back == code);
  CAF_CHECK(!decode_join_code(encode(sample()), why)->cluster);
}

CAF_TEST(a join code may carry the locator port) {
  auto code = sample();
  code.locator_port = 41234;
  code.cluster = true;
  code.sentinel_tls_port = 26380;
  std::string why;
  auto back = decode_join_code(encode(code), why);
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(back->locator_port, 41234u);
  CAF_CHECK(*back == code);
  auto plain = decode_join_code(encode(sample()), why);
  CAF_REQUIRE(plain);
  CAF_CHECK_EQUAL(plain->locator_port, 0u);
}

CAF_TEST(every length of the strings round trips) {
  auto code = sample();
  for (size_t n = 0; n < 40; ++n) {
    code.redis_password = std::string(n, 'x');
    std::string why;
    auto back = decode_join_code(encode(code), why);
    CAF_REQUIRE(back);
    CAF_CHECK(*back == code);
  }
}

CAF_TEST(malformed codes are refused with one line each) {
  auto text = encode(sample());
  auto refused = [](const std::string& x) {
    std::string why;
    auto result = decode_join_code(x, why);
    CAF_CHECK(!result);
    CAF_CHECK(!why.empty());
    CAF_CHECK(why.find('\n') == std::string::npos);
    return why;
  };
  CAF_CHECK(refused("").find("empty") != std::string::npos);
  CAF_CHECK(refused("hello").find("not a join code") != std::string::npos);
  CAF_CHECK(refused("chat1-").find("too short") != std::string::npos);
  CAF_CHECK(refused("chat1-AAAA").find("too short") != std::string::npos);
  CAF_CHECK(refused(text + "!").find("characters") != std::string::npos);
  // Truncated, a character changed, a character dropped.
  refused(text.substr(0, text.size() - 1));
  refused(text.substr(0, text.size() / 2));
  for (size_t i = 6; i < text.size(); ++i) {
    auto changed = text;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    refused(changed);
    auto dropped = text;
    dropped.erase(i, 1);
    refused(dropped);
  }
}

CAF_TEST(random garbage after the prefix never decodes nor crashes) {
  std::mt19937 rng{42};
  std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int i = 0; i < 2000; ++i) {
    std::string x = "chat1-";
    auto len = rng() % 200;
    for (size_t j = 0; j < len; ++j)
      x += alphabet[rng() % alphabet.size()];
    std::string why;
    CAF_CHECK(!decode_join_code(x, why));
  }
}

CAF_TEST(fingerprints print and parse like openssl prints them) {
  auto fp = sample().cert;
  auto hex = to_hex(fp);
  CAF_CHECK_EQUAL(hex.size(), 32u * 3 - 1);
  auto back = parse_fingerprint(hex);
  CAF_REQUIRE(back);
  CAF_CHECK(same_fingerprint(*back, fp));
  std::string upper;
  for (char c : hex)
    if (c != ':')
      upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CAF_CHECK(parse_fingerprint(upper));
  CAF_CHECK(!parse_fingerprint(hex.substr(3)));
  CAF_CHECK(!parse_fingerprint(hex + ":00"));
  CAF_CHECK(!parse_fingerprint("zz" + hex.substr(2)));
  auto other = fp;
  other[31] ^= 1;
  CAF_CHECK(!same_fingerprint(other, fp));
  other = fp;
  other[0] ^= 0x80;
  CAF_CHECK(!same_fingerprint(other, fp));
}
