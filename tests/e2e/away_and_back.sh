#!/usr/bin/env bash
# Away and back, as people use a chat: alice is a member of a group; bob and
# carol post numbered messages while she is away; when she comes back
# everything said meanwhile reaches her, once, in order per sender, marked
# "backlog" and under one "while you were away: N messages" line. Her
# absences, one after the other on one secure-mode server node:
#   1. a clean quit (/quit);
#   2. SIGKILL in the middle of bob's stream (some messages arrive live,
#      the rest wait for her);
#   3. a clean quit, and RabbitMQ SIGKILLed (and restarted by the node)
#      while she is away;
#   4. a clean quit, and the whole server node SIGKILLed and started again
#      while she is away;
# then /leave ends her membership: what is said afterwards never reaches her;
# and `server --forget-user` deletes what waits for her.
# The per-sender report counts sent, received, lost, doubled and reordered
# over all of her sessions; the test fails unless the last three are 0.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  stop_server
  [ "${keep:-0}" = 1 ] && { echo "logs kept in $work"; return; }
  rm -rf "$work"
}
trap cleanup EXIT

start_server "$work"
common=(--json --chat.server=127.0.0.1 --chat.redis-port="$REDIS_PORT"
        --chat.amqp-port="$AMQP_PORT" --chat.lease-ttl=3s)
id=$RANDOM
alice=aw$id bob=bo$id carol=ca$id
room=away$id
declare -A fd pid sent
sent[$alice]=0

# post NAME COUNT: COUNT more numbered messages from NAME.
post() {
  local i
  for ((i = 0; i < $2; i++)); do
    sent[$1]=$(( ${sent[$1]:-0} + 1 ))
    printf '%s-%06d\n' "$1" "${sent[$1]}" >&"${fd[$1]}"
  done
}
# delivered NAME: all numbers the others sent so far reached NAME.
delivered() {
  local s
  for s in "$bob" "$carol"; do
    [ "$s" = "$1" ] && continue
    [ "$(stream_received "$1" "$s" "$room" | sort -un | wc -l)" -ge "${sent[$s]:-0}" ] || return 1
  done
}
joined() { # joined NAME N: NAME's Nth "joined <room>" reply
  [ "$(grep -c "joined $room" "$work/$1.out")" -ge "$2" ]
}
backlog_lines() { jq -r 'select(.backlog == true and .type == "info") | .text' "$work/$alice.out"; }

for u in "$alice" "$bob" "$carol"; do start "$u"; say "$u" "/join $room"; done
for u in "$alice" "$bob" "$carol"; do
  wait_for 20 joined "$u" 1 || { keep=1; fail "$u did not join"; }
done

echo "1. alice quits; bob and carol post 20 each"
quit "$alice"
post "$bob" 20; post "$carol" 20
start "$alice"; say "$alice" "/join $room"
wait_for 30 delivered "$alice" || { keep=1; fail "absence 1: alice did not get what was said"; }
backlog_lines | grep -qx "── while you were away: 40 messages ──" ||
  { keep=1; backlog_lines; fail "absence 1: no 'while you were away: 40 messages' line"; }
waited=$(jq -r --arg chat "group:$room" \
  'select(.type == "message" and .chat == $chat and .backlog == true) | .text' "$work/$alice.out" | wc -l)
[ "$waited" -eq 40 ] || { keep=1; fail "absence 1: $waited messages marked backlog, not 40"; }

echo "2. alice is SIGKILLed while bob posts 60 (20/s)"
for ((n = 0; n < 60; n++)); do
  post "$bob" 1
  ((n == 20)) && kill -KILL "${pid[$alice]}"
  sleep 0.05
done
post "$carol" 10
exec {fd[$alice]}>&-
sleep 4 # the dead session's name lease (3 s) runs out
start "$alice"; say "$alice" "/join $room"
wait_for 30 delivered "$alice" || { keep=1; fail "absence 2: alice did not get what was said"; }

echo "3. alice quits; RabbitMQ is SIGKILLed while she is away"
quit "$alice"
post "$bob" 10
broker=""
for p in $(pgrep -x beam.smp); do
  grep -qz "^RABBITMQ_NODE_PORT=$AMQP_PORT\$" "/proc/$p/environ" 2>/dev/null && broker=$p
done
[ -n "$broker" ] || fail "managed RabbitMQ not found"
wait_for 20 delivered "$carol" || fail "absence 3: carol did not get bob's messages"
kill -KILL "$broker"
post "$carol" 10 # waits in carol's outbox until the broker is back
wait_for 90 delivered "$bob" || { keep=1; fail "absence 3: the broker did not come back for bob"; }
start "$alice"; say "$alice" "/join $room"
wait_for 30 delivered "$alice" || { keep=1; fail "absence 3: alice did not get what was said"; }

echo "4. alice quits; the whole server node is SIGKILLed while she is away, then started again"
quit "$alice"
post "$bob" 10
wait_for 20 delivered "$carol" || fail "absence 4: carol did not get bob's messages"
kill -KILL "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
# Its reapers take its services down; the node comes back on the same
# ports and state, as after a power cut.
node_gone() { [ -z "$(node_processes)" ]; }
wait_for 60 node_gone || fail "the killed node's services still run"
"$bin" server --chat.redis-port="$REDIS_PORT" --chat.amqp-port="$AMQP_PORT" \
  --chat.locator-port="$LOCATOR_PORT" --chat.state-dir="$work/state" \
  --chat.amqp-tls-port="$AMQP_TLS_PORT" --chat.redis-tls-port="$REDIS_TLS_PORT" \
  </dev/null >>"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
wait_for 120 bash -c "[ \$(grep -c '^ready:' '$SERVER_LOG') -ge 2 ]" || fail "server node not ready again"
post "$carol" 10 # sent once carol's client is connected again
wait_for 90 delivered "$bob" || { keep=1; fail "absence 4: bob did not get carol's messages"; }
start "$alice"; say "$alice" "/join $room"
wait_for 30 delivered "$alice" || { keep=1; fail "absence 4: alice did not get what was said"; }

echo "5. alice leaves the group; what is said afterwards is not hers"
say "$alice" "/leave $room"
wait_for 10 grep -q "left $room" "$work/$alice.out" || { keep=1; fail "alice did not leave"; }
quit "$alice"
say "$bob" "after-leave-$id"
wait_for 20 grep -q "after-leave-$id" "$work/$carol.out" || true
start "$alice"; say "$alice" "/join $room"
wait_for 20 joined "$alice" 6 || { keep=1; fail "alice did not join again"; }
sleep 1
! grep -q "after-leave-$id" "$work/$alice.out" ||
  { keep=1; fail "a message sent after /leave reached alice"; }

echo "6. the operator forgets alice: nothing kept for her remains"
quit "$alice"
say "$bob" "kept-for-alice-$id"
wait_for 20 grep -q "kept-for-alice-$id" "$work/$carol.out" || true
ctl=$work/state/rabbitmq-$AMQP_PORT/rabbitmqctl
"$ctl" list_queues -q name | grep -q "^$alice:$room\$" || fail "alice's queue is gone before --forget-user"
"$bin" server --forget-user="$alice" --chat.state-dir="$work/state" \
  --chat.amqp-port="$AMQP_PORT" --chat.redis-port="$REDIS_PORT" >"$work/forget.out" 2>&1 ||
  { cat "$work/forget.out"; fail "--forget-user failed"; }
left=$("$ctl" list_queues -q name | grep "^$alice:" || true)
[ -z "$left" ] || fail "queues of alice left after --forget-user: $left"

stream_report "$room" "$alice" "$bob" "$carol" >"$work/report" || { keep=1; cat "$work/report"; fail "messages lost, doubled or out of order across absences"; }
grep -E "^$alice " "$work/report"
pass "away and back: after a quit, a SIGKILL, a broker crash and a server node crash, alice got all $(( sent[$bob] + sent[$carol] )) messages once, in order; none after /leave"
