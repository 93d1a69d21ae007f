#!/usr/bin/env bash
# Slow readers: a client whose output nobody reads (--batch --json
# into a FIFO held open but not read) while a second client floods it with
# private messages of 4000 bytes (the flooder shows each once delivered, which
# paces it). The slow client's memory stays bounded (events that do not fit
# chat.output-queue are dropped; a reader that comes back finds one notice
# saying how many) and /quit on its stdin ends it within 1 s whatever waits.
# Measured with 8000 messages (30 MiB): RSS +6 MiB, /quit served in ~0.4 s
# (a CLI actor that blocked in write would take +35 MiB and never quit).
source "$(dirname "$0")/lib.sh"
source "$CHAT_TEST_ENV"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
common=(--chat.server=127.0.0.1 --chat.redis-port="$CHAT_TEST_REDIS_PORT"
        --chat.amqp-port="$CHAT_TEST_AMQP_PORT")
id=$RANDOM
slow=slow$id; flooder=flood$id
# Messages of the flood (each 4000 bytes of text, under max-message-bytes).
count=${FLOOD_COUNT:-8000}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
gone() { [ ! -e "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }

mkfifo "$work/slow.in" "$work/slow.out" "$work/flood.in"
exec 4<>"$work/slow.out" # the reader end, held but not read: the pipe fills up
"$bin" "${common[@]}" --batch --json --chat.name="$slow" \
  <"$work/slow.in" >"$work/slow.out" 2>"$work/slow.err" &
slow_pid=$!
exec 3>"$work/slow.in"
# Read the slow client's output only until it has registered.
up=false
while IFS= read -r -t 15 -u 4 line; do
  [[ $line == *'"registered as'* ]] && { up=true; break; }
done
$up || { cat "$work/slow.err"; fail "slow client did not start"; }

"$bin" "${common[@]}" --batch --chat.name="$flooder" \
  <"$work/flood.in" >"$work/flood.out" 2>&1 &
exec 5>"$work/flood.in"
wait_for 15 grep -q "registered as" "$work/flood.out" || { cat "$work/flood.out"; fail "flooder did not start"; }
sleep 1
before=$(rss_kb "$slow_pid")

# The flood, in chunks; the flooder shows each message once delivered.
body=$(head -c 4000 /dev/zero | tr '\0' 'x')
own() { grep -c " message private:$slow $flooder: " "$work/flood.out" || true; }
delivered() { [ "$(own)" -ge "$1" ]; }
sent=0
flood() { # N: N more messages
  local last=$((sent + $1))
  while ((sent < last)); do
    for ((i = 0; i < 250 && sent < last; i++, sent++)); do echo "/msg $slow $sent $body"; done >&5
    wait_for 60 delivered $((sent - 250)) || fail "flood stalled at $(own)"
  done
  wait_for 60 delivered "$sent" || {
    grep -v " message private:$slow " "$work/flood.out" | sort | uniq -c | sort -rn | head -5
    fail "flooder got back $(own) of $sent"
  }
}
t0=$(now_ms)
flood "$count"
flood_ms=$(( $(now_ms) - t0 ))
sleep 2 # the slow client takes in what is still on its way
after=$(rss_kb "$slow_pid")
growth=$(( (after - before) / 1024 ))
echo "flood of $count x 4000 bytes in $flood_ms ms; slow client RSS $((before / 1024)) MiB -> $((after / 1024)) MiB (+$growth MiB)"
# At most chat.output-queue (4 MiB) of JSON lines waits, plus
# the conversation's history (chat.history-bytes, 1 MiB) and allocator slack.
limit=${RSS_GROWTH_LIMIT_MIB:-12}
[ "$growth" -le "$limit" ] || fail "slow client grew by $growth MiB (limit $limit MiB)"
pass "memory bounded while nobody reads: +$growth MiB for $((count * 4000 / 1048576)) MiB of messages"

# A reader that comes back finds whole JSON lines and one notice for what
# was dropped.
timeout 3 cat <&4 >"$work/seen" || true
grep -q '"type":"status","text":"… [0-9]* events dropped: the reader of the output is not keeping up"' \
  "$work/seen" || { tail -c 600 "$work/seen"; fail "no notice of dropped events"; }
bad=$(grep -cv '^{.*}$' "$work/seen" || true)
[ "$bad" = 0 ] || fail "$bad broken lines in the output"
pass "the output holds whole lines, $(grep -o '… [0-9]* events dropped' "$work/seen" | head -1)"

# The reader is gone again and more arrives than the queue holds.
flood 1500
t0=$(now_ms)
echo "/quit" >&3
wait_for 5 gone "$slow_pid" || fail "slow client still running 5 s after /quit"
elapsed=$(( $(now_ms) - t0 ))
[ "$elapsed" -le 1000 ] || fail "/quit took $elapsed ms with a reader that does not read"
pass "/quit served in $elapsed ms while the output waited for a reader"
echo "/quit" >&5
