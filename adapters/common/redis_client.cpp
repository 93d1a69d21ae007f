#include "adapters/common/redis_client.hpp"

#include "config/defaults.hpp"
#include "config/errors.hpp"

#include <caf/actor_system_config.hpp>

#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace chat {

namespace {

timeval to_timeval(caf::timespan x) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(x).count();
  return timeval{static_cast<time_t>(us / 1'000'000),
                 static_cast<suseconds_t>(us % 1'000'000)};
}

redis_reply copy(const redisReply* r) {
  redis_reply result;
  switch (r->type) {
  case REDIS_REPLY_INTEGER:
    result.type = redis_reply::kind::integer;
    result.integer = r->integer;
    break;
  case REDIS_REPLY_STRING:
    result.type = redis_reply::kind::string;
    result.str.assign(r->str, r->len);
    break;
  case REDIS_REPLY_STATUS:
    result.type = redis_reply::kind::status;
    result.str.assign(r->str, r->len);
    break;
  case REDIS_REPLY_ERROR:
    result.type = redis_reply::kind::error;
    result.str.assign(r->str, r->len);
    break;
  case REDIS_REPLY_ARRAY:
    result.type = redis_reply::kind::array;
    for (size_t i = 0; i < r->elements; ++i)
      result.elements.emplace_back(copy(r->element[i]));
    break;
  default:
    break;
  }
  return result;
}

} // namespace

redis_settings read_redis_settings(const caf::actor_system_config& cfg,
                                   const std::string& host) {
  namespace d = defaults;
  redis_settings result;
  result.host = host;
  result.port = caf::get_or(cfg, "chat.redis-port", d::redis_port);
  result.db = caf::get_or(cfg, "chat.redis-db", d::redis_db);
  result.password =
      caf::get_or(cfg, "chat.redis-password", std::string{d::redis_password});
  return result;
}

redis_client::redis_client(redis_settings settings) : settings_(std::move(settings)) {}

redis_client::~redis_client() {
  disconnect();
}

void redis_client::disconnect() {
  if (ctx_ != nullptr) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
}

caf::error redis_client::connect() {
  auto tv = to_timeval(settings_.timeout);
  ctx_ = redisConnectWithTimeout(settings_.host.c_str(), settings_.port, tv);
  auto where = settings_.host + ":" + std::to_string(settings_.port);
  if (ctx_ == nullptr || ctx_->err != 0) {
    std::string why = ctx_ != nullptr ? ctx_->errstr : "out of memory";
    disconnect();
    return make_error(errc::redis_unavailable,
                      "name server " + where + " unreachable: " + why);
  }
  redisSetTimeout(ctx_, tv);
  // ctx_ is set, so command() runs these on the fresh connection.
  auto setup = [&](std::vector<std::string> args) -> caf::error {
    auto reply = command(args);
    if (!reply)
      return reply.error();
    if (reply->type == redis_reply::kind::error)
      return make_error(errc::redis_unavailable, "name server " + where + " refused " +
                                                     args.front() + ": " + reply->str);
    return {};
  };
  caf::error err;
  if (!settings_.user.empty())
    err = setup({"AUTH", settings_.user, settings_.password});
  else if (!settings_.password.empty())
    err = setup({"AUTH", settings_.password});
  if (!err && settings_.db != 0)
    err = setup({"SELECT", std::to_string(settings_.db)});
  if (err)
    disconnect();
  return err;
}

caf::expected<redis_reply> redis_client::command(const std::vector<std::string>& args) {
  if (ctx_ == nullptr)
    if (auto err = connect())
      return err;
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto r = static_cast<redisReply*>(
      redisCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (r == nullptr) {
    std::string why = ctx_->errstr;
    disconnect();
    return make_error(errc::redis_unavailable, "name server " + settings_.host + ":" +
                                                   std::to_string(settings_.port) +
                                                   " failed: " + why);
  }
  auto result = copy(r);
  freeReplyObject(r);
  // A replica, or a master cut off from its replicas (a failover happened
  // or is under way): hang up, so that the next command dials the master
  // anew (through a tunnel that follows Sentinel in a cluster).
  if (result.type == redis_reply::kind::error &&
      (result.str.starts_with("READONLY") || result.str.starts_with("NOREPLICAS") ||
       result.str.starts_with("MASTERDOWN") || result.str.starts_with("LOADING")))
    disconnect();
  return result;
}

caf::expected<redis_reply> redis_client::eval(const std::string& script,
                                              std::vector<std::string> args) {
  auto& sha = script_shas_[script];
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (sha.empty()) {
      auto loaded = command({"SCRIPT", "LOAD", script});
      if (!loaded)
        return loaded.error();
      if (loaded->type != redis_reply::kind::string)
        return make_error(errc::redis_unavailable,
                          "name server refused a script: " + loaded->str);
      sha = loaded->str;
    }
    args.insert(args.begin(), {"EVALSHA", sha});
    auto reply = command(args);
    args.erase(args.begin(), args.begin() + 2);
    // NOSCRIPT: the server restarted and forgot it; load it again.
    if (reply && reply->type == redis_reply::kind::error &&
        reply->str.starts_with("NOSCRIPT")) {
      sha.clear();
      continue;
    }
    return reply;
  }
  return make_error(errc::redis_unavailable, "name server keeps forgetting a script");
}

std::string redis_client::local_address() const {
  if (ctx_ == nullptr)
    return {};
  if (!settings_.local_address.empty())
    return settings_.local_address;
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(ctx_->fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return {};
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, buf,
              sizeof(buf));
  else if (addr.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, buf,
              sizeof(buf));
  return buf;
}

} // namespace chat
