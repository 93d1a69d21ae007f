#include "config/join_code.hpp"

#include <cctype>
#include <vector>

namespace chat {

namespace {

constexpr std::string_view prefix = "chat1-";
constexpr uint8_t version = 1;
/// Flags bit 0: a cluster; a sentinel port follows the two ports.
constexpr uint8_t cluster_flag = 1;
constexpr uint8_t locator_flag = 2;
constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

uint32_t fnv1a(const uint8_t* data, size_t size) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < size; ++i) {
    h ^= data[i];
    h *= 16777619u;
  }
  return h;
}

std::string base64url(const std::vector<uint8_t>& in) {
  std::string out;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
    for (int s = 18; s >= 0; s -= 6)
      out += alphabet[(v >> s) & 63];
  }
  if (auto rest = in.size() - i; rest == 1) {
    uint32_t v = in[i] << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    uint32_t v = (in[i] << 16) | (in[i + 1] << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::vector<uint8_t>> unbase64url(std::string_view in) {
  std::vector<uint8_t> out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    auto pos = alphabet.find(c);
    if (pos == std::string_view::npos)
      return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xFF));
    }
  }
  if (bits >= 6) // one dangling character: not a valid length
    return std::nullopt;
  return out;
}

struct reader {
  const std::vector<uint8_t>& buf;
  size_t pos = 0;
  bool ok = true;

  uint8_t u8() {
    if (pos >= buf.size()) {
      ok = false;
      return 0;
    }
    return buf[pos++];
  }
  uint16_t u16() {
    auto hi = u8();
    return static_cast<uint16_t>((hi << 8) | u8());
  }
  std::string str() {
    auto len = u8();
    if (pos + len > buf.size()) {
      ok = false;
      return {};
    }
    std::string result(buf.begin() + pos, buf.begin() + pos + len);
    pos += len;
    return result;
  }
};

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

} // namespace

std::string encode(const join_code& code) {
  std::vector<uint8_t> buf;
  buf.push_back(version);
  buf.push_back(static_cast<uint8_t>((code.cluster ? cluster_flag : 0) |
                                     (code.locator_port != 0 ? locator_flag : 0)));
  auto put16 = [&buf](uint16_t port) {
    buf.push_back(static_cast<uint8_t>(port >> 8));
    buf.push_back(static_cast<uint8_t>(port & 0xFF));
  };
  put16(code.amqp_tls_port);
  put16(code.redis_tls_port);
  if (code.cluster)
    put16(code.sentinel_tls_port);
  if (code.locator_port != 0)
    put16(code.locator_port);
  buf.insert(buf.end(), code.cert.begin(), code.cert.end());
  for (auto* s :
       {&code.amqp_user, &code.amqp_password, &code.amqp_vhost, &code.redis_password}) {
    auto len = std::min<size_t>(s->size(), 255);
    buf.push_back(static_cast<uint8_t>(len));
    buf.insert(buf.end(), s->begin(), s->begin() + static_cast<ptrdiff_t>(len));
  }
  auto sum = fnv1a(buf.data(), buf.size());
  for (int s = 24; s >= 0; s -= 8)
    buf.push_back(static_cast<uint8_t>((sum >> s) & 0xFF));
  return std::string{prefix} + base64url(buf);
}

std::optional<join_code> decode_join_code(std::string_view text, std::string& why) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  if (text.empty()) {
    why = "the join code is empty";
    return std::nullopt;
  }
  if (text.substr(0, prefix.size()) != prefix) {
    why = "not a join code (it starts with \"chat1-\"; `chat-actors server "
          "--show-join-code` on the server prints it)";
    return std::nullopt;
  }
  auto bytes = unbase64url(text.substr(prefix.size()));
  if (!bytes) {
    why = "the join code contains characters it cannot have (copy it again)";
    return std::nullopt;
  }
  // version, flags, two ports, fingerprint, four length bytes, checksum
  if (bytes->size() < 1 + 1 + 4 + 32 + 4 + 4) {
    why = "the join code is too short (copy it again, whole)";
    return std::nullopt;
  }
  if ((*bytes)[0] != version) {
    why = "the join code has version " + std::to_string((*bytes)[0]) +
          "; this client reads version 1";
    return std::nullopt;
  }
  auto body = bytes->size() - 4;
  uint32_t sum = 0;
  for (size_t i = body; i < bytes->size(); ++i)
    sum = (sum << 8) | (*bytes)[i];
  if (fnv1a(bytes->data(), body) != sum) {
    why = "the join code is damaged (checksum mismatch; copy it again)";
    return std::nullopt;
  }
  std::vector<uint8_t> payload(bytes->begin(),
                               bytes->begin() + static_cast<ptrdiff_t>(body));
  reader in{payload};
  in.u8();
  auto flags = in.u8();
  join_code code;
  code.cluster = (flags & cluster_flag) != 0;
  code.amqp_tls_port = in.u16();
  code.redis_tls_port = in.u16();
  if (code.cluster)
    code.sentinel_tls_port = in.u16();
  if ((flags & locator_flag) != 0)
    code.locator_port = in.u16();
  for (auto& b : code.cert)
    b = in.u8();
  code.amqp_user = in.str();
  code.amqp_password = in.str();
  code.amqp_vhost = in.str();
  code.redis_password = in.str();
  if (!in.ok || in.pos != payload.size() || code.amqp_tls_port == 0 ||
      code.redis_tls_port == 0 || code.amqp_user.empty() ||
      (code.cluster && code.sentinel_tls_port == 0) ||
      (flags & ~(cluster_flag | locator_flag)) != 0 ||
      ((flags & locator_flag) != 0 && code.locator_port == 0)) {
    why = "the join code is malformed";
    return std::nullopt;
  }
  return code;
}

std::string to_hex(const fingerprint& fp) {
  constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < fp.size(); ++i) {
    if (i > 0)
      out += ':';
    out += digits[fp[i] >> 4];
    out += digits[fp[i] & 15];
  }
  return out;
}

std::optional<fingerprint> parse_fingerprint(std::string_view text) {
  fingerprint fp{};
  size_t n = 0;
  int hi = -1;
  for (char c : text) {
    if (c == ':')
      continue;
    auto v = hex_value(c);
    if (v < 0)
      return std::nullopt;
    if (hi < 0) {
      hi = v;
      continue;
    }
    if (n == fp.size())
      return std::nullopt;
    fp[n++] = static_cast<uint8_t>((hi << 4) | v);
    hi = -1;
  }
  if (n != fp.size() || hi >= 0)
    return std::nullopt;
  return fp;
}

bool same_fingerprint(const fingerprint& a, const fingerprint& b) {
  uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

} // namespace chat
