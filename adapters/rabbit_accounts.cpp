#include "adapters/rabbit_accounts.hpp"

#include "adapters/broker_account.hpp"
#include "adapters/broker_permissions.hpp"
#include "adapters/cluster_node.hpp"
#include "adapters/server_secrets.hpp"
#include "adapters/tls.hpp"
#include "config/errors.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace chat {

namespace {

caf::error failed(const std::string& what) {
  return make_error(errc::service_failed, what);
}

caf::expected<bool> user_exists(const std::string& rabbit_dir, const std::string& user) {
  auto r = run_rabbit_tool(rabbit_dir, "rabbitmqctl",
                           {"list_users", "--formatter", "json", "-q"});
  auto bracket = r.output.find('[');
  if (!r.ok() || bracket == std::string::npos)
    return failed("rabbitmqctl list_users: " + r.output);
  auto doc = nlohmann::json::parse(r.output.substr(bracket), nullptr, false);
  if (!doc.is_array())
    return failed("rabbitmqctl list_users: unreadable");
  for (auto& entry : doc)
    if (entry.is_object() && entry.value("user", "") == user)
      return true;
  return false;
}

caf::error create_user(const std::string& rabbit_dir, const std::string& vhost,
                       const std::string& name, const std::string& user,
                       const std::string& password) {
  // A definitions file carries the password hash only (a command line
  // would show the password to `ps`), and sets user, permissions and topic
  // permissions in one call.
  auto file = rabbit_dir + "/account-" + tls::random_hex(8) + ".json";
  auto json =
      definitions_json({{user, password, "", permissions_for_user(name)}}, vhost, false);
  if (auto err = write_private_file(file, json))
    return err;
  auto r = run_rabbit_tool(rabbit_dir, "rabbitmqctl", {"import_definitions", file});
  std::remove(file.c_str());
  if (!r.ok())
    return failed("rabbitmqctl import_definitions: " + r.output);
  return {};
}

} // namespace

account_store rabbit_account_store(amqp_settings loopback, std::string rabbit_dir) {
  account_store store;
  store.accepts = [loopback](const std::string& user, const std::string& password) {
    auto probe = loopback;
    probe.user = user;
    probe.password = password;
    caf::error err;
    return amqp_connection::open(probe, err) != nullptr;
  };
  store.exists = [rabbit_dir](const std::string& user) {
    return user_exists(rabbit_dir, user);
  };
  store.create = [rabbit_dir, vhost = loopback.vhost](const std::string& name,
                                                      const std::string& user,
                                                      const std::string& password) {
    return create_user(rabbit_dir, vhost, name, user, password);
  };
  return store;
}

caf::error forget_broker_account(const std::string& rabbit_dir, const std::string& name) {
  auto user = broker_account::broker_user(name);
  auto exists = user_exists(rabbit_dir, user);
  if (!exists)
    return exists.error();
  if (!*exists)
    return failed("no broker account for " + name);
  auto r = run_rabbit_tool(rabbit_dir, "rabbitmqctl", {"delete_user", user});
  if (!r.ok())
    return failed("rabbitmqctl delete_user: " + r.output);
  return {};
}

} // namespace chat
