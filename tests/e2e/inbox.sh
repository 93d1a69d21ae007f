#!/usr/bin/env bash
# Private messages to someone who is away, on one secure-mode server node:
#   1. bob quits; alice sends 20 numbered private messages: each is
#      "queued"; a one-shot `send --to bob` exits 0 with "queued";
#   2. what waits in bob's inbox on the broker holds neither the text nor
#      alice's name in clear (read raw, as the broker's operator could);
#   3. bob returns: all 20 arrive once, in order, marked backlog; alice is
#      told "delivered" for each;
#   4. bob is SIGKILLed; what alice sends meanwhile waits and arrives;
#   5. carol's inbox holds 5 (--chat.inbox-max-messages=5): the 6th is
#      refused with "carol's inbox is full", its text in the line.
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
alice=al$id bob=bo$id carol=ca$id dan=da$id
ctl=$work/state/rabbitmq-$AMQP_PORT/rabbitmqctl
declare -A fd pid

has_inbox() { "$ctl" list_queues -q name | grep -qx "$1:inbox"; }
# count NAME JQ-FILTER: how many of NAME's events match.
count() { jq -c "select($2)" "$work/$1.out" 2>/dev/null | wc -l; }
queued() { count "$alice" '.type == "info" and (.text | startswith("queued: '"$1"' is away"))'; }
# got: the numbers bob got from alice, in arrival order.
got() {
  jq -r --arg a "$alice" 'select(.type == "message" and .chat == "private:\($a)" and .from == $a) | .text' \
    "$work/$bob.out" | sed -n "s/^note-0*//p"
}

start "$alice"; start "$bob"; start "$carol" --chat.inbox-max-messages=5
for u in "$bob" "$carol"; do wait_for 20 has_inbox "$u" || { keep=1; fail "no inbox for $u"; }; done

echo "1. bob is away: alice's 20 messages are queued"
quit "$bob"
for ((i = 1; i <= 20; i++)); do say "$alice" "$(printf '/msg %s note-%06d' "$bob" "$i")"; done
wait_for 30 bash -c "[ \$(jq -c 'select(.type == \"info\" and (.text | startswith(\"queued: $bob is away\")))' '$work/$alice.out' | wc -l) -ge 20 ]" ||
  { keep=1; grep -v '"discovery"' "$work/$alice.out" | tail -5; fail "alice's messages to bob who is away were not queued ($(queued "$bob") of 20)"; }
"$bin" send --chat.server=127.0.0.1 --chat.redis-port="$REDIS_PORT" --chat.amqp-port="$AMQP_PORT" \
  --chat.name="$dan" --to "$bob" "from a script" >"$work/send.out" 2>&1 ||
  { cat "$work/send.out"; fail "send --to someone away did not exit 0"; }
grep -q "^queued" "$work/send.out" || { cat "$work/send.out"; fail "send --to did not say queued"; }

echo "2. the broker holds only ciphertext, addressed to bob alone"
/usr/bin/python3 - "$AMQP_PORT" "$CHAT_AMQP_USER" "$CHAT_AMQP_PASSWORD" "$bob:inbox" >"$work/stored" <<'PY'
import sys
import pika
port, user, password, queue = sys.argv[1:5]
conn = pika.BlockingConnection(pika.ConnectionParameters(
    host="127.0.0.1", port=int(port), credentials=pika.PlainCredentials(user, password)))
ch = conn.channel()
n = 0
while True:
    method, props, body = ch.basic_get(queue, auto_ack=False)
    if method is None:
        break
    n += 1
    # Everything the broker keeps of a message, as bytes.
    print(repr((method.exchange, method.routing_key, props.headers, props.message_id,
                props.timestamp, props.app_id, props.user_id, props.correlation_id)))
    print(body.hex())
    sys.stdout.buffer.write(body + b"\n")
print(f"stored: {n}")
conn.close()  # unacked: every message goes back to the queue
PY
grep -qx "stored: 21" "$work/stored" || { keep=1; tail -1 "$work/stored"; fail "not 21 messages in bob's inbox"; }
! grep -aq "note-0" "$work/stored" || { keep=1; fail "the text is stored in clear"; }
! grep -aq "$alice" "$work/stored" || { keep=1; fail "alice's name is stored in clear"; }
! grep -aq "$(printf '%s' "$alice" | xxd -p)" "$work/stored" || { keep=1; fail "alice's name is stored in clear"; }
grep -q "'chat-actors.inbox', '$bob'" "$work/stored" || { keep=1; fail "not routed to bob's inbox by his name"; }

echo "3. bob returns: 20 once, in order, as backlog; alice is told delivered"
start "$bob"
wait_for 30 bash -c "[ \$(jq -r 'select(.type == \"message\" and .chat == \"private:$alice\") | .text' '$work/$bob.out' | wc -l) -ge 20 ]" ||
  { keep=1; fail "bob did not get what waited for him"; }
sleep 1 # anything doubled would come now
[ "$(got | tr '\n' ' ')" = "$(seq 1 20 | tr '\n' ' ')" ] ||
  { keep=1; got | tr '\n' ' '; fail "bob did not get 1..20 once, in order"; }
[ "$(count "$bob" '.type == "message" and .chat == "private:'"$alice"'" and .backlog == true and .verified == true')" -eq 20 ] ||
  { keep=1; fail "the waiting messages were not marked backlog and verified"; }
[ "$(count "$bob" '.type == "message" and .chat == "private:'"$dan"'" and .text == "from a script"')" -eq 1 ] ||
  { keep=1; fail "bob did not get the one-shot send"; }
wait_for 20 bash -c "[ \$(jq -c 'select(.type == \"info\" and .chat == \"private:$bob\" and (.text | startswith(\"delivered: note-\")))' '$work/$alice.out' | wc -l) -ge 20 ]" ||
  { keep=1; fail "alice was not told delivered"; }

echo "4. bob is SIGKILLed; what alice sends meanwhile waits for him"
kill -KILL "${pid[$bob]}"; exec {fd[$bob]}>&-
sleep 4 # the dead session's name lease (3 s) runs out
for ((i = 21; i <= 30; i++)); do say "$alice" "$(printf '/msg %s note-%06d' "$bob" "$i")"; done
wait_for 30 bash -c "[ \$(jq -c 'select(.type == \"info\" and (.text | startswith(\"queued: $bob is away\")))' '$work/$alice.out' | wc -l) -ge 30 ]" ||
  { keep=1; fail "alice's messages to SIGKILLed bob were not queued"; }
start "$bob"
wait_for 30 bash -c "[ \$(jq -r 'select(.type == \"message\" and .chat == \"private:$alice\") | .text' '$work/$bob.out' | wc -l) -ge 30 ]" ||
  { keep=1; fail "bob did not get what waited after his SIGKILL"; }
sleep 1
[ "$(got | tr '\n' ' ')" = "$(seq 1 30 | tr '\n' ' ')" ] ||
  { keep=1; got | tr '\n' ' '; fail "bob did not get 1..30 once, in order, across the SIGKILL"; }

echo "5. carol's full inbox refuses, and says so"
quit "$carol"
for ((i = 1; i <= 6; i++)); do say "$alice" "/msg $carol full-$i"; done
wait_for 30 grep -q "$carol's inbox is full" "$work/$alice.out" ||
  { keep=1; grep -v '"discovery"' "$work/$alice.out" | tail -5; fail "no 'inbox is full' for carol"; }
[ "$(queued "$carol")" -eq 5 ] || { keep=1; fail "not 5 queued for carol"; }
grep "$carol's inbox is full" "$work/$alice.out" | grep -q "full-6" ||
  { keep=1; fail "the refused text is not in the line"; }

pass "inbox: 31 private messages kept sealed for bob while away, delivered once, in order; a full inbox says so"
