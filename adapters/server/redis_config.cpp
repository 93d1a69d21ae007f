#include "adapters/server/redis_config.hpp"

#include "adapters/common/registry_functions.hpp"
#include "adapters/common/registry_keys.hpp"

#include <filesystem>

namespace chat {

namespace fs = std::filesystem;

std::string member_acl_rules() {
  // What the registry actor sends itself (actors/client/registry_actor.cpp).
  std::string rules = "resetkeys ~* resetchannels -@all +ping +select +hgetall +hkeys"
                      " +sadd +srem +pexpire +del";
  for (auto cmd : registry_functions::commands_used)
    rules += " +" + std::string{cmd};
  for (auto fn : registry_functions::member_functions)
    rules += " +fcall|" + std::string{fn};
  return rules;
}

std::string redis_conf_text(const redis_config& c) {
  std::string text = "# written by chat-actors server on every start\n"
                     "port " +
                     std::to_string(c.port) + "\nbind " + c.bind + "\ndir " + c.dir +
                     "\n"
                     "daemonize no\n"
                     "logfile \"\"\n"
                     "save \"\"\n"
                     "appendonly no\n"
                     // A registry value is a few hundred bytes: no request
                     // needs more than the smallest bounds Redis allows.
                     "proto-max-bulk-len 1mb\n"
                     "client-query-buffer-limit 1mb\n";
  if (c.max_memory > 0)
    text +=
        "maxmemory " + std::to_string(c.max_memory) + "\nmaxmemory-policy allkeys-lru\n";
  if (c.admin_password.empty()) {
    // Original clients use no password; without one Redis only admits
    // loopback unless protected mode is off.
    text += "protected-mode no\n";
  } else {
    text += "user default on >" + c.admin_password + " ~* &* +@all\n";
  }
  if (c.member_password)
    text += std::string{"user "} + redis_member_user + " on >" + *c.member_password +
            " " + member_acl_rules() + "\n";
  return text + c.extra;
}

void wipe_redis_data(const std::string& dir) {
  std::error_code ec;
  for (auto& entry : fs::directory_iterator{dir, ec}) {
    auto name = entry.path().filename().string();
    auto ext = entry.path().extension().string();
    if (ext == ".rdb" || ext == ".aof" || name.starts_with("appendonly"))
      fs::remove_all(entry.path(), ec);
  }
}

} // namespace chat
