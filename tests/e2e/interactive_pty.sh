#!/usr/bin/env bash
# The interactive client in a real terminal (tmux): a message that arrives
# while the user types does not garble the typed line; accents, CJK and emoji
# typed arrive byte-exact (with the environment's locale C: the client falls
# back to C.UTF-8); a sent line shows once; /open of a group we are not in
# leaves the view as it was; the prompt is back after a command that prints
# nothing; Ctrl+C goes back to the lobby; Ctrl+C in the lobby asks, a second
# one leaves within 1 s and frees the name; the input history is per user name, mode 0600,
# merged with what an earlier session left, without private-chat lines.
source "$(dirname "$0")/lib.sh"
source "$CHAT_TEST_ENV"
use_tmux
rcli() { redis-cli -p "$CHAT_TEST_REDIS_PORT" "$@"; }
common=(--chat.server=127.0.0.1 --chat.redis-port="$CHAT_TEST_REDIS_PORT"
        --chat.amqp-port="$CHAT_TEST_AMQP_PORT")
alice=pty$RANDOM; bob=ptb$RANDOM
screen() { tmx capture-pane -p -t chat; }
shows() { screen | grep -q -- "$1"; }
last_line_is() { [[ "$(screen | grep -v "^$" | tail -1)" =~ $1 ]]; }

hist=$work/.local/state/chat-actors/history-$alice
mkdir -p "$(dirname "$hist")"
echo "/who from an earlier session" >"$hist"
chmod 644 "$hist"
tmx new-session -d -s chat -x 150 -y 50 \
  "NO_COLOR=1 LC_ALL=C HOME=$work $bin ${common[*]} --plain --chat.name=$alice; echo EXITED; sleep 30"
wait_for 10 shows "registered as $alice" || { screen; fail "client did not start"; }
tmx send-keys -t chat Up
wait_for 3 last_line_is '^\[lobby\] /who from an earlier session *$' || { screen; fail "history not recalled"; }
tmx send-keys -t chat C-u
wait_for 3 last_line_is '^\[lobby\] *$' || { screen; fail "recalled line not cleared"; }
tmx send-keys -t chat "/msg $bob" Enter
wait_for 5 shows "\[@$bob\]" || { screen; fail "no private view"; }
tmx send-keys -t chat "half typed line"
# bob (batch) sends while alice is typing.
mkfifo "$work/bob.in"
"$bin" "${common[@]}" --chat.name="$bob" --batch <"$work/bob.in" >"$work/bob.out" 2>&1 &
exec 3>"$work/bob.in"
wait_for 10 grep -q "registered as" "$work/bob.out" || fail "bob did not start"
echo "/msg $alice hello from bob" >&3
wait_for 5 shows "hello from bob" || { screen; fail "message not shown"; }
screen | grep -v "^$" | tail -n 1 | grep -q "\[@$bob\] half typed line" || { screen; fail "typed line garbled"; }
pass "incoming message shown above the prompt, typed line intact"
tmx send-keys -t chat Enter
wait_for 5 grep -q "half typed line" "$work/bob.out" || fail "bob did not get the typed line"
utf8='Olá, ça va? Ñandú — 日本語 🎉👍🏽 café'
tmx send-keys -t chat -l "$utf8"
tmx send-keys -t chat Enter
received() { grep -q -F " $alice: $utf8" "$work/bob.out"; }
wait_for 5 received || { screen; grep "$alice:" "$work/bob.out"; fail "UTF-8 line not received intact"; }
got=$(grep -F " $alice: $utf8" "$work/bob.out" | tail -1)
[ "${got#* "$alice": }" = "$utf8" ] || fail "UTF-8 line changed on the way: '${got#* "$alice": }'"
wait_for 3 shows "$alice │ $utf8" || { screen; fail "UTF-8 line not shown as sent"; }
pass "typed UTF-8 (accents, CJK, emoji) arrives byte-exact"
n=$(screen | grep -c "half typed line")
[ "$n" = 1 ] || { screen; fail "a sent line shows $n times"; }
pass "a sent line shows once, under my name ('alice │ …')"
tmx send-keys -t chat "/open nosuch$bob" Enter
wait_for 3 shows "not a member of group nosuch$bob" || { screen; fail "/open nosuch: no error"; }
wait_for 3 last_line_is "^\[@$bob\] *$" || { screen; fail "/open nosuch left the view"; }
tmx send-keys -t chat "still with bob" Enter
wait_for 5 grep -q "$alice: still with bob" "$work/bob.out" || { screen; fail "not in the view any more"; }
pass "/open of a group we are not in: one error, the view stays"
tmx send-keys -t chat "never sent"
wait_for 3 shows "never sent" || { screen; fail "typed text not shown"; }
reports=$(screen | grep -c "online:" || true)
reported() { [ "$(screen | grep -c "online:")" -gt "$reports" ]; }
tmx send-keys -t chat C-c
wait_for 3 last_line_is '^\[lobby\] *$' || { screen; fail "Ctrl+C: no empty lobby prompt (half-typed text kept?)"; }
pass "Ctrl+C in a view → lobby, the half-typed text dropped"
# The lobby's discovery round reports once; after that nothing else prints.
wait_for 6 reported || { screen; fail "no discovery report in the lobby"; }
tmx send-keys -t chat "/back" Enter
wait_for 3 shows '\[lobby\] /back' || { screen; fail "/back not shown"; }
wait_for 2 last_line_is '^\[lobby\] *$' || { screen; fail "no prompt after a command that prints nothing"; }
tmx send-keys -t chat "/groups"
wait_for 3 last_line_is '^\[lobby\] /groups *$' || { screen; fail "typed text not shown after the prompt"; }
n=$(screen | grep -c "\\[lobby\\] /groups")
[ "$n" = 1 ] || { screen; fail "the line being typed shows $n times"; }
pass "the prompt is back after a command that prints nothing, the next line shows once"
tmx send-keys -t chat Enter # runs the /groups typed above
reports=$(screen | grep -c "online:" || true)
tmx send-keys -t chat "/who" Enter
wait_for 6 reported || { screen; fail "/who shows no list"; }
sleep 7 # two more rounds (every 3 s), nobody joins or leaves
n=$(( $(screen | grep -c "online:") - reports ))
[ "$n" = 1 ] || { screen; fail "/who printed the same list $n times"; }
tmx send-keys -t chat "/back" Enter
wait_for 3 last_line_is '^\[lobby\] *$' || { screen; fail "/back from /who"; }
pass "/who shows the list once, then only who joined or left"
[ "$(rcli exists "$alice")" = 1 ] || fail "alice not registered"
tmx send-keys -t chat C-c
wait_for 3 shows "press Ctrl+C again within 2 s to quit" || { screen; fail "Ctrl+C in the lobby did not ask"; }
sleep 0.5
shows EXITED && { screen; fail "one Ctrl+C in the lobby quit without asking"; }
t0=$(now_ms)
tmx send-keys -t chat C-c
wait_for 3 shows EXITED || { screen; fail "a second Ctrl+C in the lobby did not exit"; }
elapsed=$(( $(now_ms) - t0 ))
[ "$elapsed" -le 1000 ] || fail "exit took $elapsed ms"
[ "$(rcli exists "$alice")" = 0 ] || fail "alice still registered after exit"
pass "Ctrl+C in the lobby asks; a second one exits in $elapsed ms and frees the name"
[ "$(stat -c %a "$hist")" = 600 ] || fail "history file mode $(stat -c %a "$hist")"
[ "$(head -1 "$hist")" = "/who from an earlier session" ] || { cat "$hist"; fail "history overwritten"; }
for line in "/msg $bob" "/open nosuch$bob" "/back"; do
  grep -qxF -- "$line" "$hist" || { cat "$hist"; fail "'$line' not in the history"; }
done
for line in "half typed line" "still with bob" "$utf8"; do
  grep -qF -- "$line" "$hist" && { cat "$hist"; fail "private line '$line' in the history"; }
done
[ ! -e "$work/.local/state/chat-actors/history" ] || fail "the shared history file was written"
pass "input history: per user, mode 0600, merged, no private-chat lines"
echo "/quit" >&3
