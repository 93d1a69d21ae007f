#!/usr/bin/env bash
# Secure by default: a server node in its default configuration
# in one network namespace, an attacker on a second host of the LAN (another
# namespace), a rogue server on a third. Every attempt is made with the tools
# an attacker would use (redis-cli, pika, bash's /dev/tcp, openssl); the test
# asserts what the design guarantees and prints what a member holding the
# join code can still do (docs/security.md; docs/member-attacks.md). No
# packet touches the machine's real interfaces: the namespaces share one
# bridge.
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
admin_pw=$(sed -n 's/^redis-admin-password=//p' "$work/state/secrets/secrets.conf")
admin_amqp_pw=$(sed -n 's/^amqp-admin-password=//p' "$work/state/secrets/secrets.conf")
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
# member_redis ARGS...: the join code's password, as the member user.
member_redis() {
  in_atk timeout 5 redis-cli --tls --insecure -h $S -p 6380 --user chat-member \
    --pass "$redis_pw" --no-auth-warning "$@" 2>&1 || true
}
# admin_redis ARGS...: the server node's own login (loopback, server host).
admin_redis() { in_srv redis-cli -p 6379 -a "$admin_pw" --no-auth-warning "$@" 2>&1 || true; }
out=$(member_redis hget bob ip_address)
echo "  KNOWN: with the join code's Redis password a member reads the registry: hget bob ip_address → $out"

# -- a member administering the name server ---------------------------------
out=$(in_atk timeout 5 redis-cli --tls --insecure -h $S -p 6380 -a "$redis_pw" --no-auth-warning \
  acl list 2>&1 || true)
echo "  join code's password as Redis' default user: acl list → $out"
echo "$out" | grep -q "WRONGPASS" || fail "the join code's password logs in as Redis' default user: $out"
while read -r attack; do
  out=$(eval "member_redis $attack")
  echo "  member: $attack → $out"
  echo "$out" | grep -qE "NOPERM|DEBUG command not allowed" || fail "a member may: $attack → $out"
done <<'ATTACKS'
CONFIG SET requirepass locked-out
CONFIG SET bind 0.0.0.0
FLUSHALL
FUNCTION FLUSH
EVAL 'while true do end' 0
CLIENT PAUSE 60000
CLIENT LIST
MONITOR
REPLICAOF 10.214.0.3 6379
SHUTDOWN NOSAVE
DEBUG SLEEP 10
SAVE
ACL LIST
KEYS '*'
SETRANGE filler 1073741823 x
ATTACKS
pass "a member is no name-server administrator: CONFIG, FLUSHALL, EVAL, CLIENT, MONITOR, REPLICAOF, SHUTDOWN, DEBUG, SAVE, ACL, KEYS, SETRANGE → NOPERM"
out=$(admin_redis config get maxmemory)
echo "  config get maxmemory → $(echo $out)"
[ "$(echo "$out" | sed -n 2p)" -gt 0 ] || fail "Redis has no maxmemory: $out"
out=$(member_redis fcall chat_online 1 chat:online)
echo "$out" | grep -q "^bob$" || fail "a member cannot list who is online: $out"
pass "Redis memory bounded (maxmemory $(admin_redis config get maxmemory | sed -n 2p) bytes); the registry's functions still serve members"

# What a member could plant (on a Redis that once obeyed REPLICAOF or SAVE):
# an entry without TTL, saved to dump.rdb. A restart of Redis drops it.
admin_redis hset squatter ip_address 10.214.0.66 port 1 session forged >/dev/null
admin_redis save >/dev/null
rdb=$work/state/redis-6379/dump.rdb
[ -f "$rdb" ] || fail "no dump.rdb after SAVE"
[ "$(stat -c %a "$rdb")" = 600 ] || fail "dump.rdb is $(stat -c %a "$rdb"), not 0600"
redis_ready=$(grep -c '^redis ready' "$SERVER_LOG")
for pid in $(ip netns pids "$srv"); do
  [ "$(cat /proc/$pid/comm 2>/dev/null)" = redis-server ] && kill -KILL "$pid"
done
wait_for 30 bash -c "[ \$(grep -c '^redis ready' '$SERVER_LOG') -gt $redis_ready ]" \
  || { cat "$SERVER_LOG"; fail "redis not restarted"; }
out=$(admin_redis exists squatter)
[ "$out" = 0 ] || fail "a planted entry survived the restart of Redis: exists squatter → $out"
wait_for 20 bash -c "[ \"\$(ip netns exec $srv redis-cli -p 6379 -a '$admin_pw' --no-auth-warning exists bob)\" = 1 ]" \
  || fail "bob did not register again after the restart of Redis"
pass "a planted dump.rdb (0600) does not survive a restart of Redis; bob registers again"

# -- the server host ---------------------------------------------------------
ps -eo pid,args >"$work/ps.txt" # before any grep naming a secret runs
for secret in "$redis_pw" "$admin_pw" "$member_pw" "$admin_amqp_pw"; do
  if grep -qF -- "$secret" "$work/ps.txt"; then
    fail "a secret in a command line: $(grep -F -- "$secret" "$work/ps.txt" | head -3)"
  fi
done
# Redis rewrites its process title, so ps shows a password given on its
# command line only while it starts: it must come from a private file.
conf=$(admin_redis info server | tr -d '\r' | sed -n 's/^config_file://p')
[ -n "$conf" ] && [ "$(stat -c %a "$conf")" = 600 ] || fail "redis-server not configured by a 0600 file: '$conf'"
pass "no secret in any command line (ps -eo args); redis-server reads its passwords from $(basename "$conf") (0600)"
open_files=$(find "$work/state" \( -type d ! -perm 700 \) -o \( -type f -perm /077 \) -print | head -5)
[ -z "$open_files" ] || fail "state open to other users: $open_files"
pass "state directories 0700, files 0600 (RabbitMQ's message store included)"
listeners=$(in_srv ss -Hltn | awk '{print $4}' | grep -vE '^(127\.0\.0\.1|\[::1\]):' | sort -u | tr '\n' ' ')
echo "  TCP listeners not on loopback: $listeners"
for l in $listeners; do
  case "$l" in *:6380 | *:5671) ;; *) fail "listening beyond loopback: $l (all: $listeners)" ;; esac
done
pass "only the TLS ports listen beyond loopback (epmd and Erlang distribution on loopback)"

# -- TLS on the AMQP port ----------------------------------------------------
# tls_offer PORT OPENSSL-ARGS...: the protocol and cipher a server agrees to.
tls_offer() {
  local port=$1; shift
  { echo | in_atk timeout 5 openssl s_client -connect $S:"$port" "$@" 2>&1 || true; } \
    | sed -n 's/^New, \(.*\)/\1/p' | head -1
}
for port in 5671 6380; do
  out=$(tls_offer $port -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0')
  echo "  openssl s_client -tls1_1 → port $port: $out"
  echo "$out" | grep -q "(NONE)" || fail "TLS 1.1 accepted on $port: $out"
  out=$(tls_offer $port -tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA:AES128-SHA:@SECLEVEL=0')
  echo "  openssl s_client -tls1_2 -cipher <CBC suites> → port $port: $out"
  echo "$out" | grep -q "(NONE)" || fail "a CBC suite accepted on $port: $out"
  out=$(tls_offer $port -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256)
  echo "$out" | grep -q "ECDHE-ECDSA-AES128-GCM-SHA256" || fail "TLS 1.2 with AES-GCM refused on $port: $out"
done
pass "TLS ports: TLS 1.0/1.1 and CBC suites refused, TLS 1.2 AEAD accepted (5671, 6380)"

# -- the broker ------------------------------------------------------------
if in_atk bash -c "exec 3<>/dev/tcp/$S/5672" 2>/dev/null; then
  fail "plaintext AMQP port open to the LAN"
fi
pass "plaintext AMQP (5672) is closed to the LAN"
in_atk "$py" "$(dirname "$0")/attacks_amqp.py" $S 5671 chat-member "$member_pw" bob:room \
  >"$work/amqp.txt" 2>&1 || { cat "$work/amqp.txt"; fail "attack script failed"; }
sed 's/^/  /' "$work/amqp.txt"
# refused FILE ATTEMPT: the attack script's line for ATTEMPT says refused.
refused() { grep -q "^$2: refused" "$1" || fail "not refused ($(basename "$1")): $2"; }
refused "$work/amqp.txt" "login as guest/guest"
refused "$work/amqp.txt" "login with a wrong password"
refused "$work/amqp.txt" "login as chat-admin with the member password"
refused "$work/amqp.txt" "delete exchange group_chat"
refused "$work/amqp.txt" "delete exchange chat-actors.groups"
refused "$work/amqp.txt" "delete exchange discovery_requests"
refused "$work/amqp.txt" "redeclare group_chat durable"
refused "$work/amqp.txt" "delete insults_queue"
refused "$work/amqp.txt" "unbind insults_queue"
refused "$work/amqp.txt" "bind own queue to chat-actors.groups with #"
refused "$work/amqp.txt" "bind own queue to group_chat with #"
refused "$work/amqp.txt" "publish to group_chat"
pass "broker: no guest; a member cannot delete or redeclare the shared exchanges or insults_queue, nor bind '#'"
refused "$work/amqp.txt" "bind own queue to one group (\*.room.\*)"
refused "$work/amqp.txt" "consume another user's queue bob:room"
refused "$work/amqp.txt" "purge another user's queue bob:room"
refused "$work/amqp.txt" "delete another user's queue bob:room"
refused "$work/amqp.txt" "publish under its own routing key"
pass "the join code's shared account reaches nobody's queues (it only serves 'chat-actors who')"

# A member's own broker account: the attacker asks for one as any client
# does (signed request, join code MAC), then attacks with it.
hostile=$(dirname "$bin")/tests/chat-test-hostile
out=$(in_atk "$hostile" account $S 37020 "$member_pw" bob)
echo "  attacker asks for bob's broker account with its own key → $out"
grep -q "^refused: the name bob belongs to another identity key" <<<"$out" \
  || fail "bob's account handed to another key: $out"
out=$(in_atk "$hostile" account $S 37020 "wrong-$member_pw" eve)
echo "  … for eve without the join code → $out"
grep -q "^refused: .*does not accept this join code" <<<"$out" || fail "account without the code: $out"
out=$(in_atk "$hostile" account $S 37020 "$member_pw" eve)
read -r verdict eve_user eve_pw <<<"$out"
[ "$verdict" = granted ] && [ "$eve_user" = user:eve ] || fail "no account for eve: $out"
pass "broker accounts: one per name, bound to its identity key; none without the join code"
in_atk "$py" "$(dirname "$0")/attacks_amqp.py" $S 5671 "$eve_user" "$eve_pw" bob:room \
  >"$work/amqp-eve.txt" 2>&1 || { cat "$work/amqp-eve.txt"; fail "attack script failed"; }
sed 's/^/  eve: /' "$work/amqp-eve.txt"
for attempt in "delete exchange group_chat" "delete exchange chat-actors.groups" \
  "delete insults_queue" "unbind insults_queue" "bind own queue to chat-actors.groups with #" \
  "publish to group_chat" "consume another user's queue bob:room" \
  "purge another user's queue bob:room" "delete another user's queue bob:room" \
  "publish under another user's routing key bob"; do
  refused "$work/amqp-eve.txt" "$attempt"
done
for attempt in "bind own queue to one group (\*.room.\*)" "publish under its own routing key"; do
  grep -q "^$attempt: ALLOWED" "$work/amqp-eve.txt" || fail "a member cannot: $attempt"
done
pass "a member's own account: its queues and routing keys only (others' queues: no consume, purge or delete)"

# -- a member's share of the broker -----------------------------------------
in_atk "$py" "$(dirname "$0")/attacks_broker_limits.py" $S 5671 "$eve_user" "$eve_pw" \
  eve.room.msg 60 >"$work/limits-eve.txt" 2>&1 || { cat "$work/limits-eve.txt"; fail "limits script failed"; }
sed 's/^/  eve: /' "$work/limits-eve.txt"
grep -q "^publish 4096: accepted" "$work/limits-eve.txt" || fail "a group message of 4 KiB refused"
grep -q "^publish 1048576: refused" "$work/limits-eve.txt" || fail "a group message of 1 MiB accepted"
held=$(sed -n 's/^connections held: \([0-9]*\) of .*/\1/p' "$work/limits-eve.txt")
[ "$held" -lt 60 ] || fail "no connection limit for a member's account ($held of 60)"
in_atk "$py" "$(dirname "$0")/attacks_broker_limits.py" $S 5671 chat-member "$member_pw" \
  none 80 >"$work/limits-member.txt" 2>&1 || { cat "$work/limits-member.txt"; fail "limits script failed"; }
sed -n 's/^connections/  join code account: connections/p' "$work/limits-member.txt"
held=$(sed -n 's/^connections held: \([0-9]*\) of .*/\1/p' "$work/limits-member.txt")
[ "$held" -lt 80 ] || fail "no connection limit for the join code's account ($held of 80)"
pass "broker: group messages past the size limit refused; connections per account bounded"
# A member's own queue, declared without any limit of its own.
in_atk "$py" - $S 5671 "$eve_user" "$eve_pw" <<'PY' || fail "declaring eve's queue failed"
import ssl, sys, pika
host, port, user, password = sys.argv[1:5]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
conn = pika.BlockingConnection(pika.ConnectionParameters(host=host, port=int(port),
    credentials=pika.PlainCredentials(user, password), ssl_options=pika.SSLOptions(ctx)))
conn.channel().queue_declare("eve:hoard", durable=True)
conn.close()
PY
ctl=$work/state/rabbitmq-5672/rabbitmqctl
policy=$(in_srv "$ctl" list_queues -q name policy | awk '$1 == "eve:hoard" { print $2 }')
definition=$(in_srv "$ctl" list_policies -q | awk -v p="$policy" '$2 == p { print $5 }')
echo "  eve:hoard → policy $policy: $definition"
echo "$definition" | grep -q '"max-length-bytes"' || fail "a member's queue without a byte limit"
echo "$definition" | grep -q '"expires"' || fail "a member's queue never expires"
echo "$definition" | grep -q 'reject-publish' && fail "the member queue policy rejects publishes"
pass "a member's own queue is bounded in bytes (oldest dropped) and expires unused"

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
grep -q "group:room reconnected" "$work/bob.log" && fail "bob's group queue was touched by the attacks"
# A forged group message: eve publishes as alice (pika, TLS, her own account).
in_atk "$py" - $S 5671 "$eve_user" "$eve_pw" <<'PY' || fail "forging failed"
import ssl, sys, pika
host, port, user, password = sys.argv[1:5]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
conn = pika.BlockingConnection(pika.ConnectionParameters(host=host, port=int(port),
    credentials=pika.PlainCredentials(user, password), ssl_options=pika.SSLOptions(ctx)))
ch = conn.channel()
ch.basic_publish("chat-actors.groups", "eve.room.msg", b"alice: I owe mallory 100",
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
# stopped, registers with a key of its own): the server keeps bob's broker
# account for bob's key, so a stock client gets no further.
kill -STOP "$BOB_PID"
member_redis del bob >/dev/null
out=$(ip netns exec "$atk" env CHAT_JOIN_CODE="$code" HOME="$work/evil-home" "$bin" --batch \
  --chat.name=bob </dev/null 2>&1) && fail "an impostor got a session as bob: $out"
echo "  impostor as bob → $out"
grep -q "the name bob belongs to another identity key" <<<"$out" || fail "unclear refusal: $out"
pass "a member taking bob's name with another key gets no broker account"
# Past the broker (the operator forgets bob's account, as for a user who
# lost his key; or an attacker writing the registry and serving gRPC by
# hand): alice's pinned key still tells.
in_srv "$bin" server --chat.state-dir="$work/state" --forget-user=bob \
  || fail "--forget-user failed"
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
    if not data.startswith(b"DISCOVERY_REQUEST"):
        continue
    # Faster than the server, with a made-up MAC for the nonce, plus a
    # flood of addresses that lead nowhere.
    nonce = data[len(b"DISCOVERY_REQUEST:"):]
    s.sendto(b"SERVER_IP:10.214.0.3", peer)
    s.sendto(b"SERVER_IP:10.214.0.3:" + nonce + b":" + b"0" * 64, peer)
    for i in range(100, 150):
        s.sendto(b"SERVER_IP:10.214.0.%d" % i, peer)
' </dev/null >/dev/null 2>&1 &
sleep 1
# The race: rogue and real server both answer; the client must end up at
# the real one every time (3 runs of `chat-actors who`).
for run in 1 2 3; do
  out=$(ip netns exec "$atk" env CHAT_JOIN_CODE="$code" timeout 30 "$bin" who 2>&1) \
    || fail "who with a rogue answering too (run $run): $out"
  grep -q "alice" <<<"$out" || fail "who did not reach the real server (run $run): $out"
done
for f in "$work"/rogue-*.log; do
  [ ! -s "$f" ] || fail "a client went to the rogue ($f)"
done
pass "rogue and real server both answer the locator (3 runs): the client takes the real one, nothing reaches the rogue"
kill -STOP "$SERVER_PID"
out=$(ip netns exec "$atk" env CHAT_JOIN_CODE="$code" "$bin" --batch --chat.name=carol \
  --chat.locator-timeout=6s </dev/null 2>&1) && { kill -CONT "$SERVER_PID"; fail "connected to the rogue: $out"; }
echo "  client with only a rogue answering the locator → $out"
grep -q "answers did not prove the join code" <<<"$out" || { kill -CONT "$SERVER_PID"; fail "unclear refusal: $out"; }
for f in "$work"/rogue-*.log; do
  [ ! -s "$f" ] || { kill -CONT "$SERVER_PID"; fail "the client went to the rogue ($f)"; }
done
pass "a rogue's locator answer does not prove the join code: ignored, nothing sent to it"
# Pointed at the rogue by hand (or by a member who knows the code and
# answers the locator): the pinned certificate stops the client.
out=$(ip netns exec "$atk" env CHAT_JOIN_CODE="$code" "$bin" --batch --chat.name=carol \
  --chat.server=10.214.0.3 </dev/null 2>&1) && { kill -CONT "$SERVER_PID"; fail "connected to the rogue: $out"; }
kill -CONT "$SERVER_PID"
echo "  client given the rogue's address → $out"
grep -q "server at 10.214.0.3:6380 does not match the join code's certificate" <<<"$out" \
  || fail "unclear refusal: $out"
for f in "$work"/rogue-*.log; do
  for secret in "$redis_pw" "$member_pw"; do
    grep -qa -- "$secret" "$f" && fail "a secret reached the rogue ($f)"
  done
done
[ ! -s "$work/rogue-6379.log" ] && [ ! -s "$work/rogue-5672.log" ] \
  || fail "the client spoke plaintext to the rogue"
pass "rogue server address → clear refusal, no credentials sent"

# A malformed join code: one line, exit code 2.
out=$(ip netns exec "$atk" "$bin" --batch --chat.name=dave --chat.join-code=chat1-garbage \
  </dev/null 2>&1) && fail "accepted a malformed code"
[ "$(echo "$out" | wc -l)" = 1 ] || fail "more than one line: $out"
pass "malformed join code → '$out'"
