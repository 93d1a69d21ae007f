#!/usr/bin/env bash
# A client at Debian's default descriptor limit (1024, soft and hard, so
# raising it cannot help) keeps accepting private messages while one LAN
# host (127.0.0.2) holds 1100 idle connections to its gRPC port (the host
# gets chat.max-connections-per-host, the rest are closed at once), and
# while 20 hosts try to hold more than its 1024 descriptors (they get half
# the limit in all, the busiest making room for a newcomer), and after each.
# gRPC 1.51's own listener stopped for good at the limit
# ("Failed accept4: Too many open files"). Then 300 connections that send
# garbage instead of a TLS hello: gRPC's handshake closes each, and none
# keeps a descriptor. Last, a listener that dies anyway
# (its socket destroyed with `ss -K`, root) is noticed by the self-probe and
# listens again on the same port, with one line.
source "$(dirname "$0")/lib.sh"
source "$CHAT_TEST_ENV"
hostile=${CHAT_HOSTILE:?path to chat-test-hostile}
work=$(mktemp -d)
trap 'exec 3>&- 4>&- 2>/dev/null; kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
common=(--chat.server=127.0.0.1 --chat.redis-port="$CHAT_TEST_REDIS_PORT"
        --chat.amqp-port="$CHAT_TEST_AMQP_PORT")

id=$RANDOM
r=fdrecv$id
mkfifo "$work/in" "$work/hold"
(ulimit -n 1024 && exec "$bin" --json "${common[@]}" --chat.name="$r" \
  --chat.listener-check-interval=3s) \
  <"$work/in" >"$work/out" 2>"$work/err" &
client=$!
exec 3>"$work/in"
wait_for 10 grep -q '"registered as' "$work/out" || { cat "$work/out"; fail "not registered"; }
read -r _ _ _ soft hard _ < <(grep '^Max open files' "/proc/$client/limits")
[ "$soft" = 1024 ] && [ "$hard" = 1024 ] || fail "limit is $soft/$hard, not 1024/1024"
# The private-chat port (every interface), not the name-server tunnel
# (127.0.0.1, secure mode).
port=$(ss -Htlnp | grep "pid=$client," | awk '{print $4}' | grep -v '^127\.0\.0\.1:' |
  sed 's/.*://' | head -1)
[ -n "$port" ] || fail "no gRPC port"

# deliver TEXT: a legitimate peer (from 127.0.0.1) sends TEXT; it must arrive.
deliver() {
  local t0 took
  t0=$(now_ms)
  "$bin" send "${common[@]}" --chat.name="fdsend$id" --to "$r" "$1" >"$work/send" 2>&1 \
    || { cat "$work/send"; grep -m3 -i 'accept\|listener' "$work/err" "$work/out";
         fail "$2: not delivered ($(ls "/proc/$client/fd" | wc -l) descriptors open)"; }
  took=$(( $(now_ms) - t0 ))
  wait_for 5 grep -q "\"text\":\"$1\"" "$work/out" || fail "$2: '$1' not shown"
  pass "$2: delivered in $took ms ($(ls "/proc/$client/fd" | wc -l) descriptors open)"
}

deliver "before the flood" "no flood"

"$hostile" idle 127.0.0.2 "$port" 1100 <"$work/hold" >"$work/idle" &
exec 4>"$work/hold"
wait_for 20 grep -q '^open' "$work/idle" || fail "attacker did not connect"
sleep 2 # let the client accept what it will
pass "127.0.0.2 $(cat "$work/idle") idle connections; client holds" \
  "$(ls "/proc/$client/fd" | wc -l) descriptors"
deliver "during the flood" "1100 idle connections from one host"
wait_for 10 grep -q 'private chats: refused 10[0-9][0-9] connections from hosts over 64' \
  "$work/out" || { grep system "$work/out"; fail "refusals not reported"; }
pass "$(grep -o 'private chats: refused [^"]*' "$work/out" | head -1)"

exec 4>&- # the attacker lets go
wait_for 10 bash -c "! kill -0 $! 2>/dev/null" || fail "attacker did not let go"
deliver "after the flood" "after the flood"

# 20 hosts with 60 each: more than the client's 1024 descriptors.
mkfifo "$work/hold2"
attackers=()
for h in $(seq 10 29); do
  "$hostile" idle "127.0.0.$h" "$port" 60 <"$work/hold2" >"$work/idle$h" &
  attackers+=($!)
done
exec 4>"$work/hold2"
wait_for 30 bash -c "[ \$(cat $work/idle* | grep -c '^open') -ge 21 ]" \
  || fail "attackers did not connect"
sleep 2
pass "20 hosts x 60 connections: client holds $(ls "/proc/$client/fd" | wc -l) descriptors"
deliver "at the budget" "20 hosts over the descriptor budget"
wait_for 10 grep -q 'private chats: closed [0-9]* connections of the busiest hosts' "$work/out" \
  || { grep system "$work/out"; fail "evictions not reported"; }
pass "$(grep -o 'private chats: closed [^"]*' "$work/out" | head -1)"
exec 4>&-
wait "${attackers[@]}"
sleep 1
deliver "after the budget" "after the 20 hosts"

# Garbage instead of a TLS hello: gRPC owns an admitted connection (it is
# handed over, not spliced), so its failed handshake must close it and the
# acceptor must see it gone. 5 rounds of 60 from one host (under its cap).
idle_fds=$(ls "/proc/$client/fd" | wc -l)
closed=$(python3 - "$port" <<'PY'
import socket, sys, time
port = int(sys.argv[1]); closed = 0
for _ in range(5):
    socks = []
    for _ in range(60):
        s = socket.create_connection(("127.0.0.1", port), timeout=5,
                                     source_address=("127.0.0.3", 0))
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + b"\x00" * 512)
        socks.append(s)
    deadline = time.time() + 10
    for s in socks:
        try:
            s.settimeout(max(0.1, deadline - time.time()))
            while s.recv(4096):
                pass
            closed += 1
        except OSError:
            pass
        s.close()
print(closed)
PY
)
[ "$closed" = 300 ] || fail "only $closed of 300 garbage connections were closed by the client"
wait_for 10 bash -c "[ \$(ls /proc/$client/fd | wc -l) -le $((idle_fds + 4)) ]" ||
  fail "$(ls "/proc/$client/fd" | wc -l) descriptors open after the garbage, $idle_fds before"
pass "300 connections sending garbage instead of TLS: all closed by the handshake," \
  "$(ls "/proc/$client/fd" | wc -l) descriptors open ($idle_fds before)"
deliver "after the garbage" "after 300 garbage connections"

if [ "$(id -u)" = 0 ] && ss -K -tln "sport = :$port" | grep -q LISTEN; then
  t0=$(now_ms)
  wait_for 40 grep -q "port $port stopped answering; listening again" "$work/out" \
    || { tail -n 3 "$work/out"; fail "dead listener not restarted"; }
  pass "a destroyed listener was restarted after $(( $(now_ms) - t0 )) ms"
  deliver "after the restart" "after the listener restart"
else
  echo "SKIP: cannot destroy the listening socket (needs root and ss -K)"
fi
echo "/quit" >&3
wait_for 10 bash -c "! kill -0 $client 2>/dev/null" || fail "client did not quit"
