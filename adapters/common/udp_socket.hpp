#pragma once

// A UDP socket on its own Boost.Asio thread. Every datagram is handed to a
// callback (on that thread; the owning actor's factory makes it an
// `anon_send`); `send_to` may be called from any thread. Destruction stops
// and joins the I/O thread.

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace chat {

struct udp_datagram {
  std::string payload;
  std::string sender_ip;
  uint16_t sender_port = 0;
  /// Whether the datagram was cut to the receive buffer (oversized).
  bool truncated = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, udp_datagram& x) {
  return f(caf::meta::type_name("udp_datagram"), x.payload, x.sender_ip, x.sender_port,
           x.truncated);
}

class udp_socket {
public:
  using datagram_handler = std::function<void(udp_datagram)>;

  /// Binds to `ip:port` (port 0 = any) and starts receiving into
  /// `on_datagram`. Null and `error` set on failure.
  static std::unique_ptr<udp_socket> open(datagram_handler on_datagram,
                                          const std::string& ip, uint16_t port,
                                          bool broadcast, std::string& error);

  virtual ~udp_socket() = default;

  virtual void send_to(const std::string& ip, uint16_t port, std::string payload) = 0;

  virtual uint16_t local_port() const = 0;
};

/// The local address the kernel would use to reach `peer_ip`: the address
/// of the interface facing that peer. Empty if there is no route.
std::string source_address_towards(const std::string& peer_ip);

} // namespace chat
