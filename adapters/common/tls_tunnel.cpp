#include "adapters/common/tls_tunnel.hpp"
#include "adapters/common/thread_name.hpp"

#include "adapters/common/tls.hpp"
#include "config/errors.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <array>
#include <functional>
#include <thread>

namespace chat {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

caf::expected<tcp::endpoint> endpoint_of(const std::string& host, uint16_t port) {
  error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (!ec)
    return tcp::endpoint{addr, port};
  asio::io_context io;
  tcp::resolver resolver{io};
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty())
    return make_error(errc::broker_error, "cannot resolve " + host);
  return results.begin()->endpoint();
}

std::string where(const std::string& host, uint16_t port) {
  return host + ":" + std::to_string(port);
}

caf::error mismatch(const std::string& host, uint16_t port, const tls::pin& p) {
  return make_error(errc::untrusted_server,
                    "server at " + where(host, port) +
                        " does not match the join code's certificate (it presents "
                        "sha256 " +
                        to_hex(*p.presented) + "); no credentials were sent");
}

/// One forwarded connection: bytes both ways until either side closes.
struct session : std::enable_shared_from_this<session> {
  tcp::socket local;
  ssl::stream<tcp::socket> remote;
  std::array<char, 16384> up{};
  std::array<char, 16384> down{};

  session(tcp::socket sock, ssl::context& ctx)
      : local(std::move(sock)), remote(local.get_executor(), ctx) {}

  void start(const tcp::endpoint& target) {
    auto self = shared_from_this();
    remote.next_layer().async_connect(target, [self](const error_code& ec) {
      if (ec)
        return self->close();
      self->remote.async_handshake(ssl::stream_base::client,
                                   [self](const error_code& ec) {
                                     if (ec)
                                       return self->close();
                                     self->pump_up();
                                     self->pump_down();
                                   });
    });
  }

  void pump_up() {
    auto self = shared_from_this();
    local.async_read_some(asio::buffer(up), [self](const error_code& ec, size_t n) {
      if (ec)
        return self->close();
      asio::async_write(self->remote, asio::buffer(self->up, n),
                        [self](const error_code& ec, size_t) {
                          if (ec)
                            return self->close();
                          self->pump_up();
                        });
    });
  }

  void pump_down() {
    auto self = shared_from_this();
    remote.async_read_some(asio::buffer(down), [self](const error_code& ec, size_t n) {
      if (ec)
        return self->close();
      asio::async_write(self->local, asio::buffer(self->down, n),
                        [self](const error_code& ec, size_t) {
                          if (ec)
                            return self->close();
                          self->pump_down();
                        });
    });
  }

  void close() {
    error_code ignored;
    local.close(ignored);
    remote.next_layer().close(ignored);
  }
};

} // namespace

caf::expected<tls_probe> probe_pinned(const std::string& host, uint16_t port,
                                      const fingerprint& pin, caf::timespan timeout) {
  auto target = endpoint_of(host, port);
  if (!target)
    return target.error();
  asio::io_context io;
  ssl::context ctx{ssl::context::tls_client};
  tls::pin p{pin, std::nullopt};
  tls::pin_certificate(ctx.native_handle(), &p);
  ssl::stream<tcp::socket> stream{io, ctx};
  error_code result = asio::error::timed_out;
  bool done = false;
  stream.next_layer().async_connect(*target, [&](const error_code& ec) {
    if (ec) {
      result = ec;
      done = true;
      return;
    }
    stream.async_handshake(ssl::stream_base::client, [&](const error_code& ec) {
      result = ec;
      done = true;
    });
  });
  io.run_for(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
  if (p.mismatch())
    return mismatch(host, port, p);
  if (!done || result)
    return make_error(errc::untrusted_server,
                      "server at " + where(host, port) + " does not answer with TLS (" +
                          (done ? result.message() : std::string{"timeout"}) + ")");
  tls_probe probe;
  error_code ec;
  probe.local_address = stream.next_layer().local_endpoint(ec).address().to_string();
  error_code ignored;
  stream.next_layer().close(ignored);
  return probe;
}

caf::expected<std::string> sentinel_master_tls(const std::string& host, uint16_t port,
                                               const fingerprint& pin,
                                               const std::string& password,
                                               caf::timespan timeout) {
  auto target = endpoint_of(host, port);
  if (!target)
    return target.error();
  auto bulk = [](const std::string& x) {
    return "$" + std::to_string(x.size()) + "\r\n" + x + "\r\n";
  };
  auto request = "*2\r\n" + bulk("AUTH") + bulk(password) + "*3\r\n" + bulk("SENTINEL") +
                 bulk("get-master-addr-by-name") + bulk("chat");
  asio::io_context io;
  ssl::context ctx{ssl::context::tls_client};
  tls::pin p{pin, std::nullopt};
  tls::pin_certificate(ctx.native_handle(), &p);
  ssl::stream<tcp::socket> stream{io, ctx};
  std::string reply;
  std::array<char, 512> buf{};
  // "+OK" then "*2 $n ip $n port": seven CRLF-terminated lines.
  auto complete = [&reply] {
    size_t lines = 0;
    for (size_t pos = 0; (pos = reply.find("\r\n", pos)) != std::string::npos; pos += 2)
      ++lines;
    return lines >= 6 || reply.find("-") != std::string::npos;
  };
  std::function<void()> read_more = [&] {
    stream.async_read_some(asio::buffer(buf), [&](const error_code& ec, size_t n) {
      if (ec)
        return;
      reply.append(buf.data(), n);
      if (!complete())
        read_more();
    });
  };
  stream.next_layer().async_connect(*target, [&](const error_code& ec) {
    if (ec)
      return;
    stream.async_handshake(ssl::stream_base::client, [&](const error_code& ec) {
      if (ec)
        return;
      asio::async_write(stream, asio::buffer(request), [&](const error_code& ec, size_t) {
        if (!ec)
          read_more();
      });
    });
  });
  io.run_for(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
  if (p.mismatch())
    return mismatch(host, port, p);
  // +OK\r\n*2\r\n$<n>\r\n<ip>\r\n$<n>\r\n<port>\r\n
  auto star = reply.find("*2\r\n$");
  if (!reply.starts_with("+OK") || star == std::string::npos)
    return make_error(errc::redis_unavailable,
                      "Sentinel at " + where(host, port) + " gave no master");
  auto ip_start = reply.find("\r\n", star + 4);
  auto ip_end =
      ip_start == std::string::npos ? ip_start : reply.find("\r\n", ip_start + 2);
  if (ip_end == std::string::npos)
    return make_error(errc::redis_unavailable,
                      "Sentinel at " + where(host, port) + " gave no master");
  return reply.substr(ip_start + 2, ip_end - ip_start - 2);
}

struct tls_tunnel::impl {
  asio::io_context io;
  ssl::context ctx{ssl::context::tls_client};
  tls::pin pin;
  tcp::acceptor acceptor{io};
  tcp::endpoint target;
  /// A cluster: names the host of each new connection.
  tunnel_target follow;
  uint16_t port = 0;
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](const error_code& ec, tcp::socket sock) {
      if (ec == asio::error::operation_aborted)
        return;
      if (!ec) {
        auto to = target;
        if (follow) {
          // Blocks this thread for a Sentinel round trip: the tunnel
          // carries one client's name-server connection, nothing waits.
          auto host = follow();
          auto ep = host ? endpoint_of(*host, port)
                         : caf::expected<tcp::endpoint>{host.error()};
          if (!ep) {
            error_code ignored;
            sock.close(ignored);
            return accept();
          }
          to = *ep;
        }
        std::make_shared<session>(std::move(sock), ctx)->start(to);
      }
      accept();
    });
  }
};

tls_tunnel::~tls_tunnel() {
  if (!impl_)
    return;
  impl_->io.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

caf::expected<std::unique_ptr<tls_tunnel>>
tls_tunnel::start(tunnel_target target, uint16_t port, const fingerprint& pin) {
  auto first = target();
  if (!first)
    return first.error();
  return start_at(*first, port, pin, std::move(target));
}

caf::expected<std::unique_ptr<tls_tunnel>>
tls_tunnel::start(const std::string& host, uint16_t port, const fingerprint& pin) {
  return start_at(host, port, pin, {});
}

caf::expected<std::unique_ptr<tls_tunnel>> tls_tunnel::start_at(const std::string& host,
                                                                uint16_t port,
                                                                const fingerprint& pin,
                                                                tunnel_target follow) {
  auto target = endpoint_of(host, port);
  if (!target)
    return target.error();
  std::unique_ptr<tls_tunnel> result{new tls_tunnel};
  result->impl_ = std::make_unique<impl>();
  auto& d = *result->impl_;
  d.target = *target;
  d.follow = std::move(follow);
  d.port = port;
  d.pin.expected = pin;
  tls::pin_certificate(d.ctx.native_handle(), &d.pin);
  error_code ec;
  tcp::endpoint local{asio::ip::address_v4::loopback(), 0};
  d.acceptor.open(local.protocol(), ec);
  if (!ec)
    d.acceptor.bind(local, ec);
  if (!ec)
    d.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error(errc::redis_unavailable, "TLS tunnel: " + ec.message());
  d.accept();
  d.thread = std::thread{[&d] {
    name_this_thread("chat.tls-tunnel");
    d.io.run();
  }};
  return result;
}

uint16_t tls_tunnel::local_port() const {
  error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

} // namespace chat
