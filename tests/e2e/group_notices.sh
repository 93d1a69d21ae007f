#!/usr/bin/env bash
# Join and leave notices without a discovery round: bob's /join and /leave
# go to the group as signed event messages (header x-chat-event). alice
# (--json) gets them as events, verified, carol (--batch) as plain lines,
# and neither ever ran a discovery round; an original client's view of the
# same messages (their body) reads "bob: joined #room". A leave notice for
# a group whose view is not open is in that group's history.
source "$(dirname "$0")/lib.sh"
source "$CHAT_TEST_ENV"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
id=$RANDOM
a=alice$id; b=bob$id; c=carol$id; room=room$id
declare -A fd

start() { # NAME [--json]: a batch client fed through a FIFO
  local name=$1; shift
  mkfifo "$work/$name.in"
  "$bin" --batch "$@" --chat.server=127.0.0.1 --chat.redis-port="$CHAT_TEST_REDIS_PORT" \
    --chat.amqp-port="$CHAT_TEST_AMQP_PORT" --chat.name="$name" \
    <"$work/$name.in" >"$work/$name.out" 2>"$work/$name.err" &
  exec {fd[$name]}>"$work/$name.in"
}
say() { echo "$2" >&"${fd[$1]}"; }
got() { grep -q -- "$2" "$work/$1.out"; }
expect() { # NAME PATTERN WHAT
  wait_for 10 got "$1" "$2" || { tail -n 20 "$work/$1.out" "$work/$1.err"; fail "$3"; }
}

# An original client's view of the group: the bodies as they arrive.
"$CHAT_HOSTILE" listen "$CHAT_TEST_AMQP_PORT" "$room" 60 >"$work/original.out" 2>&1 &
wait_for 10 grep -q listening "$work/original.out" || { cat "$work/original.out"; fail "no raw listener"; }

start "$a" --json
start "$b" --json
start "$c"
for n in "$a" "$b" "$c"; do expect "$n" "registered as" "$n did not register"; done
say "$a" "/join $room"
say "$c" "/join $room"
expect "$a" "joined $room" "alice did not join"
expect "$c" "joined $room" "carol did not join"

say "$b" "/join $room"
expect "$a" "\"type\":\"event\",\"chat\":\"group:$room\",\"text\":\"$b joined #$room\".*\"event\":\"join\",\"from\":\"$b\",\"verified\":true" \
  "alice was not told that bob joined (a verified event)"
expect "$c" "event group:$room $b joined #$room$" "carol (plain) was not told that bob joined"
pass "bob's join reaches alice (--json event, verified) and carol (plain line)"

# bob's own join is not echoed to him as a notice.
sleep 0.5
got "$b" "\"event\":\"join\"" && fail "bob was shown his own join"

# A message after the join still is a message; then bob leaves.
say "$b" "hello from bob"
expect "$a" "\"type\":\"message\",\"chat\":\"group:$room\",\"text\":\"hello from bob\"" "bob's message did not arrive"
say "$b" "/leave $room"
expect "$a" "\"type\":\"event\",\"chat\":\"group:$room\",\"text\":\"$b left #$room\".*\"event\":\"leave\",\"from\":\"$b\",\"verified\":true" \
  "alice was not told that bob left"
expect "$c" "event group:$room $b left #$room$" "carol (plain) was not told that bob left"
pass "bob's leave reaches alice and carol"

for n in "$a" "$c"; do
  got "$n" '"type":"discovery"\|discovery online' && fail "$n ran a discovery round"
done
pass "no discovery round was needed"

# The original client's view: "<user>: joined #<room>" as the body.
wait_for 5 grep -qx "$b: joined #$room" "$work/original.out" ||
  { cat "$work/original.out"; fail "an original client does not see 'bob: joined #room'"; }
grep -qx "$b: left #$room" "$work/original.out" ||
  { cat "$work/original.out"; fail "an original client does not see 'bob: left #room'"; }
pass "an original client shows '$b: joined #$room' and '$b: left #$room'"

# The notices are in the group's history (a view opened later shows them).
say "$a" "/history"
expect "$a" "\"line\":[0-9]*,\"type\":\"event\",.*\"text\":\"$b left #$room\"" \
  "the leave notice is not in the group's history"
pass "the notices are kept in the group's history"

for n in "$a" "$b" "$c"; do say "$n" "/quit"; done
