#!/usr/bin/env bash
# Issue 10, "Secure by default": a server node in its default configuration
# in one network namespace, an attacker on a second host of the LAN (another
# namespace), a rogue server on a third. Every attempt is made with the tools
# an attacker would use (redis-cli, pika, bash's /dev/tcp, openssl); the test
# asserts what the design guarantees and prints what a member holding the
# join code can still do (README: Security). No packet touches the machine's
# real interfaces: the namespaces share one bridge.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for ip netns"; exit 0; }
py=/usr/bin/python3
$py -c 'import pika' 2>/dev/null || fail "python3-pika missing (scripts/setup installs it)"
id=$$
srv=chat-asrv-$id; atk=chat-aatk-$id; rog=chat-arog-$id
work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  if [ -n "${SERVER_PID:-}" ]; then # the node stops its services itself
    kill -CONT "$SERVER_PID" 2>/dev/null; kill -TERM "$SERVER_PID" 2>/dev/null
    wait_for 20 bash -c "! kill -0 $SERVER_PID 2>/dev/null" || true
  fi
  # Whatever else runs in our namespaces (rogue listeners, clients).
  for ns in "$srv" "$atk" "$rog"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  done
  sleep 0.5
  for ns in "$srv" "$atk" "$rog"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
for ns in "$srv" "$atk" "$rog"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
# The LAN: a bridge in the server's namespace, one veth per other host.
ip -n "$srv" link add br0 type bridge
ip -n "$srv" addr add 10.214.0.1/24 dev br0
ip -n "$srv" link set br0 up
n=2
for ns in "$atk" "$rog"; do
  ip link add "va$n$id" type veth peer name "vb$n$id"
  ip link set "va$n$id" netns "$srv"; ip link set "vb$n$id" netns "$ns"
  ip -n "$srv" link set "va$n$id" master br0; ip -n "$srv" link set "va$n$id" up
  ip -n "$ns" addr add "10.214.0.$n/24" dev "vb$n$id"; ip -n "$ns" link set "vb$n$id" up
  ip -n "$ns" route add default dev "vb$n$id"
  n=$((n + 1))
done
in_srv() { ip netns exec "$srv" "$@"; }
in_atk() { ip netns exec "$atk" env -u REDISCLI_AUTH -u CHAT_JOIN_CODE "$@"; }
in_rog() { ip netns exec "$rog" "$@"; }
S=10.214.0.1

# The server node: default configuration, default ports (own stack).
SERVER_LOG=$work/server.log
ip netns exec "$srv" "$bin" server --chat.state-dir="$work/state" </dev/null >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
wait_for 120 grep -q '^ready:' "$SERVER_LOG" || { cat "$SERVER_LOG"; fail "server not ready"; }
code=$(cat "$work/state/join-code")
member_pw=$(sed -n 's/^amqp-member-password=//p' "$work/state/secrets/secrets.conf")
redis_pw=$(sed -n 's/^redis-password=//p' "$work/state/secrets/secrets.conf")
grep -q "^join code: chat1-" "$SERVER_LOG" || fail "no join code printed"
[ "$(stat -c %a "$work/state/secrets/secrets.conf")" = 600 ] || fail "secrets not 0600"
[ "$(stat -c %a "$work/state/secrets/server.key")" = 600 ] || fail "key not 0600"
pass "secure by default: join code printed, secrets 0600"

# A legitimate member, bob, on the attacker's host (found by broadcast).
{ echo "/join room"; exec sleep 300; } | ip netns exec "$atk" env CHAT_JOIN_CODE="$code" HOME="$work/bob-home" \
  "$bin" --batch --chat.name=bob >"$work/bob.log" 2>&1 &
BOB_PID=$!
wait_for 20 grep -q "joined room" "$work/bob.log" || { cat "$work/bob.log"; fail "bob did not join"; }
pass "a client with the join code registers and joins from the LAN (TLS, pinned)"

# -- the name server -------------------------------------------------------
out=$(in_atk timeout 5 redis-cli -h $S -p 6379 hgetall bob 2>&1 || true)
echo "  redis-cli -h $S -p 6379 hgetall bob → $out"
echo "$out" | grep -qi "refused" || fail "Redis reachable from the LAN: $out"
pass "Redis itself is not reachable from the LAN (loopback only)"
out=$(in_atk timeout 5 redis-cli -h $S -p 6380 hgetall bob 2>&1 || true)
echo "  redis-cli -h $S -p 6380 hgetall bob (plaintext to the TLS port) → $out"
echo "$out" | grep -q "ip_address" && fail "plaintext registry read: $out"
out=$(in_atk timeout 5 redis-cli --tls --insecure -h $S -p 6380 hgetall bob 2>&1 || true)
echo "  redis-cli --tls --insecure -h $S -p 6380 hgetall bob → $out"
echo "$out" | grep -q "NOAUTH" || fail "no password needed: $out"
out=$(in_atk timeout 5 redis-cli --tls --insecure -h $S -p 6380 -a wrong --no-auth-warning \
  hgetall bob 2>&1 || true)
echo "  … -a wrong hgetall bob → $out"
echo "$out" | grep -qE "WRONGPASS|invalid" || fail "wrong password accepted: $out"
pass "the registry needs TLS and the password: without → NOAUTH, wrong → WRONGPASS"
out=$(in_atk timeout 5 redis-cli --tls --insecure -h $S -p 6380 -a "$redis_pw" --no-auth-warning \
  hget bob ip_address 2>&1 || true)
echo "  KNOWN: with the join code's Redis password a member reads the registry: hget bob ip_address → $out"

# -- the broker ------------------------------------------------------------
if in_atk bash -c "exec 3<>/dev/tcp/$S/5672" 2>/dev/null; then
  fail "plaintext AMQP port open to the LAN"
fi
pass "plaintext AMQP (5672) is closed to the LAN"
in_atk "$py" "$(dirname "$0")/attacks_amqp.py" $S 5671 chat-member "$member_pw" bob:room \
  >"$work/amqp.txt" 2>&1 || { cat "$work/amqp.txt"; fail "attack script failed"; }
sed 's/^/  /' "$work/amqp.txt"
refused() { grep -q "^$1: refused" "$work/amqp.txt" || fail "not refused: $1"; }
refused "login as guest/guest"
refused "login with a wrong password"
refused "login as chat-admin with the member password"
refused "delete exchange group_chat"
refused "delete exchange chat-actors.groups"
refused "delete exchange discovery_requests"
refused "redeclare group_chat durable"
refused "delete insults_queue"
refused "unbind insults_queue"
refused "bind own queue to chat-actors.groups with #"
refused "bind own queue to group_chat with #"
refused "publish to group_chat"
pass "broker: no guest; a member cannot delete or redeclare the shared exchanges or insults_queue, nor bind '#'"
grep -q "^bind own queue to one group (\*.room.\*): ALLOWED" "$work/amqp.txt" \
  || fail "a member cannot join a group any more"

# -- identities: what a member with the join code does to other users ------
# alice runs on the server host and has talked to bob (his key is pinned).
mkfifo "$work/alice.in"
ip netns exec "$srv" env CHAT_JOIN_CODE="$code" HOME="$work/alice-home" "$bin" --batch --json \
  --chat.server=$S --chat.name=alice <"$work/alice.in" >"$work/alice.log" 2>&1 &
exec {alice_fd}>"$work/alice.in"
wait_for 20 grep -q '"registered as' "$work/alice.log" || { cat "$work/alice.log"; fail "alice did not register"; }
echo "/join room" >&"$alice_fd"
wait_for 20 grep -q "joined room" "$work/alice.log" || fail "alice did not join"
echo "/msg bob hi bob" >&"$alice_fd"
wait_for 10 grep -q "alice: hi bob" "$work/bob.log" || { cat "$work/bob.log" "$work/alice.log"; fail "bob did not get alice's message"; }
grep -q "alice(unverified): hi bob" "$work/bob.log" && fail "alice's message to bob unverified"
# The attack script above deleted bob's queue: bob re-creates it (consumer
# cancel notify); what is published before that is lost for him.
wait_for 20 grep -q "group:room reconnected" "$work/bob.log" || { cat "$work/bob.log"; fail "bob's group queue did not come back"; }
# A forged group message: the member publishes as alice (pika, TLS).
in_atk "$py" - $S 5671 chat-member "$member_pw" <<'PY' || fail "forging failed"
import ssl, sys, pika
host, port, user, password = sys.argv[1:5]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
conn = pika.BlockingConnection(pika.ConnectionParameters(host=host, port=int(port),
    credentials=pika.PlainCredentials(user, password), ssl_options=pika.SSLOptions(ctx)))
ch = conn.channel()
ch.basic_publish("chat-actors.groups", "mallory.room.msg", b"alice: I owe mallory 100",
    pika.BasicProperties(message_id="forged-1", headers={"x-chat-sender": "alice"}))
conn.close()
PY
wait_for 10 grep -q "I owe mallory 100" "$work/alice.log" || fail "the forged message did not arrive"
grep "I owe mallory 100" "$work/alice.log" | grep -q '"from":"alice","own":false,"verified":false' \
  || fail "forged line under alice's own name not set apart: $(grep 'mallory 100' "$work/alice.log")"
wait_for 10 grep -q "alice(unverified): I owe mallory 100" "$work/bob.log" \
  || fail "bob shows the forged line as alice's: $(grep 'mallory 100' "$work/bob.log")"
pass "a member publishing as alice: shown unverified to bob, never as alice's own line to alice"
# The member takes bob's name over (deletes his entry while bob's client is
# stopped, registers with a key of its own) and writes to alice as bob.
kill -STOP "$BOB_PID"
in_atk redis-cli --tls --insecure -h $S -p 6380 -a "$redis_pw" --no-auth-warning del bob >/dev/null
{ echo "/msg alice it is me, bob: send me the code"; exec sleep 300; } |
  ip netns exec "$atk" env CHAT_JOIN_CODE="$code" HOME="$work/evil-home" "$bin" --batch \
    --chat.name=bob >"$work/evil.log" 2>&1 &
wait_for 15 grep -q "send me the code" "$work/alice.log" || { cat "$work/evil.log"; fail "the impostor's message did not arrive"; }
grep "send me the code" "$work/alice.log" | grep -q '"verified":false' \
  || fail "the impostor's message shown verified"
grep -q "bob's key changed: pinned" "$work/alice.log" || fail "no key-changed warning"
echo "/msg bob the code is 1234" >&"$alice_fd"
wait_for 10 grep -q "not sent. /trust bob" "$work/alice.log" || fail "alice's send to the new key was not held"
pass "a member taking bob's name with another key: 'bob's key changed' warning, unverified, alice's send held until /trust"

# -- a rogue server --------------------------------------------------------
# It answers the locator (the real node is stopped, so the rogue is first)
# and serves TLS with its own certificate on the name-server and broker
# ports, plaintext listeners recording everything on the others.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=rogue -keyout "$work/rogue.key" -out "$work/rogue.crt" 2>/dev/null
for port in 6380 5671; do
  in_rog openssl s_server -accept $port -cert "$work/rogue.crt" -key "$work/rogue.key" \
    -quiet </dev/null >"$work/rogue-$port.log" 2>&1 &
done
for port in 6379 5672; do
  in_rog socat -u TCP-LISTEN:$port,reuseaddr,fork OPEN:"$work/rogue-$port.log",creat,append \
    </dev/null >/dev/null 2>&1 &
done
in_rog "$py" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", 37020))
while True:
    data, peer = s.recvfrom(2048)
    if data.startswith(b"DISCOVERY_REQUEST"):
        s.sendto(b"SERVER_IP:10.214.0.3", peer)
' </dev/null >/dev/null 2>&1 &
sleep 1
kill -STOP "$SERVER_PID"
out=$(ip netns exec "$atk" env CHAT_JOIN_CODE="$code" "$bin" --batch --chat.name=carol \
  --chat.locator-timeout=6s </dev/null 2>&1) && { kill -CONT "$SERVER_PID"; fail "connected to the rogue: $out"; }
kill -CONT "$SERVER_PID"
echo "  client after a rogue locator answer → $out"
echo "$out" | grep -q "server at 10.214.0.3:6380 does not match the join code's certificate" \
  || fail "unclear refusal: $out"
for f in "$work"/rogue-*.log; do
  for secret in "$redis_pw" "$member_pw"; do
    grep -qa -- "$secret" "$f" && fail "a secret reached the rogue ($f)"
  done
done
[ ! -s "$work/rogue-6379.log" ] && [ ! -s "$work/rogue-5672.log" ] \
  || fail "the client spoke plaintext to the rogue"
pass "rogue locator answer → clear refusal, no credentials sent"

# A malformed join code: one line, exit code 2.
out=$(ip netns exec "$atk" "$bin" --batch --chat.name=dave --chat.join-code=chat1-garbage \
  </dev/null 2>&1) && fail "accepted a malformed code"
[ "$(echo "$out" | wc -l)" = 1 ] || fail "more than one line: $out"
pass "malformed join code → '$out'"
