#!/usr/bin/env bash
# LAN locator over real UDP broadcast between two network namespaces joined
# by a veth pair: no packet touches the machine's real interfaces.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for ip netns"; exit 0; }
id=$$
srv=chat-srv-$id; cli=chat-cli-$id
work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  if [ -n "${SERVER_PID:-}" ]; then
    kill -CONT "$SERVER_PID" 2>/dev/null; kill -TERM "$SERVER_PID" 2>/dev/null
    wait_for 20 bash -c "! kill -0 $SERVER_PID 2>/dev/null" || true
  fi
  ip netns pids "$srv" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  ip netns del "$srv" 2>/dev/null || true
  ip netns del "$cli" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$srv"; ip netns add "$cli"
ip link add "vs$id" type veth peer name "vc$id"
ip link set "vs$id" netns "$srv"; ip link set "vc$id" netns "$cli"
ip -n "$srv" addr add 10.213.0.1/24 dev "vs$id"
ip -n "$cli" addr add 10.213.0.2/24 dev "vc$id"
for ns in "$srv" "$cli"; do ip -n "$ns" link set lo up; done
ip -n "$srv" link set "vs$id" up; ip -n "$cli" link set "vc$id" up
# A LAN host has a default route; 255.255.255.255 leaves through it.
ip -n "$cli" route add default dev "vc$id"

in_srv() { ip netns exec "$srv" "$@"; }
in_cli() { ip netns exec "$cli" "$@"; }

# The server node runs inside the server namespace, default ports (the
# namespace has its own network stack).
SERVER_LOG=$work/server.log
ip netns exec "$srv" "$bin" server --chat.state-dir="$work/state" </dev/null >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
wait_for 120 grep -q '^ready:' "$SERVER_LOG" || { cat "$SERVER_LOG"; fail "server not ready"; }
use_server_secrets "$work/state" # secure mode: the client gets the join code

found=$(in_cli "$bin" locate --chat.locator-timeout=6s) || fail "locate failed"
[ "$found" = 10.213.0.1 ] || fail "locator answered '$found', expected 10.213.0.1"
pass "broadcast found the server at $found"

# Malformed and oversized datagrams must not disturb it.
in_cli bash -c 'printf junk >/dev/udp/10.213.0.1/37020
  head -c 5000 /dev/zero | tr "\0" x >/dev/udp/10.213.0.1/37020
  printf "DISCOVERY_REQUEST\n" >/dev/udp/10.213.0.1/37020
  printf "" >/dev/udp/10.213.0.1/37020' || true
found=$(in_cli "$bin" locate --chat.locator-timeout=6s) || fail "locator dead after junk"
[ "$found" = 10.213.0.1 ] || fail "wrong answer after junk: $found"
pass "still answers after malformed and oversized datagrams"

# A whole client: found by broadcast, registered with its own LAN address.
sleep 300 | in_cli "$bin" --chat.name=alice >"$work/client.log" 2>&1 &
registered() { [ "$(in_srv redis-cli hget alice ip_address)" = 10.213.0.2 ]; }
wait_for 15 registered || { cat "$work/client.log"; fail "alice not registered from the LAN"; }
pass "client in another namespace registered as alice with ip 10.213.0.2"

# No server reachable: a clear message within the timeout.
kill -STOP "$SERVER_PID"
out=$(in_cli "$bin" locate --chat.locator-timeout=3s 2>&1) && fail "found a stopped server"
kill -CONT "$SERVER_PID"
echo "$out" | grep -q "no server answered" || fail "unclear message: $out"
pass "no answer → '$out'"
