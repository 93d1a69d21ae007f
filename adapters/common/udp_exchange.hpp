#pragma once

// One request/answer exchange with a server node's LAN locator over UDP
// (cluster joins, broker accounts). Datagrams get lost: the request goes
// out again every second until an answer from that host is accepted or the
// time is up.

#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

/// Sends `request` to `host`:`port` (IPv4) and hands every datagram that
/// comes back from `host` to `accept` until it returns true (then: true)
/// or `timeout` passes (then: false). An error only if `host` is not an
/// IPv4 address or no socket can be opened.
caf::expected<bool> udp_exchange(const std::string& host, uint16_t port,
                                 std::string_view request, caf::timespan timeout,
                                 const std::function<bool(std::string_view)>& accept);

/// `text` split at every `sep` (the fields of these datagrams, the lines
/// and lists inside them).
std::vector<std::string_view> split(std::string_view text, char sep);

} // namespace chat
