#!/usr/bin/env bash
# The README's first command, `scripts/run`, in a real terminal (tmux): it
# starts a server node and a full-screen client; Ctrl+C neither ends the
# client nor reaches the server node; /quit ends the client and the script
# stops the server node, leaving no process behind.
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || fail "tmux missing (scripts/setup installs it)"
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
sock=$work/tmux
tmx() { tmux -S "$sock" "$@"; }
trap 'tmx kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
REDIS_PORT=$(free_port 0); AMQP_PORT=$(free_port 1); locator_port=$(free_port 2)
AMQP_TLS_PORT=$(free_port 3); REDIS_TLS_PORT=$(free_port 4)
user=run$RANDOM
screen() { tmx capture-pane -p -t run; }
shows() { screen | grep -q -- "$1"; }
# Secure mode: redis-cli needs the password the server node generated.
server_up() {
  use_server_secrets "$work/state"
  [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
}

tmx new-session -d -s run -x 150 -y 40 \
  "cd $root && NO_COLOR=1 HOME=$work ./scripts/run --chat.name=$user \
   --chat.redis-port=$REDIS_PORT --chat.amqp-port=$AMQP_PORT \
   --chat.locator-port=$locator_port --chat.state-dir=$work/state \
   --chat.amqp-tls-port=$AMQP_TLS_PORT --chat.redis-tls-port=$REDIS_TLS_PORT; \
   echo RUN-EXITED; sleep 30"
wait_for 150 shows "registered as $user" || {
  screen; tail -n 30 "$root/.run/server.log" "$work"/state/rabbitmq-*/rabbitmq.out \
    "$work"/state/rabbitmq-*/log/*.log 2>/dev/null | tail -n 80
  fail "client did not start"
}
pass "scripts/run started a server node and registered $user"
tmx send-keys -t run "/join room" Enter
wait_for 10 shows "\[#room\]" || { screen; fail "no group view"; }
tmx send-keys -t run C-c
wait_for 3 shows "Ctrl+C does not quit" || { screen; fail "Ctrl+C in the full screen said nothing"; }
sleep 1
shows RUN-EXITED && { screen; fail "Ctrl+C ended the client"; }
server_up || { screen; fail "Ctrl+C in the client stopped the server node"; }
pass "Ctrl+C keeps the client and the server node running"
tmx send-keys -t run "/quit" Enter
wait_for 10 shows RUN-EXITED || { screen; fail "/quit did not end the client"; }
wait_for 30 bash -c "! redis-cli -p $REDIS_PORT ping >/dev/null 2>&1" ||
  fail "server node still running after the client left"
wait_for 30 bash -c "! pgrep -f -- 'chat$AMQP_PORT@' >/dev/null" || true
assert_no_orphans
pass "leaving the client stopped the server node, nothing left behind"
