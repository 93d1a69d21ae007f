#!/usr/bin/env bash
# The server node restarts a SIGKILLed managed redis-server, a live client
# registers again by itself and records its group subscriptions again; a
# Redis that answers wrongly (paused, another password) is restarted too;
# the node never gives up on Redis (65 kills in a row); SIGTERM leaves no
# process behind.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; stop_server; rm -rf "$work"' EXIT
# Restarts at most 200 ms apart: the kills below take seconds, not minutes.
start_server "$work" --chat.service-restart-max-delay=200ms
rcli() { redis-cli -p "$REDIS_PORT" "$@"; }
registered() { [ "$(rcli exists "$1" 2>/dev/null)" = 1 ]; }
redis_pid() { pgrep -f -- "redis-server .*:$REDIS_PORT\$" || true; }
restarts() { grep -c '^redis ready' "$SERVER_LOG" || true; }

name=phoenix$RANDOM
{ echo "/join keep$name"; exec sleep 300; } | "$bin" --chat.server=127.0.0.1 \
  --chat.redis-port="$REDIS_PORT" --chat.amqp-port="$AMQP_PORT" \
  --chat.name="$name" --chat.lease-ttl=3s >"$work/client.log" 2>&1 &
wait_for 10 registered "$name" || fail "not registered"
recorded() { [ "$(rcli sismember "chat:subscriptions:$name" "keep$name" 2>/dev/null)" = 1 ]; }
wait_for 10 recorded || { cat "$work/client.log"; fail "subscription not recorded"; }

pid=$(redis_pid)
[ -n "$pid" ] || fail "managed redis-server not found"
kill -KILL $pid
wait_for 20 bash -c "[ \$(grep -c '^redis ready' '$SERVER_LOG') -ge 2 ]" \
  || { cat "$SERVER_LOG"; fail "redis not restarted"; }
pass "server node restarted redis-server"
wait_for 10 registered "$name" || { cat "$work/client.log"; fail "client not registered again"; }
grep -q "registered again" "$work/client.log" || fail "client did not report it"
pass "client registered again after the Redis restart"
wait_for 5 recorded || fail "subscription record not written again after the Redis restart"
pass "client recorded its subscription again after the Redis restart"

# A Redis that runs but answers wrongly: paused, then with another password.
for wrong in "client pause 600000 all" "config set requirepass not-the-servers"; do
  before=$(restarts)
  rcli $wrong >/dev/null
  wait_for 30 bash -c "[ \$(grep -c '^redis ready' '$SERVER_LOG') -gt $before ]" \
    || { tail -5 "$SERVER_LOG"; fail "redis left as it is after '$wrong'"; }
  wait_for 10 registered "$name" || fail "client not registered again after '$wrong'"
  pass "'$wrong': the server node notices and restarts redis-server; the client registers again"
done

# 65 kills in a row (a member once did that with SHUTDOWN): never given up.
for i in $(seq 1 65); do
  wait_for 20 bash -c "[ -n \"\$(pgrep -f -- 'redis-server .*:$REDIS_PORT\$')\" ]" \
    || { tail -5 "$SERVER_LOG"; fail "redis-server not started again after $((i - 1)) kills"; }
  kill -KILL $(redis_pid) 2>/dev/null || true
done
wait_for 30 registered "$name" || { tail -5 "$SERVER_LOG"; fail "no Redis after 65 kills"; }
kill -0 "$SERVER_PID" || fail "the server node gave up"
grep -q "giving up" "$SERVER_LOG" && fail "the server node gave up: $(grep 'giving up' "$SERVER_LOG")"
pass "65 kills of redis-server in a row: restarted every time, the client registered again"

stop_server
SERVER_PID=
sleep 0.5
assert_no_orphans
pass "server node stopped without orphans"
