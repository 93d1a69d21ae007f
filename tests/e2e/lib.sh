# Helpers shared by the end-to-end tests (sourced).
set -euo pipefail

bin=${1:?path to chat-actors}
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; }

# wait_for SECONDS COMMAND...: polls every 0.1 s until COMMAND succeeds.
wait_for() {
  local limit=$1; shift
  local deadline=$(( $(date +%s%N) + limit * 1000000000 ))
  until "$@"; do
    [ "$(date +%s%N)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# free_port [SLOT]: a random port nothing on loopback answers on, below the
# kernel's ephemeral range (32768-60999), where outgoing connections and
# port-0 binds (a managed RabbitMQ's epmd and distribution ports) would take
# it meanwhile. Ports of different SLOTs (0-4) never coincide: the services
# of one server node each draw from their own slot (two drawing the same
# port made the second restart forever, 1 run in ~1000).
free_port() {
  local slot=${1:-} port
  while :; do
    if [ -n "$slot" ]; then
      port=$(( 20000 + slot * 2400 + RANDOM % 2400 ))
    else
      port=$(( (RANDOM % 12000) + 20000 ))
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# start_server DIR [EXTRA ARGS...]: a private server node; sets SERVER_PID,
# REDIS_PORT, AMQP_PORT, AMQP_TLS_PORT, REDIS_TLS_PORT, LOCATOR_PORT and
# SERVER_LOG. Secure mode (unless the args say --chat.allow-original-clients=
# true): exports its join code as CHAT_JOIN_CODE (read by every client) and
# the server node's own Redis password as REDISCLI_AUTH (read by redis-cli,
# which logs in as Redis' `default` user; the join code's password is the
# member user's).
start_server() {
  local dir=$1; shift
  REDIS_PORT=${REDIS_PORT:-$(free_port 0)}; AMQP_PORT=${AMQP_PORT:-$(free_port 1)}
  LOCATOR_PORT=${LOCATOR_PORT:-$(free_port 2)}
  AMQP_TLS_PORT=${AMQP_TLS_PORT:-$(free_port 3)}; REDIS_TLS_PORT=${REDIS_TLS_PORT:-$(free_port 4)}
  SERVER_LOG=$dir/server.log
  "$bin" server --chat.redis-port="$REDIS_PORT" --chat.amqp-port="$AMQP_PORT" \
    --chat.locator-port="$LOCATOR_PORT" --chat.state-dir="$dir/state" \
    --chat.amqp-tls-port="$AMQP_TLS_PORT" --chat.redis-tls-port="$REDIS_TLS_PORT" "$@" \
    </dev/null >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  wait_for 120 grep -q '^ready:' "$SERVER_LOG" || { cat "$SERVER_LOG"; fail "server not ready"; }
  use_server_secrets "$dir/state"
}

# use_server_secrets STATE_DIR: the join code and Redis password of the
# secure-mode server node with that state dir (nothing in open mode).
use_server_secrets() {
  [ -f "$1/join-code" ] || return 0
  CHAT_JOIN_CODE=$(cat "$1/join-code"); export CHAT_JOIN_CODE
  REDISCLI_AUTH=$(sed -n 's/^redis-admin-password=//p' "$1/secrets/secrets.conf"); export REDISCLI_AUTH
  CHAT_AMQP_USER=chat-admin; export CHAT_AMQP_USER
  CHAT_AMQP_PASSWORD=$(sed -n 's/^amqp-admin-password=//p' "$1/secrets/secrets.conf")
  export CHAT_AMQP_PASSWORD
}

stop_server() {
  [ -n "${SERVER_PID:-}" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || return 0
  wait_for 30 bash -c "! kill -0 $SERVER_PID 2>/dev/null" || kill -KILL "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
}

# Nothing of a server node on these ports may survive it.
# node_processes: the pids of the server node's services (Redis, its TLS
# front, RabbitMQ) on these ports, if any run.
node_processes() {
  pgrep -f -- "redis-server .*:$REDIS_PORT\$|--port $REDIS_PORT|chat$AMQP_PORT@|redis-$REDIS_PORT/stunnel.conf" || true
}
assert_no_orphans() {
  local left
  left=$(node_processes)
  [ -z "$left" ] || { ps -o pid,comm,args -p $left; fail "processes left behind"; }
}

# use_tmux: a work dir and a tmux server of the test's own (tmx ARGS...),
# both gone on exit together with the test's background jobs.
use_tmux() {
  command -v tmux >/dev/null || fail "tmux missing (scripts/setup installs it)"
  work=$(mktemp -d)
  sock=$work/tmux
  trap 'tmx kill-server 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
}
tmx() { tmux -u -S "$sock" "$@"; }

# Numbered streams (e2e.zero_loss, e2e.cluster_failover): every sender types
# "<name>-<6-digit number>" into one group; `sent[NAME]` (an associative
# array of the caller) holds how many each sent, and "$work/NAME.out" each
# receiver's --json events.
# stream_received R S ROOM: the numbers R got from S, in arrival order.
stream_received() {
  jq -r --arg s "$2" --arg chat "group:$3" \
    'select(.type == "message" and .chat == $chat and .from == $s and (.own | not)) | .text' \
    "$work/$1.out" 2>/dev/null | sed -n "s/^$2-0*//p"
}
# stream_complete ROOM NAMES...: every receiver has every other sender's numbers.
stream_complete() {
  local room=$1 r s; shift
  for r in "$@"; do for s in "$@"; do
    [ "$r" = "$s" ] && continue
    [ "$(stream_received "$r" "$s" "$room" | sort -un | wc -l)" -ge "${sent[$s]}" ] || return 1
  done; done
}
# stream_report ROOM NAMES...: per receiver and sender, sent, received, lost,
# doubled and out of order; fails (status 1) unless the last three are 0
# (with STREAM_REORDER_OK=1, unless lost and doubled are: a cluster may
# reorder around a failover, docs/cluster.md).
stream_report() {
  local room=$1 r s got n uniq lost doubled reordered bad=0; shift
  printf '%-14s %-14s %6s %8s %5s %7s %9s\n' receiver sender sent received lost doubled reordered
  for r in "$@"; do for s in "$@"; do
    [ "$r" = "$s" ] && continue
    got=$(stream_received "$r" "$s" "$room")
    n=$(echo -n "$got" | grep -c . || true)
    uniq=$(echo -n "$got" | sort -un | grep -c . || true)
    lost=$(( sent[$s] - uniq )); doubled=$(( n - uniq ))
    reordered=$(echo -n "$got" | awk 'NR > 1 && $1 < prev { c++ } { prev = $1 } END { print c + 0 }')
    printf '%-14s %-14s %6d %8d %5d %7d %9d\n' "$r" "$s" "${sent[$s]}" "$n" "$lost" "$doubled" "$reordered"
    (( lost != 0 || doubled != 0 )) && bad=1
    (( reordered != 0 )) && [ "${STREAM_REORDER_OK:-0}" != 1 ] && bad=1
  done; done
  return $bad
}

# Scriptable clients on fifos (e2e.away_and_back, e2e.inbox). The caller
# sets `work`, `common` (the clients' options) and `declare -A fd pid`.
# start NAME [ARGS...]: a --json client reading NAME.in and appending to
# NAME.out and NAME.err; returns once it registered (again).
start() {
  local name=$1; shift
  rm -f "$work/$name.in"; mkfifo "$work/$name.in"
  "$bin" "${common[@]}" --chat.name="$name" "$@" <"$work/$name.in" >>"$work/$name.out" 2>>"$work/$name.err" &
  pid[$name]=$!
  exec {fd[$name]}>"$work/$name.in"
  local registered=$(( $(grep -c '"registered as' "$work/$name.out" 2>/dev/null || true) + 1 ))
  wait_for 30 bash -c "[ \$(grep -c '\"registered as' '$work/$name.out') -ge $registered ]" ||
    { keep=1; cat "$work/$name.err"; fail "$name did not register"; }
}
# say NAME LINE: NAME types LINE.
say() { echo "$2" >&"${fd[$1]}"; }
# quit NAME: /quit, then the end of its input; returns once it exited.
quit() {
  say "$1" /quit
  exec {fd[$1]}>&-
  wait_for 20 bash -c "! kill -0 ${pid[$1]} 2>/dev/null" || fail "$1 did not quit"
}
