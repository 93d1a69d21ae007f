#!/usr/bin/env bash
# A server node and three scriptable clients (alice, bob, carol, --json):
# private chat both ways, a group with all three, discovery lists the other
# two, the insult channel round-robin, a deleted subscription queue comes
# back, and a clean exit removes the Redis key and the session's queues (the
# group subscriptions stay: membership lasts until /leave).
source "$(dirname "$0")/lib.sh"
source "$CHAT_TEST_ENV"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
rcli() { redis-cli -p "$CHAT_TEST_REDIS_PORT" "$@"; }
ctl=$CHAT_TEST_DIR/state/rabbitmq-$CHAT_TEST_AMQP_PORT/rabbitmqctl
queues() { "$ctl" list_queues -q name 2>/dev/null; }
id=$RANDOM
a=alice$id; b=bob$id; c=carol$id; room=room$id
declare -A fd

start() { # NAME: a --json batch client fed through a FIFO
  mkfifo "$work/$1.in"
  "$bin" --json --chat.server=127.0.0.1 --chat.redis-port="$CHAT_TEST_REDIS_PORT" \
    --chat.amqp-port="$CHAT_TEST_AMQP_PORT" --chat.name="$1" \
    <"$work/$1.in" >"$work/$1.out" 2>"$work/$1.err" &
  exec {fd[$1]}>"$work/$1.in"
}
say() { echo "$2" >&"${fd[$1]}"; }
got() { grep -q -- "$2" "$work/$1.out"; }
expect() { # NAME PATTERN WHAT
  wait_for 10 got "$1" "$2" || { tail -n 20 "$work/$1.out" "$work/$1.err"; fail "$3"; }
}

for n in "$a" "$b" "$c"; do start "$n"; done
for n in "$a" "$b" "$c"; do expect "$n" '"registered as' "$n did not register"; done

# Private chat both ways.
say "$a" "/msg $b hi bob"
expect "$b" "\"chat\":\"private:$a\",\"text\":\"hi bob\"" "bob did not get alice's message"
say "$b" "/msg $a hi alice"
expect "$a" "\"chat\":\"private:$b\",\"text\":\"hi alice\"" "alice did not get bob's reply"
pass "private chat both ways"

# A group with all three.
for n in "$a" "$b" "$c"; do say "$n" "/join $room"; done
sleep 1
say "$a" "hello room"
for n in "$b" "$c"; do
  expect "$n" "\"chat\":\"group:$room\",\"text\":\"hello room\".*\"from\":\"$a\",\"own\":false,\"verified\":true" \
    "$n did not get the group message, signed by $a"
done
pass "group message reached the other members, its sender verified by signature"

# Someone deletes carol's subscription queue: her channel hears of it
# (consumer_cancel_notify), says so, and re-creates the queue; the others'
# channels on the same connection are untouched.
"$ctl" delete_queue "$c:$room" >/dev/null || fail "could not delete $c:$room"
expect "$c" "\"chat\":\"group:$room\".*reopening the channel" "carol was not told"
wait_for 10 bash -c "'$ctl' list_queues -q name 2>/dev/null | grep -qx '$c:$room'" ||
  fail "carol's queue was not re-created"
say "$b" "after the delete"
expect "$c" "\"text\":\"after the delete\"" "carol gets nothing after her queue was deleted"
pass "a deleted subscription queue is noticed and re-created"

# Discovery lists the other two.
say "$a" "/who"
expect "$a" "\"type\":\"discovery\".*\"name\":\"$b\"" "discovery misses bob"
expect "$a" "\"type\":\"discovery\".*\"name\":\"$c\"" "discovery misses carol"
say "$a" "/back"
pass "discovery lists bob and carol"

# Insults: bob and carol in the channel, alice sends four.
for n in "$b" "$c"; do say "$n" "/insult"; done
sleep 1
for i in 1 2 3 4; do say "$a" "/insult insult$id-$i"; done
wait_for 10 bash -c "[ \$(grep -c 'insult sent' '$work/$a.out') -ge 4 ]" ||
  fail "alice was not told that her insults were sent"
wait_for 10 bash -c "[ \$(grep -c 'insult$id-' '$work/$b.out' '$work/$c.out' | \
  awk -F: '{s+=\$2} END {print s}') -ge 4 ]" || fail "insults lost"
nb=$(grep -c "insult$id-" "$work/$b.out" || true); nc=$(grep -c "insult$id-" "$work/$c.out" || true)
[ "$nb" -ge 1 ] && [ "$nc" -ge 1 ] || fail "insults not shared: bob $nb, carol $nc"
pass "insults round-robin: bob $nb, carol $nc"

# A script can tell which reply belongs to which command: JSON lines caused
# by a command carry its input line number, also when the reply comes later.
e=erin$id
start "$e"
expect "$e" '"registered as' "erin did not register"
say "$e" "/leave nosuch$id"
say "$e" "/open nope$id"
expect "$e" "\"line\":1,.*not a member of group nosuch$id" "no line 1 on the /leave reply"
expect "$e" "\"line\":2,.*not a member of group nope$id" "no line 2 on the /open reply"
pass "replies carry the line number of their command"

# One-shot commands from a fourth identity.
common=(--chat.server=127.0.0.1 --chat.redis-port="$CHAT_TEST_REDIS_PORT"
        --chat.amqp-port="$CHAT_TEST_AMQP_PORT")
say "$b" "/back"
"$bin" send "${common[@]}" --chat.name="dave$id" --to "$a" one shot hello || fail "send --to failed"
expect "$a" "\"chat\":\"private:dave$id\",\"text\":\"one shot hello\"" "send --to not delivered"
"$bin" send "${common[@]}" --chat.name="dave$id" --group "$room" one shot room || fail "send --group failed"
expect "$a" "\"chat\":\"group:$room\",\"text\":\"one shot room\".*\"verified\":true" "send --group not delivered (signed)"
who=$("$bin" who "${common[@]}" --json) || fail "who failed"
for n in "$a" "$b" "$c"; do
  echo "$who" | grep -q "\"name\":\"$n\"" || fail "who misses $n: $who"
done
out=$("$bin" send "${common[@]}" --chat.name="dave$id" --to "nobody$id" x 2>&1) && fail "send to nobody"
# Secure mode keeps messages for someone away, but nobody has this name.
echo "$out" | grep -q "not queued: nobody$id has never signed in here" || fail "unclear error: $out"
pass "one-shot send --to, send --group and who"

# Clean exit: keys and session queues gone; the group subscriptions and the
# inboxes stay (what is said or sent meanwhile waits there).
for n in "$a" "$b" "$c"; do say "$n" "/quit"; done
for n in "$a" "$b" "$c"; do
  wait_for 5 bash -c "[ \$(redis-cli -p $CHAT_TEST_REDIS_PORT exists $n) = 0 ]" \
    || fail "$n still registered"
done
if [ -x "$ctl" ]; then
  left=$(queues | grep -E "^($a|$b|$c):" | grep -vE ":($room|inbox)\$" || true)
  [ -z "$left" ] || fail "session queues left after clean exit: $left"
  kept=$(queues | grep -cE "^($a|$b|$c):$room\$" || true)
  [ "$kept" = 3 ] || fail "$kept of 3 group subscriptions kept after clean exit"
  for n in "$a" "$b" "$c"; do
    "$ctl" delete_queue "$n:$room" >/dev/null
    "$ctl" delete_queue "$n:inbox" >/dev/null 2>&1 || true
  done
fi
pass "clean exit removed the Redis keys and the session queues, kept the group subscriptions"
