#!/usr/bin/env bash
# Limits under heavy or hostile input, on the shared server node:
# - the server node's LAN-locator socket is not inherited by its children
#   (redis-server, beam.smp, epmd, the reapers);
# - a client runs with its descriptor limit raised to the hard limit;
# - a group message over chat.max-message-bytes (or not UTF-8) is dropped on
#   receive with a one-line error, never shown nor kept; one over the
#   broker's cap (the limit plus 16 KiB) is refused at the sender;
# - joining more than chat.max-groups groups is refused with the reason;
# - the receiver's resident memory stays bounded under 5000 distinct private
#   senders (2 messages of 4000 bytes each) and 300 group messages of 20 kB
#   (VmRSS before and after each).
source "$(dirname "$0")/lib.sh"
source "$CHAT_TEST_ENV"
hostile=${CHAT_HOSTILE:?path to chat-test-hostile}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
common=(--json --chat.server=127.0.0.1 --chat.redis-port="$CHAT_TEST_REDIS_PORT"
        --chat.amqp-port="$CHAT_TEST_AMQP_PORT")

# Who holds the locator's UDP socket: the server node alone.
holders=$(ss -Huapn "sport = :$CHAT_TEST_LOCATOR_PORT" | grep -o 'pid=[0-9]*' | sort -u)
[ "$holders" = "pid=$CHAT_TEST_SERVER_PID" ] \
  || { ss -uapn "sport = :$CHAT_TEST_LOCATOR_PORT"; fail "locator socket inherited: $holders"; }
pass "only the server node holds the locator socket"

id=$RANDOM
r=recv$id; room=big$id
mkfifo "$work/in"
"$bin" "${common[@]}" --chat.name="$r" --chat.max-groups=2 <"$work/in" >"$work/out" 2>&1 &
client=$!
exec 3>"$work/in"
wait_for 10 grep -q '"registered as' "$work/out" || { cat "$work/out"; fail "not registered"; }

read -r _ _ _ soft hard _ < <(grep '^Max open files' "/proc/$client/limits")
[ "$soft" = "$hard" ] || fail "descriptor limit not raised: soft $soft, hard $hard"
pass "client descriptor limit raised to the hard limit ($soft)"

echo "/join $room" >&3
wait_for 10 grep -q "joined $room" "$work/out" || { cat "$work/out"; fail "join failed"; }
# 20 messages of 10 kB from a sender that allows them (over the receiver's
# 4096 bytes, under the broker's cap of that plus 16 KiB), then a small one.
big=$(head -c 10000 /dev/zero | tr '\0' 'x')
for i in $(seq 1 20); do
  "$bin" send "${common[@]:1}" --chat.name="big$id" --chat.max-message-bytes=200000 \
    --group "$room" "$i$big" >/dev/null || fail "oversized send $i failed"
done
# 100 kB: the broker itself refuses it, and the sender is told.
huge=$(head -c 100000 /dev/zero | tr '\0' 'y')
if "$bin" send "${common[@]:1}" --chat.name="big$id" --chat.max-message-bytes=200000 \
    --group "$room" "$huge" >"$work/huge" 2>&1; then
  cat "$work/huge"; fail "a 100 kB group message was accepted by the broker"
fi
[ "$(wc -l <"$work/huge")" -ge 1 ] || fail "no error for the refused 100 kB message"
"$bin" send "${common[@]:1}" --chat.name="big$id" --group "$room" "small one" \
  || fail "small send failed"
wait_for 10 grep -q '"text":"small one"' "$work/out" || fail "small message not received"
dropped=$(grep -c "\"text\":\"dropped a message from big$id: .*bytes" "$work/out" || true)
[ "$dropped" = 20 ] || { tail -n 5 "$work/out" | cut -c1-200; fail "dropped $dropped of 20"; }
grep -q "xxxxxxxxxx\|yyyyyyyyyy" "$work/out" && fail "an oversized message was shown"
pass "20 oversized group messages dropped on receive with an error each; 100 kB refused by the broker"

rss_mb() { echo $(( $(awk '/^VmRSS/ {print $2}' "/proc/$client/status") / 1024 )); }
# The private-chat port (every interface), not the name-server tunnel
# (127.0.0.1, secure mode).
port=$(ss -Htlnp | grep "pid=$client," | awk '{print $4}' | grep -v '^127\.0\.0\.1:' |
  sed 's/.*://' | head -1)
[ -n "$port" ] || fail "no gRPC port"
rss0=$(rss_mb)
"$hostile" strangers "$port" "$r" 5000 2 4000 >"$work/strangers" \
  || fail "strangers: $(cat "$work/strangers")"
sleep 1 # evictions are asynchronous
rss1=$(rss_mb)
pass "5000 distinct private senders: VmRSS $rss0 MB -> $rss1 MB"
# As large as the broker lets through (it refuses more: see above).
"$hostile" group "$CHAT_TEST_AMQP_PORT" "$room" 300 20000 >/dev/null \
  || fail "group flood not published"
wait_for 60 bash -c "[ \$(grep -c '\"text\":\"dropped a message from flood' '$work/out') -ge 300 ]" \
  || fail "only $(grep -c '"text":"dropped a message from flood' "$work/out") of 300 dropped"
rss2=$(rss_mb)
pass "300 group messages of 20 kB: VmRSS $rss1 MB -> $rss2 MB"
# Measured: 23 MB at start, 27 after the senders, 36 after 300 x 1 MB. With
# conversations unbounded (--chat.max-conversations=100000) the senders alone
# take it to 82 MB; with the size accepted (--chat.max-message-bytes=1000000,
# 990 kB messages) the group flood takes it to 92 MB; a client
# without any bound reaches 285 and 576 MB. So: each flood may add 30 MB at
# most, the total stay under 80.
[ $(( rss1 - rss0 )) -lt 30 ] || fail "5000 senders added $(( rss1 - rss0 )) MB (bound 30)"
[ $(( rss2 - rss1 )) -lt 30 ] || fail "300 x 20 kB added $(( rss2 - rss1 )) MB (bound 30)"
[ "$rss2" -lt 80 ] || fail "VmRSS $rss2 MB after both floods (bound 80 MB)"
pass "receiver VmRSS stays bounded ($rss2 MB < 80 MB)"

echo "/join second$id" >&3
wait_for 10 grep -q "joined second$id" "$work/out" || fail "second join failed"
echo "/join third$id" >&3
wait_for 10 grep -q "cannot join third$id: already in 2 groups (chat.max-groups)" "$work/out" \
  || { tail -n 3 "$work/out"; fail "no clear refusal past chat.max-groups"; }
pass "a join past chat.max-groups is refused with the reason"
echo "/quit" >&3
