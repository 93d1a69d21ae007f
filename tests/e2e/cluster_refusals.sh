#!/usr/bin/env bash
# A node started with a wrong cluster secret is refused
# with one clear line, and so is a join to an address where no node
# answers; both exit with status 1 and start nothing. A forged bundle (a
# host without the secret answering the join) is not taken either.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netns_lab.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for ip netns"; exit 0; }
work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  lab_down
  rm -rf "$work"
}
trap cleanup EXIT
lab_up "cr$((RANDOM % 1000))" 3
N1=$(lab_ip 1)
on 1 env HOME="$work/home1" "$bin" server --chat.state-dir="$work/node1" \
  --chat.cluster-secret=right </dev/null >"$work/node1.log" 2>&1 &
wait_for 120 grep -q '^ready:' "$work/node1.log" || { cat "$work/node1.log"; fail "node 1 not ready"; }

# joins: I SECRET TARGET → sets rc and out (stdout + stderr)
joins() {
  set +e
  out=$(on "$1" timeout 60 env HOME="$work/home$1" "$bin" server --chat.state-dir="$work/node$1" \
    --chat.cluster-secret="$2" --chat.join="$3" </dev/null 2>&1)
  rc=$?
  set -e
}
joins 2 wrong "$N1"
echo "  wrong secret → rc $rc: $out"
[ "$rc" = 1 ] || fail "wrong secret: exit status $rc"
grep -q "wrong cluster secret" <<<"$out" || fail "wrong secret: unclear message"
[ "$(grep -c . <<<"$out")" = 1 ] || fail "wrong secret: more than one line"
[ ! -e "$work/node2/secrets/server.key" ] || fail "wrong secret: secrets were installed"
grep -q "refused a cluster join from $(lab_ip 2): wrong cluster secret" "$work/node1.log" ||
  fail "node 1 did not log the refusal"
pass "a node with the wrong secret is refused with one line, exit status 1"

joins 3 right "$(lab_ip 9)"
echo "  nobody there → rc $rc: $out"
[ "$rc" = 1 ] || fail "no node: exit status $rc"
grep -q "no server node answers at $(lab_ip 9)" <<<"$out" || fail "no node: unclear message"
[ "$(grep -c . <<<"$out")" = 1 ] || fail "no node: more than one line"
pass "joining an address where no node answers fails clearly, exit status 1"

# A rogue on host 3 answers joins with a bundle sealed under another secret
# (what someone without the secret can produce): host 2 must not take it.
on 3 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 37020))
while True:
    data, peer = s.recvfrom(65536)
    nonce = data.decode().split(":")[1]
    s.sendto(("CLUSTER_BUNDLE:" + nonce + ":" + "00" * 64).encode(), peer)
' &
sleep 0.5
joins 2 right "$(lab_ip 3)"
echo "  forged bundle → rc $rc: $out"
[ "$rc" = 1 ] || fail "forged bundle: exit status $rc"
[ ! -e "$work/node2/secrets/server.key" ] || fail "forged bundle: secrets were installed"
pass "a forged join answer is not taken"
