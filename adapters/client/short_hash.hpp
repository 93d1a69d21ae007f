#pragma once

// A keyed 64-bit hash (SipHash-2-4, libsodium's crypto_shorthash) with a
// random key per hasher: ids that senders choose can be remembered by hash
// alone, and no sender can make another's id collide with one of its own
// (it cannot know the key), which a fixed hash such as std::hash allows.

#include <array>
#include <cstdint>
#include <string_view>

namespace chat {

class short_hasher {
public:
  /// A fresh random key.
  short_hasher();

  uint64_t operator()(std::string_view text) const;

private:
  std::array<unsigned char, 16> key_;
};

} // namespace chat
