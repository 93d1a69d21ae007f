#include "actors/client/inbox_letter.hpp"

#include "actors/common/names.hpp"
#include "adapters/common/openssl_util.hpp"

#include <nlohmann/json.hpp>

#include <random>

namespace chat {

std::string inbox_letter::scope() const {
  return (kind == receipt ? "inbox-receipt:" : "inbox:") + to;
}

void inbox_letter::sign(const sender_proof& proof) {
  auto s = scope();
  signature = proof ? proof.sign({s, from, id, text}) : std::string{};
}

std::string inbox_letter::encode() const {
  nlohmann::json j = {{"v", 1},       {"kind", kind == receipt ? "receipt" : "message"},
                      {"from", from}, {"to", to},
                      {"id", id},     {"sent", sent_ms},
                      {"text", text}, {"sig", signature}};
  return j.dump();
}

std::optional<inbox_letter> inbox_letter::decode(const std::string& bytes) {
  auto j = nlohmann::json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return std::nullopt;
  try {
    inbox_letter result;
    auto kind = j.at("kind").get<std::string>();
    if (kind == "receipt")
      result.kind = receipt;
    else if (kind != "message")
      return std::nullopt;
    result.from = j.at("from").get<std::string>();
    result.to = j.at("to").get<std::string>();
    result.id = j.at("id").get<std::string>();
    result.sent_ms = j.at("sent").get<int64_t>();
    result.text = j.at("text").get<std::string>();
    result.signature = j.value("sig", std::string{});
    if (!name_problem(result.from).empty() || !name_problem(result.to).empty() ||
        result.id.empty())
      return std::nullopt;
    return result;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::string make_letter_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string raw(16, '\0');
  for (size_t i = 0; i < raw.size(); i += 8) {
    auto x = rng();
    for (size_t k = 0; k < 8; ++k)
      raw[i + k] = static_cast<char>((x >> (8 * k)) & 0xff);
  }
  return openssl::to_hex(raw);
}

std::string first_words(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes)
    return text;
  auto cut = text.rfind(' ', max_bytes);
  if (cut == std::string::npos || cut == 0)
    cut = max_bytes;
  // Never in the middle of a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return text.substr(0, cut) + "…";
}

} // namespace chat
