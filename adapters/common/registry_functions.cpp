#include "adapters/common/registry_functions.hpp"

#include "config/errors.hpp"

namespace chat::registry_functions {

namespace {

// The hash field `session` holds the SHA-1 of the session token, never the
// token: every member may read the registry, and the token is what lets a
// session refresh or free the name. A key without our session (including
// an original client's) means the name is taken. Redis 7 replicates a
// function's effects, so TIME is allowed before writes. `online` reads the
// user hashes, keys not passed in KEYS: fine on one Redis (or Sentinel),
// not on Redis Cluster.
constexpr const char* library_source = R"lua(#!lua name=chat_registry

local function now_ms()
  local t = redis.call('TIME')
  return t[1] * 1000 + math.floor(t[2] / 1000)
end

local function mark_online(keys, ttl)
  local now = now_ms()
  redis.call('ZADD', keys[2], now + ttl, keys[1])
  redis.call('ZREMRANGEBYSCORE', keys[2], '-inf', now)
  return 1
end

local function ttl_of(text)
  local ttl = tonumber(text)
  if not ttl or ttl < 1 then return redis.error_reply('ERR the lease needs a TTL') end
  return ttl
end

redis.register_function('chat_register', function(keys, args)
  local ttl = ttl_of(args[4])
  if type(ttl) == 'table' then return ttl end
  local lease = redis.sha1hex(args[3])
  local owner = redis.call('HGET', keys[1], 'session')
  if redis.call('EXISTS', keys[1]) == 1 and owner ~= lease then return 0 end
  redis.call('HSET', keys[1], 'ip_address', args[1], 'port', args[2], 'session', lease,
             'groups', args[11])
  if args[5] ~= '' then
    redis.call('HSET', keys[1], 'pubkey', args[5], 'kx', args[6], 'kx_sig', args[7])
  end
  if args[9] ~= '' then
    redis.call('HSET', keys[1], 'tls_port', args[8], 'tls_cert', args[9], 'tls_sig', args[10])
  end
  redis.call('PEXPIRE', keys[1], ttl)
  return mark_online(keys, ttl)
end)

redis.register_function('chat_refresh', function(keys, args)
  local ttl = ttl_of(args[2])
  if type(ttl) == 'table' then return ttl end
  if redis.call('HGET', keys[1], 'session') ~= redis.sha1hex(args[1]) then return 0 end
  redis.call('PEXPIRE', keys[1], ttl)
  return mark_online(keys, ttl)
end)

redis.register_function('chat_unregister', function(keys, args)
  if redis.call('HGET', keys[1], 'session') == redis.sha1hex(args[1]) then
    redis.call('ZREM', keys[2], keys[1])
    return redis.call('DEL', keys[1])
  end
  return 0
end)

redis.register_function('chat_groups', function(keys, args)
  if redis.call('HGET', keys[1], 'session') == redis.sha1hex(args[1]) then
    redis.call('HSET', keys[1], 'groups', args[2])
    return 1
  end
  return 0
end)

redis.register_function{function_name = 'chat_online', flags = {'no-writes'},
                        callback = function(keys, args)
  local out = {}
  local now = now_ms()
  for _, name in ipairs(redis.call('ZRANGEBYSCORE', keys[1], '(' .. now, '+inf')) do
    local f = redis.call('HMGET', name, 'ip_address', 'port', 'groups')
    if f[1] then
      out[#out + 1] = name
      out[#out + 1] = f[1]
      out[#out + 1] = f[2] or ''
      out[#out + 1] = f[3] or ''
    end
  end
  return out
end}

redis.register_function{function_name = 'chat_registry_version', flags = {'no-writes'},
                        callback = function() return '1' end}
)lua";

bool missing_function(const redis_reply& reply) {
  return reply.type == redis_reply::kind::error &&
         reply.str.find("Function not found") != std::string::npos;
}

} // namespace

const std::string& source() {
  static const std::string text = library_source;
  return text;
}

std::string_view current_version() {
  return "1";
}

caf::error load(redis_client& redis) {
  auto reply = redis.command({"FUNCTION", "LOAD", "REPLACE", source()});
  if (!reply)
    return reply.error();
  if (reply->type == redis_reply::kind::error)
    return make_error(errc::redis_unavailable,
                      "name server refused the registry functions: " + reply->str);
  return {};
}

bool loaded(redis_client& redis) {
  auto reply = redis.command({"FCALL", std::string{version}, "0"});
  return reply && reply->type == redis_reply::kind::string &&
         reply->str == current_version();
}

caf::expected<redis_reply> call(redis_client& redis, std::string_view function,
                                const std::vector<std::string>& keys,
                                const std::vector<std::string>& args) {
  std::vector<std::string> cmd{"FCALL", std::string{function},
                               std::to_string(keys.size())};
  cmd.insert(cmd.end(), keys.begin(), keys.end());
  cmd.insert(cmd.end(), args.begin(), args.end());
  auto reply = redis.command(cmd);
  if (!reply || !missing_function(*reply))
    return reply;
  if (auto err = load(redis))
    return err;
  return redis.command(cmd);
}

} // namespace chat::registry_functions
