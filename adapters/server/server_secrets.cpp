#include "adapters/server/server_secrets.hpp"

#include "adapters/common/tls.hpp"
#include "config/errors.hpp"

#include <filesystem>
#include <fstream>
#include <map>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chat {

namespace fs = std::filesystem;

namespace {

caf::error failed(const std::string& what) {
  return make_error(errc::service_failed, what);
}

std::map<std::string, std::string> read_pairs(const std::string& path) {
  std::map<std::string, std::string> result;
  std::ifstream in{path};
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos && !line.empty() && line[0] != '#')
      result[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return result;
}

} // namespace

join_code make_join_code(const server_secrets& secrets, uint16_t amqp_tls_port,
                         uint16_t redis_tls_port, const std::string& amqp_vhost) {
  join_code code;
  code.amqp_tls_port = amqp_tls_port;
  code.redis_tls_port = redis_tls_port;
  code.cert = secrets.cert;
  code.amqp_user = secrets.amqp_member_user;
  code.amqp_password = secrets.amqp_member_password;
  code.amqp_vhost = amqp_vhost;
  code.redis_password = secrets.redis_password;
  return code;
}

std::string join_code_file(const std::string& state_dir) {
  return state_dir + "/join-code";
}

caf::expected<server_secrets> load_or_create_secrets(const std::string& state_dir) {
  server_secrets s;
  s.dir = state_dir + "/secrets";
  std::error_code ec;
  fs::create_directories(s.dir, ec);
  if (ec)
    return failed("cannot create " + s.dir + ": " + ec.message());
  fs::permissions(s.dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  auto conf = s.dir + "/secrets.conf";
  auto pairs = read_pairs(conf);
  auto take = [&](const char* key, std::string& field) {
    if (auto i = pairs.find(key); i != pairs.end() && !i->second.empty())
      field = i->second;
    else
      field = pairs[key] = tls::random_hex(16);
  };
  take("amqp-admin-password", s.amqp_admin_password);
  take("amqp-member-password", s.amqp_member_password);
  take("amqp-account-secret", s.amqp_account_secret);
  take("redis-password", s.redis_password);
  take("redis-admin-password", s.redis_admin_password);
  std::string text = "# chat-actors server secrets: keep private (mode 0600)\n";
  for (auto& [k, v] : pairs)
    text += k + "=" + v + "\n";
  if (auto err = write_private_file(conf, text))
    return err;
  s.key_file = s.dir + "/server.key";
  s.cert_file = s.dir + "/server.crt";
  if (!fs::exists(s.key_file) || !fs::exists(s.cert_file))
    if (auto err = tls::make_self_signed(s.key_file, s.cert_file, "chat-actors server"))
      return err;
  auto fp = tls::file_fingerprint(s.cert_file);
  if (!fp)
    return fp.error();
  s.cert = *fp;
  return s;
}

} // namespace chat
