#!/usr/bin/env bash
# Files between two hosts of a LAN (network namespaces: a server node, alice
# and bob): a file of 32 MiB sent peer to peer over the private-chat TLS
# port, bob's cable pulled mid-transfer and plugged again, bob killed with
# SIGKILL and started again; the transfer goes on from where bob's verified
# copy ended each time and the file arrives with the sender's SHA-256. And
# what bob refuses: a name with a path, an over-long name, an offer claiming
# to be alice's from another key and certificate, and a sender that sends
# more bytes than it announced. No packet touches the machine's real
# interfaces.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netns_lab.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for ip netns"; exit 0; }
hostile=${CHAT_HOSTILE:?path to chat-test-hostile}
work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  if [ -n "${SERVER_PID:-}" ]; then # the node stops its services itself
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait_for 20 bash -c "! kill -0 $SERVER_PID 2>/dev/null" || true
  fi
  lab_down
  rm -rf "$work"
}
trap cleanup EXIT
lab_up "ft$$" 3
S=$(lab_ip 1); A=$(lab_ip 2); B=$(lab_ip 3)

SERVER_LOG=$work/server.log
on 1 "$bin" server --chat.state-dir="$work/state" </dev/null >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
wait_for 120 grep -q '^ready:' "$SERVER_LOG" || { cat "$SERVER_LOG"; fail "server not ready"; }
code=$(cat "$work/state/join-code")
redis_pw=$(sed -n 's/^redis-admin-password=//p' "$work/state/secrets/secrets.conf")
registry() { on 1 redis-cli -p 6379 -a "$redis_pw" --no-auth-warning "$@"; }

# client NAME HOST [ARGS…]: a batch --json session fed from NAME.in.
client() {
  local name=$1 host=$2; shift 2
  rm -f "$work/$name.in"; mkfifo "$work/$name.in"
  on "$host" env CHAT_JOIN_CODE="$code" HOME="$work/$name-home" "$bin" --batch --json \
    --chat.server="$S" --chat.name="$name" --chat.lease-ttl=3s \
    --chat.download-dir="$work/$name-dl" "$@" <"$work/$name.in" >>"$work/$name.log" 2>&1 &
}
client alice 2; exec {alice_fd}>"$work/alice.in"
client bob 3; exec {bob_fd}>"$work/bob.in"
wait_for 20 grep -q '"registered as' "$work/alice.log" || { cat "$work/alice.log"; fail "alice did not register"; }
wait_for 20 grep -q '"registered as' "$work/bob.log" || { cat "$work/bob.log"; fail "bob did not register"; }
bob_port=$(registry hget bob tls_port)

# The hostile cases, from the server's host.
offer() { on 1 "$hostile" file-offer "$B" "$bob_port" "$@"; }
out=$(offer mallory bob "../../.bashrc" 10)
echo "  offer named ../../.bashrc → $out"
echo "$out" | grep -q "^status 3 file name holds a path separator" || fail "path traversal not refused: $out"
out=$(offer mallory bob "$(printf 'x%.0s' $(seq 300))" 10)
echo "  offer with a 300-byte name → $out"
echo "$out" | grep -q "^status 3 file name longer than 255 bytes" || fail "over-long name not refused: $out"
out=$(offer alice bob "report.pdf" 10)
echo "  offer claiming alice, another key and certificate → $out"
echo "$out" | grep -q "^status 7 the offer did not come from alice's certificate" || fail "forged offer not refused: $out"
grep -q '"type":"file_offer"' "$work/bob.log" && fail "bob shows a refused offer"
pass "refused: a name with a path (INVALID_ARGUMENT), a 300-byte name, an offer as alice from another key (PERMISSION_DENIED)"

# A sender with a genuine entry that sends more than it announced.
rm -f "$work/greedy.in"; mkfifo "$work/greedy.in"
on 1 "$hostile" file-sender "$B" bob "$bob_port" mallory greedy.bin 100000 50000 8 \
  <"$work/greedy.in" >"$work/greedy.out" 2>&1 &
exec {greedy_fd}>"$work/greedy.in"
wait_for 10 grep -q '^hset ' "$work/greedy.out" || fail "the greedy sender did not start"
registry hset mallory ip_address "$S" session x $(sed -n 's/^hset //p' "$work/greedy.out") >/dev/null
registry pexpire mallory 60000 >/dev/null
echo go >&"$greedy_fd"
wait_for 10 grep -q '"type":"file_offer".*greedy.bin' "$work/bob.log" || { cat "$work/greedy.out" "$work/bob.log"; fail "bob did not see mallory's offer"; }
greedy_id=$(grep -o '"type":"file_offer","ts":"[^"]*","id":"[0-9a-f]*"' "$work/bob.log" | tail -1 | sed 's/.*"id":"//; s/"$//')
echo "/accept $greedy_id" >&"$bob_fd"
wait_for 10 grep -q '"type":"file_failed".*more than the 100000 bytes it announced' "$work/bob.log" \
  || { cat "$work/bob.log"; fail "bob did not refuse the extra bytes"; }
[ -z "$(ls -A "$work/bob-dl")" ] || fail "bob kept something of the greedy sender: $(ls -A "$work/bob-dl")"
pass "a sender that sends more than it announced is refused, nothing of it kept"

# The real transfer: 32 MiB, bob's cable at 48 Mbit/s so that it takes seconds.
head -c $((32 * 1024 * 1024)) /dev/urandom >"$work/big.bin"
want=$(sha256sum "$work/big.bin" | cut -d' ' -f1)
ip netns exec "$LAB-br" tc qdisc add dev "$LAB-b3" root tbf rate 48mbit burst 64kb latency 2s
echo "/send bob $work/big.bin" >&"$alice_fd"
wait_for 20 grep -q '"type":"file_offer".*big.bin' "$work/bob.log" || { cat "$work/alice.log" "$work/bob.log"; fail "bob got no offer"; }
grep '"type":"file_offer".*big.bin' "$work/bob.log" | grep -q '"verified":true' || fail "alice's offer not verified"
grep '"type":"file_offer".*big.bin' "$work/bob.log" | grep -q "\"sha256\":\"$want\"" || fail "the offer does not carry the SHA-256"
big_id=$(grep -o '"type":"file_offer","ts":"[^"]*","id":"[0-9a-f]*","from":"alice"' "$work/bob.log" | tail -1 | sed 's/.*"id":"//; s/",.*//')
echo "/accept $big_id" >&"$bob_fd"
size=$((32 * 1024 * 1024))
received() { grep -o "\"type\":\"file_progress\".*\"id\":\"$big_id\".*\"bytes\":[0-9]*" "$work/bob.log" | sed 's/.*"bytes"://' | tail -1; }
at_least() { local b; b=$(received); [ "${b:-0}" -ge "$1" ]; }
wait_for 30 at_least $((size / 4)) || { cat "$work/bob.log"; fail "the transfer did not start"; }
before_cut=$(received)
lab_cut 3
echo "  bob's cable pulled at $before_cut bytes"
wait_for 20 grep -q "\"type\":\"file_info\".*\"id\":\"$big_id\".*connection to alice lost" "$work/bob.log" \
  || { cat "$work/bob.log"; fail "bob did not notice the cut"; }
lab_heal 3
wait_for 30 at_least $((before_cut + 1)) || { cat "$work/bob.log"; fail "no progress after the cable came back"; }
# The first progress after the cut starts at or above the copy's end at the cut.
first_after=$(grep -A1000 "connection to alice lost" "$work/bob.log" | grep -o "\"type\":\"file_progress\".*\"id\":\"$big_id\".*\"bytes\":[0-9]*" | head -1 | sed 's/.*"bytes"://')
[ "$first_after" -ge "$((before_cut - 8 * 1024 * 1024))" ] || fail "restarted from $first_after after the cut at $before_cut"
pass "cable pulled at $before_cut bytes and plugged again: resumed from $first_after"

wait_for 30 at_least $((size * 3 / 5)) || { cat "$work/bob.log"; fail "no progress to 60 %"; }
grep -q "\"type\":\"file_done\"" "$work/bob.log" && fail "done before the kill: the kill would be vacuous"
lab_kill_host 3
before_kill=$(received)
echo "  bob killed (SIGKILL) at $before_kill bytes"
ls "$work/bob-dl"/big.bin.part.state >/dev/null || fail "no state file beside the partial copy"
bob_gone() { [ "$(registry exists bob)" = 0 ]; }
wait_for 20 bob_gone || fail "bob's lease did not end"
client bob 3; exec {bob_fd}>"$work/bob.in"
registered_again() { [ "$(grep -c '"registered as' "$work/bob.log")" -ge 2 ]; }
wait_for 20 registered_again || { cat "$work/bob.log"; fail "bob did not register again"; }
wait_for 10 grep -q '"type":"file_info","ts":"[^"]*","text":"resuming .*big.bin from alice' "$work/bob.log" \
  || { cat "$work/bob.log"; fail "bob did not resume after the restart"; }
resumed_at=$(grep -o 'resuming .*big.bin from alice at [0-9.]* [KMG]*i*B' "$work/bob.log" | tail -1)
echo "  after the restart: $resumed_at"
echo "$resumed_at" | grep -q " at 0 B" && fail "the transfer started over after the restart"
wait_for 60 grep -q "\"type\":\"file_done\".*\"id\":\"$big_id\"" "$work/bob.log" || { cat "$work/bob.log"; fail "the transfer did not finish"; }
grep "\"type\":\"file_done\".*\"id\":\"$big_id\"" "$work/bob.log" | grep -q "\"sha256\":\"$want\"" || fail "file_done without the SHA-256"
got=$(sha256sum "$work/bob-dl/big.bin" | cut -d' ' -f1)
[ "$got" = "$want" ] || fail "bob's copy has SHA-256 $got, not $want"
[ -z "$(ls "$work/bob-dl" | grep -v '^big.bin$')" ] || fail "left over: $(ls "$work/bob-dl")"
wait_for 10 grep -q "\"type\":\"file_done\".*\"id\":\"$big_id\"" "$work/alice.log" || { cat "$work/alice.log"; fail "alice was not told"; }
pass "bob killed at $before_kill bytes and started again: $resumed_at, ends with SHA-256 ${want:0:16}…, no partial left"
