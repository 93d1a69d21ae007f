#!/usr/bin/env bash
# The server node restarts a SIGKILLed managed redis-server, a live client
# registers again by itself and records its group subscriptions again, and
# SIGTERM leaves no process behind.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; stop_server; rm -rf "$work"' EXIT
start_server "$work"
rcli() { redis-cli -p "$REDIS_PORT" "$@"; }
registered() { [ "$(rcli exists "$1" 2>/dev/null)" = 1 ]; }

name=phoenix$RANDOM
{ echo "/join keep$name"; exec sleep 300; } | "$bin" --chat.server=127.0.0.1 \
  --chat.redis-port="$REDIS_PORT" --chat.amqp-port="$AMQP_PORT" \
  --chat.name="$name" --chat.lease-ttl=3s >"$work/client.log" 2>&1 &
wait_for 10 registered "$name" || fail "not registered"
recorded() { [ "$(rcli sismember "chat:subscriptions:$name" "keep$name" 2>/dev/null)" = 1 ]; }
wait_for 10 recorded || { cat "$work/client.log"; fail "subscription not recorded"; }

redis_pid=$(pgrep -f -- "redis-server.*:$REDIS_PORT" || pgrep -f -- "--port $REDIS_PORT")
[ -n "$redis_pid" ] || fail "managed redis-server not found"
kill -KILL $redis_pid
wait_for 20 bash -c "[ \$(grep -c '^redis ready' '$SERVER_LOG') -ge 2 ]" \
  || { cat "$SERVER_LOG"; fail "redis not restarted"; }
pass "server node restarted redis-server"
wait_for 10 registered "$name" || { cat "$work/client.log"; fail "client not registered again"; }
grep -q "registered again" "$work/client.log" || fail "client did not report it"
pass "client registered again after the Redis restart"
wait_for 5 recorded || fail "subscription record not written again after the Redis restart"
pass "client recorded its subscription again after the Redis restart"

stop_server
SERVER_PID=
sleep 0.5
assert_no_orphans
pass "server node stopped without orphans"
