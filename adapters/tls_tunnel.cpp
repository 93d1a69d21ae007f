#include "adapters/tls_tunnel.hpp"

#include "adapters/tls.hpp"
#include "config/errors.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <array>
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

struct tls_tunnel::impl {
  asio::io_context io;
  ssl::context ctx{ssl::context::tls_client};
  tls::pin pin;
  tcp::acceptor acceptor{io};
  tcp::endpoint target;
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](const error_code& ec, tcp::socket sock) {
      if (ec == asio::error::operation_aborted)
        return;
      if (!ec)
        std::make_shared<session>(std::move(sock), ctx)->start(target);
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
tls_tunnel::start(const std::string& host, uint16_t port, const fingerprint& pin) {
  auto target = endpoint_of(host, port);
  if (!target)
    return target.error();
  std::unique_ptr<tls_tunnel> result{new tls_tunnel};
  result->impl_ = std::make_unique<impl>();
  auto& d = *result->impl_;
  d.target = *target;
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
  d.thread = std::thread{[&d] { d.io.run(); }};
  return result;
}

uint16_t tls_tunnel::local_port() const {
  error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

} // namespace chat
