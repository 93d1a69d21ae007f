#!/usr/bin/env bash
# A client killed with SIGKILL frees its name within TTL + 1 s; a clean
# exit frees it at once.
source "$(dirname "$0")/lib.sh"
source "$CHAT_TEST_ENV"
rcli() { redis-cli -p "$CHAT_TEST_REDIS_PORT" "$@"; }
registered() { [ "$(rcli exists "$1")" = 1 ]; }
gone() { [ "$(rcli exists "$1")" = 0 ]; }
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

client() { # NAME: a client whose stdin stays open
  sleep 300 | "$bin" --chat.server=127.0.0.1 --chat.redis-port="$CHAT_TEST_REDIS_PORT" \
    --chat.name="$1" --chat.lease-ttl=3s >"$work/$1.log" 2>&1 &
}

name=crash$RANDOM
client "$name"
wait_for 10 registered "$name" || fail "$name not registered"
ttl=$(rcli pttl "$name")
[ "$ttl" -gt 0 ] && [ "$ttl" -le 3000 ] || fail "lease ttl $ttl"
pkill -KILL -f -- "--chat.name=$name"
t0=$(now_ms)
wait_for 10 gone "$name" || fail "$name still registered after SIGKILL"
elapsed=$(( $(now_ms) - t0 ))
[ "$elapsed" -le 4000 ] || fail "name freed after $elapsed ms (> TTL + 1 s)"
pass "SIGKILLed client freed its name after $elapsed ms"

name=clean$RANDOM
client "$name"
wait_for 10 registered "$name" || fail "$name not registered"
pkill -TERM -f -- "--chat.name=$name"
wait_for 1 gone "$name" || fail "clean exit did not remove $name"
pass "clean exit removed the key at once"

# A second client under a live name is refused with the reason.
name=taken$RANDOM
client "$name"
wait_for 10 registered "$name" || fail "$name not registered"
out=$("$bin" --chat.server=127.0.0.1 --chat.redis-port="$CHAT_TEST_REDIS_PORT" \
  --chat.name="$name" </dev/null 2>&1) && fail "second $name accepted"
echo "$out" | grep -q "taken" || fail "no reason given: $out"
pass "a live name is refused: $out"
