#!/usr/bin/env bash
# Zero loss under faults, measured the way a tester would: a private server
# node (managed Redis + RabbitMQ), three --json clients in one group, each
# sending numbered messages (50 msg/s in all, 45 s). At 6 s RabbitMQ is
# SIGKILLed (the node restarts it); at 18 s the whole server node is
# SIGKILLed and started again 8 s later on the same ports and state. The
# third client is SIGSTOPped from the server's death until well after it is
# back (a slow receiver: the others publish long before it re-binds
# anything). Then every receiver must have every other sender's messages:
# per pair of receiver and sender, counts of sent, received, lost, doubled
# and out of order; the test fails unless lost = doubled = out of order = 0.
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  stop_server
  [ "${keep:-0}" = 1 ] || [ -n "${ZERO_LOSS_KEEP:-}" ] && { echo "logs kept in $work"; return; }
  rm -rf "$work"
}
trap cleanup EXIT

seconds=45
period_ms=60 # one message per client per period: 3 / 60 ms = 50 msg/s
start_server "$work"
common=(--json --chat.server=127.0.0.1 --chat.redis-port="$REDIS_PORT"
        --chat.amqp-port="$AMQP_PORT")
id=$RANDOM
users=(u1x$id u2x$id u3x$id)
room=stream$id
declare -A fd sent pid

for u in "${users[@]}"; do
  mkfifo "$work/$u.in"
  "$bin" "${common[@]}" --chat.name="$u" <"$work/$u.in" >"$work/$u.out" 2>"$work/$u.err" &
  pid[$u]=$!
  exec {fd[$u]}>"$work/$u.in"
  sent[$u]=0
done
for u in "${users[@]}"; do
  wait_for 15 grep -q '"registered as' "$work/$u.out" || { keep=1; fail "$u did not register"; }
  echo "/join $room" >&"${fd[$u]}"
done
for u in "${users[@]}"; do
  wait_for 15 grep -q "joined $room" "$work/$u.out" || { keep=1; fail "$u did not join"; }
done

broker_pid() { # the managed node's beam.smp (its name is in its environment)
  local p
  for p in $(pgrep -x beam.smp); do
    grep -qz "^RABBITMQ_NODE_PORT=$AMQP_PORT\$" "/proc/$p/environ" 2>/dev/null && echo "$p"
  done
  return 0 # other brokers on the machine are not a failure (set -e)
}
restart_server() { # same ports and state: a reboot of the server host
  "$bin" server --chat.redis-port="$REDIS_PORT" --chat.amqp-port="$AMQP_PORT" \
    --chat.locator-port="$LOCATOR_PORT" --chat.state-dir="$work/state" \
    --chat.amqp-tls-port="$AMQP_TLS_PORT" --chat.redis-tls-port="$REDIS_TLS_PORT" \
    </dev/null >>"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
}

rounds=$((seconds * 1000 / period_ms))
at() { echo $(($1 * 1000 / period_ms)); } # the round at SECONDS
kill_broker_at=$(at 6); kill_server_at=$(at 18); restart_at=$(at 26); resume_at=$(at 40)
slow=${users[2]}; slow_pid=${pid[$slow]}
start=$(now_ms)
for ((i = 1; i <= rounds; i++)); do
  for u in "${users[@]}"; do
    sent[$u]=$i
    printf '%s-%06d\n' "$u" "$i" >&"${fd[$u]}"
  done
  if ((i == kill_broker_at)); then
    pid=$(broker_pid); [ -n "$pid" ] || fail "managed RabbitMQ not found"
    kill -KILL "$pid"; echo "round $i: kill -9 RabbitMQ ($pid)"
  elif ((i == kill_server_at)); then
    kill -KILL "$SERVER_PID"; echo "round $i: kill -9 server node ($SERVER_PID)"
    kill -STOP "$slow_pid"; echo "round $i: $slow stopped"
    wait "$SERVER_PID" 2>/dev/null || true
  elif ((i == restart_at)); then
    # The reapers take the dead node's services down (SIGTERM, then SIGKILL
    # after 10 s): wait for them without pausing the stream.
    if pgrep -f -- "--port $REDIS_PORT|chat$AMQP_PORT@" >/dev/null ||
       [ -n "$(broker_pid)" ]; then
      ((i < kill_server_at + $(at 20))) || assert_no_orphans
      restart_at=$((i + 1)); resume_at=$((resume_at + 1))
    else
      restart_server; echo "round $i: server node started again"
    fi
  elif ((i == resume_at)); then
    kill -CONT "$slow_pid"; echo "round $i: $slow resumed"
  fi
  # Keep the pace against the wall clock, not per sleep.
  ahead=$((start + i * period_ms - $(now_ms)))
  ((ahead > 0 && ahead < 1000)) && sleep "$(printf '0.%03d' "$ahead")"
done
((i > resume_at)) || kill -CONT "$slow_pid"
elapsed=$(( $(now_ms) - start ))
echo "sent ${sent[${users[0]}]} per client in $elapsed ms" \
  "($(( 3 * rounds * 1000 / elapsed )) msg/s in all)"
wait_for 120 bash -c "[ \$(grep -c '^ready:' '$SERVER_LOG') -ge 2 ]" || fail "server node not ready again"

wait_for 90 stream_complete "$room" "${users[@]}" || echo "not complete after 90 s"
for u in "${users[@]}"; do echo /quit >&"${fd[$u]}"; done
sleep 2

bad=0
stream_report "$room" "${users[@]}" || bad=1
# Messages typed during an outage were shown as pending, then as sent.
for u in "${users[@]}"; do
  grep -q '"text":"pending: the broker is unreachable' "$work/$u.out" || { bad=1; echo "$u: no pending notice"; }
  grep -q '"text":"sent: [0-9]* messages\? that waited for the broker"' "$work/$u.out" || { bad=1; echo "$u: no sent notice"; }
done
errors=$(cat "$work"/*.out | jq -r 'select(.type == "error") | .text' | sort | uniq -c || true)
[ -z "$errors" ] || { echo "errors the clients showed:"; echo "$errors"; }
if ((bad)); then keep=1; fail "messages lost, doubled or out of order"; fi
pass "zero loss: every message of every sender reached every receiver once, in order"
