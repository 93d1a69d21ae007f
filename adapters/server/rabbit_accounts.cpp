#include "adapters/server/rabbit_accounts.hpp"

#include "adapters/common/broker_account.hpp"
#include "adapters/common/tls.hpp"
#include "adapters/server/broker_permissions.hpp"
#include "adapters/server/cluster_node.hpp"
#include "adapters/server/server_secrets.hpp"
#include "config/errors.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace chat {

namespace {

caf::error failed(const std::string& what) {
  return make_error(errc::service_failed, what);
}

caf::expected<std::set<std::string>> list_users(const std::string& rabbit_dir) {
  auto r = run_rabbit_tool(rabbit_dir, "rabbitmqctl",
                           {"list_users", "--formatter", "json", "-q"});
  auto bracket = r.output.find('[');
  if (!r.ok() || bracket == std::string::npos)
    return failed("rabbitmqctl list_users: " + r.output);
  auto doc = nlohmann::json::parse(r.output.substr(bracket), nullptr, false);
  if (!doc.is_array())
    return failed("rabbitmqctl list_users: unreadable");
  std::set<std::string> users;
  for (auto& entry : doc)
    if (entry.is_object())
      users.insert(entry.value("user", ""));
  return users;
}

caf::error create_users(const std::string& rabbit_dir, const std::string& vhost,
                        const std::vector<new_account>& accounts,
                        broker_user_limits limits) {
  // A definitions file carries the password hashes only (a command line
  // would show the passwords to `ps`), and sets users, permissions and
  // topic permissions in one call.
  std::vector<broker_account_definition> defs;
  for (auto& a : accounts)
    defs.push_back({a.user, a.password, "", permissions_for_user(a.name), limits});
  auto file = rabbit_dir + "/accounts-" + tls::random_hex(8) + ".json";
  if (auto err = write_private_file(file, definitions_json(defs, vhost, false)))
    return err;
  auto r = run_rabbit_tool(rabbit_dir, "rabbitmqctl", {"import_definitions", file});
  std::remove(file.c_str());
  if (!r.ok())
    return failed("rabbitmqctl import_definitions: " + r.output);
  return {};
}

} // namespace

account_store rabbit_account_store(amqp_settings loopback, std::string rabbit_dir,
                                   broker_user_limits limits) {
  account_store store;
  store.accepts = [loopback](const std::string& user, const std::string& password) {
    auto probe = loopback;
    probe.user = user;
    probe.password = password;
    caf::error err;
    return amqp_connection::open(probe, err) != nullptr;
  };
  store.users = [rabbit_dir] { return list_users(rabbit_dir); };
  store.create = [rabbit_dir, vhost = loopback.vhost,
                  limits](const std::vector<new_account>& xs) {
    return create_users(rabbit_dir, vhost, xs, limits);
  };
  return store;
}

caf::expected<std::vector<std::string>> queues_of(const std::string& rabbit_dir,
                                                  const std::string& vhost,
                                                  const std::string& name) {
  auto r =
      run_rabbit_tool(rabbit_dir, "rabbitmqctl",
                      {"list_queues", "-p", vhost, "name", "--formatter", "json", "-q"});
  auto bracket = r.output.find('[');
  if (!r.ok() || bracket == std::string::npos)
    return failed("rabbitmqctl list_queues: " + r.output);
  auto doc = nlohmann::json::parse(r.output.substr(bracket), nullptr, false);
  if (!doc.is_array())
    return failed("rabbitmqctl list_queues: unreadable");
  // Names hold no ':', so "<name>:" prefixes that user's queues alone.
  auto prefix = name + ":";
  std::vector<std::string> result;
  for (auto& entry : doc)
    if (auto q = entry.is_object() ? entry.value("name", "") : ""; q.starts_with(prefix))
      result.push_back(q);
  return result;
}

caf::expected<size_t> forget_broker_account(const std::string& rabbit_dir,
                                            const std::string& vhost,
                                            const std::string& name) {
  auto user = broker_account::broker_user(name);
  auto users = list_users(rabbit_dir);
  if (!users)
    return users.error();
  auto queues = queues_of(rabbit_dir, vhost, name);
  if (!queues)
    return queues.error();
  if (users->count(user) == 0 && queues->empty())
    return failed("no broker account and no queues for " + name);
  // What waits for the user (group messages, its inbox) goes with the name.
  for (auto& q : *queues)
    if (auto r =
            run_rabbit_tool(rabbit_dir, "rabbitmqctl", {"delete_queue", "-p", vhost, q});
        !r.ok())
      return failed("rabbitmqctl delete_queue " + q + ": " + r.output);
  if (users->count(user) != 0)
    if (auto r = run_rabbit_tool(rabbit_dir, "rabbitmqctl", {"delete_user", user});
        !r.ok())
      return failed("rabbitmqctl delete_user: " + r.output);
  return queues->size();
}

} // namespace chat
