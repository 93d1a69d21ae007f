#!/usr/bin/env bash
# Three server nodes and two client hosts, network namespaces on
# one bridge (tests/e2e/netns_lab.sh).
#  1. Node 1 starts alone, nodes 2 and 3 join it (--chat.join); three clients,
#     two on node 1 and one on node 3, chat in a group, privately, discover
#     each other and share the insult channel.
#  2. Mid-stream (numbered group messages, 50/s in all for 20 s) node 1
#     dies at 6 s: its server process gets kill -9 (with CLUSTER_KILL=host,
#     everything on its host does). It holds the Redis master and alice's
#     and bob's connections. 8 s later, while the stream goes on, it is started again
#     with its first command. Every client must chat again through another
#     member within 15 s; per receiver and sender: sent, received, lost (0),
#     doubled (0); no client is told that a message was refused or not
#     sent; no queue is unusable while node 1 is down (the brokers' logs);
#     every name is still registered to its live owner; --status names the
#     new master.
#  3. Node 1 has rejoined (one Redis master, three RabbitMQ nodes running,
#     no partition).
#  5. SIGINT of every node leaves no redis-server, sentinel, beam.smp, epmd
#     or stunnel behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netns_lab.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for ip netns"; exit 0; }
work=$(mktemp -d)
secret=cluster-secret-$RANDOM
cleanup() {
  local rc=$?
  kill $(jobs -p) 2>/dev/null || true
  lab_down
  [ "$rc" != 0 ] && [ -n "${CLUSTER_KEEP_LOGS:-}" ] && keep=1
  [ "${CLUSTER_KEEP_LOGS:-}" = always ] && keep=1
  [ "${keep:-0}" = 1 ] && { echo "logs kept in $work"; return; }
  rm -rf "$work"
}
trap cleanup EXIT
lab_up "cf$((RANDOM % 1000))" 5
N1=$(lab_ip 1); N2=$(lab_ip 2); N3=$(lab_ip 3)

node() { # I [ARGS...]: server node I on host I (state, home and log of its own)
  local i=$1; shift
  # Not through a function: $! must be the node itself (ip netns exec and
  # env exec it), for the SIGINT below.
  ip netns exec "$LAB-h$i" env HOME="$work/home$i" "$bin" server --chat.state-dir="$work/node$i" \
    --chat.cluster-secret="$secret" "$@" </dev/null >>"$work/node$i.log" 2>&1 &
  eval "NODE${i}_PID=$!"
}
ready() { # I [COUNT]: node I printed its COUNT-th ready line
  [ "$(grep -c '^ready:' "$work/node$1.log" 2>/dev/null)" -ge "${2:-1}" ]
}
node 1
wait_for 120 ready 1 || { keep=1; cat "$work/node1.log"; fail "node 1 not ready"; }
node 2 --chat.join="$N1"
node 3 --chat.join="$N1"
for i in 2 3; do
  wait_for 180 ready $i || { keep=1; cat "$work/node$i.log"; fail "node $i not ready"; }
done
code=$(cat "$work/node1/join-code")
for i in 2 3; do
  [ "$(cat "$work/node$i/join-code")" = "$code" ] || fail "node $i has another join code"
done
status() { on "$1" env HOME="$work/home$1" "$bin" server --status \
  --chat.state-dir="$work/node$1" --chat.cluster-secret="$secret"; }
st=$(status 2) || { echo "$st"; fail "--status failed"; }
echo "$st" | sed 's/^/  node 2 --status: /'
grep -q "^redis master: $N1\$" <<<"$st" || fail "node 1 is not the Redis master"
grep -q "^rabbitmq running: .*rabbit@$N1.*" <<<"$st" || fail "RabbitMQ not clustered"
[ "$(echo "$st" | sed -n 's/^rabbitmq running: //p' | tr ',' '\n' | grep -c rabbit@)" = 3 ] ||
  fail "not three RabbitMQ nodes running"
pass "a cluster of three nodes formed with --chat.join (one join code)"

# -- 1. three clients on two members -------------------------------------
id=$RANDOM
a=alice$id; b=bob$id; c=carol$id; room=room$id
declare -A fd host srv pid
# alice and bob use node 1, the Redis master: it dies with their
# connections and the leaders of their queues, and both move at once.
host[$a]=4; srv[$a]=$N1
host[$b]=5; srv[$b]=$N1
host[$c]=5; srv[$c]=$N3
for u in "$a" "$b" "$c"; do
  mkfifo "$work/$u.in"
  on "${host[$u]}" env HOME="$work/home-$u" CHAT_JOIN_CODE="$code" "$bin" --json \
    --chat.server="${srv[$u]}" --chat.name="$u" <"$work/$u.in" >"$work/$u.out" 2>"$work/$u.err" &
  pid[$u]=$!
  exec {fd[$u]}>"$work/$u.in"
done
say() { echo "$2" >&"${fd[$1]}"; }
expect() { # NAME PATTERN WHAT
  wait_for "${4:-15}" grep -q -- "$2" "$work/$1.out" ||
    { keep=1; tail -n 20 "$work/$1.out" "$work/$1.err"; fail "$3"; }
}
for u in "$a" "$b" "$c"; do expect "$u" '"registered as' "$u did not register" 30; done
for u in "$a" "$b" "$c"; do say "$u" "/join $room"; done
for u in "$a" "$b" "$c"; do expect "$u" "joined $room" "$u did not join"; done
say "$a" "hello from node 1"
for u in "$b" "$c"; do
  expect "$u" "\"chat\":\"group:$room\",\"text\":\"hello from node 1\".*\"verified\":true" \
    "$u did not get alice's group message"
done
say "$b" "/msg $c hi carol"
expect "$c" "\"chat\":\"private:$b\",\"text\":\"hi carol\"" "private message lost"
say "$a" "/who"
expect "$a" "\"type\":\"discovery\".*\"name\":\"$b\"" "discovery misses bob"
expect "$a" "\"type\":\"discovery\".*\"name\":\"$c\"" "discovery misses carol"
say "$a" "/back"
for u in "$b" "$c"; do say "$u" "/insult"; done
sleep 1
for i in 1 2 3 4; do say "$a" "/insult insult$id-$i"; done
wait_for 15 bash -c "[ \$(cat '$work/$b.out' '$work/$c.out' | grep -c 'insult$id-') -ge 4 ]" ||
  fail "insults lost"
for u in "$a" "$b" "$c"; do say "$u" "/open $room"; done
qq=$(on 2 "$work/node2/rabbitmq-5672/rabbitmqctl" list_queues -q name type 2>/dev/null)
grep -q "^$a:$room[[:space:]]*quorum" <<<"$qq" || { echo "$qq"; fail "group queue not a quorum queue"; }
grep -q "^insults_queue[[:space:]]*quorum" <<<"$qq" || { echo "$qq"; fail "insults_queue not a quorum queue"; }
pass "group, private chat, discovery and insults across members (quorum queues)"

# -- 2. kill -9 of node 1 mid-stream, restarted mid-stream ---------------
period_ms=60 # one message per client per period: 3 / 60 ms = 50 msg/s
seconds=20
rounds=$((seconds * 1000 / period_ms))
kill_at=$((6 * 1000 / period_ms))
restart_at=$((14 * 1000 / period_ms))
kill_node1() {
  if [ "${CLUSTER_KILL:-process}" = host ]; then
    lab_kill_host 1
    echo "round $i: kill -9 of everything on node 1's host ($N1)"
  else
    kill -KILL "$NODE1_PID"
    echo "round $i: kill -9 of node 1's server process ($N1)"
  fi
}
declare -A sent
for u in "$a" "$b" "$c"; do sent[$u]=0; done
received() { stream_received "$1" "$2" "$room"; }
# recovered FROM: every receiver has a message numbered > FROM from every
# other sender (the stream goes on through other members).
recovered() {
  local r s
  for r in "$a" "$b" "$c"; do for s in "$a" "$b" "$c"; do
    [ "$r" = "$s" ] && continue
    [ "$(received "$r" "$s" | sort -n | tail -1)" -gt "$1" ] 2>/dev/null || return 1
  done; done
}
start=$(now_ms); killed_ms=0; recovered_ms=0
for ((i = 1; i <= rounds; i++)); do
  for u in "$a" "$b" "$c"; do
    sent[$u]=$i
    printf '%s-%06d\n' "$u" "$i" >&"${fd[$u]}"
  done
  if ((i == kill_at)); then
    kill_node1; killed_ms=$(now_ms)
  elif ((i == restart_at)); then
    node 1
    echo "round $i: node 1 started again with its first command"
  elif ((killed_ms > 0 && recovered_ms == 0 && i % 4 == 0)) && recovered "$kill_at"; then
    recovered_ms=$(now_ms)
    echo "round $i: every client chats again, $((recovered_ms - killed_ms)) ms after the kill"
  fi
  ahead=$((start + i * period_ms - $(now_ms)))
  ((ahead > 0 && ahead < 1000)) && sleep "$(printf '0.%03d' "$ahead")"
done
wait_for 60 stream_complete "$room" "$a" "$b" "$c" || echo "not complete after 60 s"
((recovered_ms > 0)) || { recovered "$kill_at" && recovered_ms=$(now_ms); }
bad=0
# Reordering is reported, not failed: a quorum queue whose leader dies may
# hand a receiver on the dead node one message late (docs/cluster.md).
STREAM_REORDER_OK=1 stream_report "$room" "$a" "$b" "$c" || bad=1
((bad == 0)) || { keep=1; fail "messages lost or doubled across the failover"; }
refused=$(cat "$work/$a.out" "$work/$b.out" "$work/$c.out" | jq -r 'select(.type == "error") | .text' |
          grep -E 'refused a message|not sent|not delivered' || true)
[ -z "$refused" ] || { keep=1; echo "$refused"; fail "a client was told a message was not sent"; }
((recovered_ms > 0 && recovered_ms - killed_ms <= 15000)) ||
  { keep=1; fail "clients did not chat again within 15 s"; }
pass "kill -9 of the master's node: chatting again after $((recovered_ms - killed_ms)) ms, nothing lost or doubled"
# Nothing of a session lives on one node: no queue of ours was unusable
# while node 1 was down ("home node ... is down or inaccessible").
broker_log() { cat "$work/node$1/rabbitmq-5672/log/rabbit@$(lab_ip "$1").log" 2>/dev/null || true; }
homeless=$(broker_log 2; broker_log 3)
homeless=$(grep -o "queue '[^']*' in vhost '/' is down or inaccessible" <<<"$homeless" | sort | uniq -c || true)
[ -z "$homeless" ] || { keep=1; echo "$homeless"; fail "queues unusable while their home node was down"; }
pass "no queue of a session was unusable while its node was down"
st=$(status 2) || true
echo "$st" | sed 's/^/  node 2 --status: /'
master=$(echo "$st" | sed -n 's/^redis master: //p')
[ "$master" = "$N2" ] || [ "$master" = "$N3" ] || fail "no new Redis master ($master)"
pw=$(sed -n 's/^redis-admin-password=//p' "$work/node2/secrets/secrets.conf")
registered() { [ -n "$(REDISCLI_AUTH=$pw on 2 redis-cli -h "$master" hget "$1" session)" ]; }
for u in "$a" "$b" "$c"; do
  wait_for 20 registered "$u" || fail "$u is no longer registered"
done
pass "Sentinel promoted $master; every live client still owns its name"

# -- 3. node 1, started again mid-stream, has rejoined --------------------
wait_for 180 ready 1 2 || { keep=1; tail -n 30 "$work/node1.log"; fail "node 1 not ready again"; }
grep -q "cluster: joining" "$work/node1.log" || fail "node 1 did not ask the others"
masters=0
for i in 1 2 3; do
  role=$(REDISCLI_AUTH=$pw on "$i" redis-cli -h "$(lab_ip $i)" role | head -1)
  echo "  node $i: redis $role"
  [ "$role" = master ] && masters=$((masters + 1))
done
[ "$masters" = 1 ] || fail "$masters Redis masters"
running3() {
  [ "$(on 1 "$work/node1/rabbitmq-5672/rabbitmqctl" cluster_status --formatter json -q \
       2>/dev/null | jq '.running_nodes | length')" = 3 ]
}
wait_for 60 running3 || fail "node 1's RabbitMQ is not running in the cluster"
st=$(status 1) || true
grep -q "^rabbitmq partitions: none" <<<"$st" || { echo "$st"; fail "partitions"; }
pass "node 1 rejoined: one Redis master, three RabbitMQ nodes, no partition"

# -- 5. clean SIGINT of every node ---------------------------------------
for u in "$a" "$b" "$c"; do say "$u" "/quit"; done
for i in 3 2 1; do
  pid_var=NODE${i}_PID
  kill -INT "${!pid_var}"
  wait_for 90 bash -c "! kill -0 ${!pid_var} 2>/dev/null" || fail "node $i did not stop"
  grep -q "^server stopped" "$work/node$i.log" || fail "node $i: no clean stop"
done
sleep 1
for i in 1 2 3; do
  left=$(ip netns pids "$LAB-h$i" | xargs -r ps -o comm= -p 2>/dev/null |
         grep -E 'redis|beam|epmd|stunnel|chat-actors' || true)
  [ -z "$left" ] || fail "node $i left processes behind: $left"
done
pass "SIGINT of every node: nothing left behind"
