#include "adapters/common/udp_socket.hpp"

#include "adapters/common/thread_name.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>

#include <array>
#include <thread>

namespace chat {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

/// Larger than any request we accept; longer datagrams are flagged.
constexpr size_t receive_buffer_size = 2048;

class asio_udp_socket final : public udp_socket {
public:
  explicit asio_udp_socket(datagram_handler on_datagram)
      : on_datagram_(std::move(on_datagram)), work_(asio::make_work_guard(io_)),
        socket_(io_) {}

  ~asio_udp_socket() override {
    asio::post(io_, [this] {
      boost::system::error_code ignored;
      socket_.close(ignored);
    });
    work_.reset();
    io_.stop();
    if (thread_.joinable())
      thread_.join();
  }

  std::string bind(const std::string& ip, uint16_t port, bool broadcast) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(ip.empty() ? "0.0.0.0" : ip, ec);
    if (ec)
      return "bad address '" + ip + "': " + ec.message();
    udp::endpoint local{address, port};
    socket_.open(local.protocol(), ec);
    if (!ec)
      socket_.set_option(udp::socket::reuse_address(true), ec);
    if (!ec && broadcast)
      socket_.set_option(asio::socket_base::broadcast(true), ec);
    if (!ec)
      socket_.bind(local, ec);
    if (ec)
      return "cannot bind UDP " + ip + ":" + std::to_string(port) + ": " + ec.message();
    receive();
    thread_ = std::thread{[this] {
      name_this_thread("chat.udp");
      io_.run();
    }};
    return {};
  }

  void send_to(const std::string& ip, uint16_t port, std::string payload) override {
    asio::post(io_, [this, ip, port, payload = std::move(payload)] {
      boost::system::error_code ec;
      auto address = asio::ip::make_address(ip, ec);
      if (!ec)
        socket_.send_to(asio::buffer(payload), udp::endpoint{address, port}, 0, ec);
    });
  }

  uint16_t local_port() const override {
    boost::system::error_code ec;
    auto ep = socket_.local_endpoint(ec);
    return ec ? 0 : ep.port();
  }

private:
  void receive() {
    socket_.async_receive_from(
        asio::buffer(buffer_), sender_, [this](boost::system::error_code ec, size_t n) {
          if (ec == asio::error::operation_aborted || !socket_.is_open())
            return;
          if (!ec)
            on_datagram_(udp_datagram{std::string(buffer_.data(), n),
                                      sender_.address().to_string(), sender_.port(),
                                      n == buffer_.size()});
          receive();
        });
  }

  datagram_handler on_datagram_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  udp::socket socket_;
  udp::endpoint sender_;
  std::array<char, receive_buffer_size> buffer_;
  std::thread thread_;
};

} // namespace

std::unique_ptr<udp_socket> udp_socket::open(datagram_handler on_datagram,
                                             const std::string& ip, uint16_t port,
                                             bool broadcast, std::string& error) {
  auto result = std::make_unique<asio_udp_socket>(std::move(on_datagram));
  error = result->bind(ip, port, broadcast);
  if (!error.empty())
    return nullptr;
  return result;
}

std::string source_address_towards(const std::string& peer_ip) {
  asio::io_context io;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(peer_ip, ec);
  if (ec)
    return {};
  udp::socket probe{io};
  // connect() on UDP sends nothing: it only asks the kernel for a route.
  probe.connect(udp::endpoint{address, 9}, ec);
  if (ec)
    return {};
  auto local = probe.local_endpoint(ec);
  return ec ? std::string{} : local.address().to_string();
}

} // namespace chat
