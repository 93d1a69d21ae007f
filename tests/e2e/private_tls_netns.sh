#!/usr/bin/env bash
# Private chats are confidential: a server node in its default
# (secure) configuration in one network namespace, alice and bob on two
# other hosts of the LAN, an attacker on a fourth. Checks that the private
# chat between alice and bob crosses the LAN as TLS only (a capture on the
# LAN bridge holds neither a word of the message nor their names), that a
# plaintext gRPC call to a client's private-chat port gets nowhere, and that
# a TLS connection with a certificate of its own claiming to be alice is
# refused. No packet touches the machine's real interfaces.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for ip netns"; exit 0; }
hostile=${CHAT_HOSTILE:?path to chat-test-hostile}
py=/usr/bin/python3
id=$$
srv=gts-$id; na=gta-$id; nb=gtb-$id; nx=gtx-$id
work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  if [ -n "${SERVER_PID:-}" ]; then # the node stops its services itself
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait_for 20 bash -c "! kill -0 $SERVER_PID 2>/dev/null" || true
  fi
  for ns in "$srv" "$na" "$nb" "$nx"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  done
  sleep 0.5
  for ns in "$srv" "$na" "$nb" "$nx"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
for ns in "$srv" "$na" "$nb" "$nx"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
# The LAN: a bridge in the server's namespace, one veth per other host.
ip -n "$srv" link add br0 type bridge
ip -n "$srv" addr add 10.216.0.1/24 dev br0
ip -n "$srv" link set br0 up
n=2
for ns in "$na" "$nb" "$nx"; do
  ip link add "gtv$n$id" type veth peer name "gtw$n$id"
  ip link set "gtv$n$id" netns "$srv"; ip link set "gtw$n$id" netns "$ns"
  ip -n "$srv" link set "gtv$n$id" master br0; ip -n "$srv" link set "gtv$n$id" up
  ip -n "$ns" addr add "10.216.0.$n/24" dev "gtw$n$id"; ip -n "$ns" link set "gtw$n$id" up
  ip -n "$ns" route add default dev "gtw$n$id"
  n=$((n + 1))
done
S=10.216.0.1; A=10.216.0.2; B=10.216.0.3

SERVER_LOG=$work/server.log
ip netns exec "$srv" "$bin" server --chat.state-dir="$work/state" </dev/null >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
wait_for 120 grep -q '^ready:' "$SERVER_LOG" || { cat "$SERVER_LOG"; fail "server not ready"; }
code=$(cat "$work/state/join-code")
redis_pw=$(sed -n 's/^redis-admin-password=//p' "$work/state/secrets/secrets.conf")
registry() { ip netns exec "$srv" redis-cli -p 6379 -a "$redis_pw" --no-auth-warning "$@"; }

# Everything alice's and bob's hosts exchange, as seen on the LAN (alice's
# port of the bridge; TCP payloads between the two, raw bytes; AF_PACKET, no
# tcpdump needed).
ip netns exec "$srv" "$py" - "$A" "$B" "$work/capture" "gtv2$id" <<'PY' &
import socket, sys
a, b, out = socket.inet_aton(sys.argv[1]), socket.inet_aton(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
s.bind((sys.argv[4], 0))
with open(out, "wb", buffering=0) as f:
    while True:
        frame = s.recv(65535)
        if frame[12:14] != b"\x08\x00": continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 6 or {ip[12:16], ip[16:20]} != {a, b}: continue
        tcp = ip[ihl:]
        payload = tcp[(tcp[12] >> 4) * 4:]
        if payload: f.write(payload)
PY
sleep 0.5

mkfifo "$work/alice.in"
ip netns exec "$na" env CHAT_JOIN_CODE="$code" HOME="$work/alice-home" "$bin" --batch --json \
  --chat.server=$S --chat.name=alice <"$work/alice.in" >"$work/alice.log" 2>&1 &
exec {alice_fd}>"$work/alice.in"
{ exec sleep 300; } | ip netns exec "$nb" env CHAT_JOIN_CODE="$code" HOME="$work/bob-home" \
  "$bin" --batch --json --chat.server=$S --chat.name=bob >"$work/bob.log" 2>&1 &
wait_for 20 grep -q '"registered as' "$work/alice.log" || { cat "$work/alice.log"; fail "alice did not register"; }
wait_for 20 grep -q '"registered as' "$work/bob.log" || { cat "$work/bob.log"; fail "bob did not register"; }
echo "  bob's registry entry: $(registry hgetall bob | paste -sd' ' | cut -c1-400)…"
bob_port=$(registry hget bob port)
[ "$(registry hget bob tls_port)" = "$bob_port" ] || fail "secure mode: port is not the TLS port"
[ "$(registry hget bob tls_cert | wc -c)" = 65 ] || fail "no certificate fingerprint published"
pass "secure mode: bob publishes one private-chat port, TLS, with its certificate's SHA-256 signed"

echo "/msg bob zebracrossing42 at noon" >&"$alice_fd"
wait_for 10 grep -q "zebracrossing42" "$work/bob.log" || { cat "$work/alice.log" "$work/bob.log"; fail "bob did not get alice's message"; }
grep "zebracrossing42" "$work/bob.log" | grep -q '"verified":true' || fail "alice's message not verified"
sleep 1
bytes=$(stat -c %s "$work/capture")
echo "  captured $bytes bytes of TCP payload between alice's and bob's hosts"
[ "$bytes" -gt 500 ] || fail "the capture saw nothing ($bytes bytes): the check would be vacuous"
head -c 3 "$work/capture" | od -An -tx1 | grep -q "16 03 0[13]" || fail "the first bytes are not a TLS handshake"
for word in zebracrossing42 alice bob AddMessage x-chat-key PrivateChatService; do
  grep -qa -- "$word" "$work/capture" && fail "'$word' crossed the LAN in clear"
done
pass "alice → bob crossed the LAN as TLS: no message word, user name, method or header in clear"

# The attacker: h2c (plaintext gRPC) to bob's private-chat port.
out=$(ip netns exec "$nx" "$hostile" call $B "$bob_port" mallory bob "hello in clear" plain)
echo "  plaintext gRPC call to bob:$bob_port → $out"
echo "$out" | grep -q "^status 14 " || fail "plaintext call not refused: $out"
# TLS with a certificate of its own, claiming alice's session.
alice_kx=$(registry hget alice kx); bob_kx=$(registry hget bob kx)
out=$(ip netns exec "$nx" "$hostile" call $B "$bob_port" alice bob "c2VhbGVk" tls "$alice_kx" "$bob_kx")
echo "  TLS call as alice with another certificate → $out"
echo "$out" | grep -q "^status 7 the connection's certificate is not alice's" \
  || fail "a call as alice on another certificate was not refused: $out"
out=$(ip netns exec "$nx" "$hostile" call $B "$bob_port" alice bob "unsealed as alice" tls)
echo "  TLS call as alice, no seal → $out"
echo "$out" | grep -q "^status 7 " || fail "an unsealed call as alice was accepted: $out"
# The same on the ordered stream chat-actors clients use between them.
out=$(ip netns exec "$nx" "$hostile" stream $B "$bob_port" alice bob "c2VhbGVk" "$alice_kx" "$bob_kx")
echo "  streamed as alice with another certificate → $out"
echo "$out" | grep -q "^status 7 the connection's certificate is not alice's" \
  || fail "a streamed message as alice on another certificate was not refused: $out"
out=$(ip netns exec "$nx" "$hostile" stream $B "$bob_port" alice bob "streamed unsealed")
echo "  streamed as alice, no seal → $out"
echo "$out" | grep -q "^status 7 " || fail "an unsealed streamed message as alice was accepted: $out"
grep -q "c2VhbGVk\|unsealed as alice\|hello in clear\|streamed unsealed" "$work/bob.log" \
  && fail "bob shows an attacker's text"
pass "from the attacker's host: h2c → UNAVAILABLE; TLS as alice on another certificate, unary or streamed → PERMISSION_DENIED"

# A stream that is written as fast as bob takes it and whose receipts are
# never read: bob stops reading it (its receipts would pile up otherwise),
# keeps its memory, and alice still gets through meanwhile.
bob_pid=$(ip netns pids "$nb" | while read -r p; do
  [ "$(readlink "/proc/$p/exe")" = "$(readlink -f "$bin")" ] && echo "$p"; done | head -1)
[ -n "$bob_pid" ] || fail "bob's process not found"
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
before=$(rss_kb "$bob_pid")
ip netns exec "$nx" "$hostile" stream-flood $B "$bob_port" mallory bob 4 >"$work/flood" &
flood_pid=$!
sleep 2
echo "/msg bob during the flood" >&"$alice_fd"
wait_for 5 grep -q "during the flood" "$work/bob.log" || fail "bob did not get alice's message during the flood"
wait "$flood_pid"
after=$(rss_kb "$bob_pid")
growth=$(( (after - before) / 1024 ))
echo "  attacker streamed, never reading receipts: $(cat "$work/flood") messages of 4000 bytes; bob's RSS +$growth MiB"
wrote=$(awk '{ print $2 }' "$work/flood")
[ "${wrote:-0}" -gt 64 ] || fail "the flood wrote too little to prove anything: $(cat "$work/flood")"
[ "$growth" -le 24 ] || fail "bob grew by $growth MiB under a stream whose receipts nobody reads"
pass "a stream whose receipts are never read for 4 s: bob +$growth MiB, alice gets through"
