#!/usr/bin/env bash
# The full-screen client as irssi and WeeChat users type at it (tmux, a
# real server node, bob --batch --json and carol --batch in a group):
# nothing quits by accident (/q is /query, text in the status window is no
# menu number, Ctrl+C keeps the session and the typed line); their commands
# and aliases, case-insensitive; /msg #group; no echo of commands into the
# shown window, own lines never unread, /names answers where it was asked;
# /leave, /part, /close, /window list|N|close; Home/End/PgUp/PgDn/F-keys with
# TERM=xterm-256color, screen-256color and rxvt-unicode-256color move the
# cursor or are ignored, never typed; a paste of several lines asks first;
# a failed send keeps its text in the input line, a long one is split at a
# character boundary; --json: /names carries "line"; a message held for a
# changed key goes out after /trust.
source "$(dirname "$0")/lib.sh"
source "$CHAT_TEST_ENV"
use_tmux
common=(--chat.server=127.0.0.1 --chat.redis-port="$CHAT_TEST_REDIS_PORT"
        --chat.amqp-port="$CHAT_TEST_AMQP_PORT")
alice=hba$RANDOM; bob=hbb$RANDOM; carol=hbc$RANDOM; room=hbroom$RANDOM
session=chat
screen() { tmx capture-pane -p -t "$session"; }
shows() { screen | grep -q -- "$1"; }
rows() { tmx display -p -t "$session" '#{pane_height}'; }
status_bar() { screen | sed -n "$(( $(rows) - 1 ))p"; }
input_line() { screen | sed -n "$(rows)p"; }
bar_has() { status_bar | grep -q -F -- "$1"; }
input_is() { [[ "$(input_line)" =~ ^$1\ *$ ]]; }
running() { ! shows EXITED; }
hex() { tmx send-keys -t "$session" -H $(printf '%s' "$1" | od -An -tx1); }

peer() { # peer NAME FD EXTRA-ARGS... (HOME: $PEER_HOME, else one per name)
  local name=$1 fd=$2; shift 2
  rm -f "$work/$name.in"; mkfifo "$work/$name.in"
  HOME=${PEER_HOME:-$work/$name} "$bin" "${common[@]}" --chat.name="$name" --batch "$@" \
    <"$work/$name.in" >>"$work/$name.out" 2>&1 &
  eval "exec $fd>\"$work/$name.in\""
  wait_for 10 grep -q "registered as" "$work/$name.out" || fail "$name did not start"
}
peer "$bob" 3 --json
BOB_PID=$!
peer "$carol" 4
echo "/join $room" >&4
wait_for 10 grep -q "joined $room" "$work/$carol.out" || fail "carol did not join"
bob_got() { jq -r --arg a "$alice" 'select(.type=="message" and .from==$a) | .text' "$work/$bob.out"; }

# start_alice TERM: alice's full screen at 100x30 with that TERM (anew
# for each part, so that each part tells on its own).
start_alice() {
  # A session of its own keeps the tmux server up between alice's.
  tmx has-session -t keep 2>/dev/null || tmx new-session -d -s keep "sleep 600"
  tmx kill-session -t "$session" 2>/dev/null || true
  rm -f "$work/$alice/.local/state/chat-actors/groups-$alice" # no group re-joined
  tmx new-session -d -s "$session" -x 100 -y 30 \
    "HOME=$work/$alice TERM=$1 $bin ${common[*]} --chat.name=$alice; echo EXITED; sleep 30"
  wait_for 10 shows "registered as $alice" || { screen; fail "client did not start ($1)"; }
  wait_for 3 input_is '\[lobby\]' || { screen; fail "no input line ($1)"; }
}
start_alice xterm-256color

# The lobby's one discovery round lists who is online: nobody "joined".
wait_for 8 shows "online:.*$bob" || { screen; fail "no discovery round in the lobby"; }
shows "joined:" && { screen; fail "the first discovery round says everyone joined"; }
pass "the lobby's first discovery round lists who is online, without 'joined:'"

# -- nothing quits by accident ---------------------------------------------
for text in "6 is my lucky number" "1 $bob" "2 apples and oranges"; do
  tmx send-keys -t chat -l "$text"
  tmx send-keys -t chat Enter
  wait_for 3 shows "not in a chat" || { screen; fail "'$text' in the status window: no 'not in a chat'"; }
  sleep 0.3
  running || { screen; fail "'$text' in the status window quit the client"; }
done
bar_has "@$bob" && { screen; fail "'1 $bob' opened a chat"; }
shows "usage: /join" && { screen; fail "'2 apples…' was taken as a menu choice"; }
pass "text in the status window is text: '6 is my lucky number' does not quit, '1 bob' opens nothing"
tmx send-keys -t chat "/q $bob" Enter
wait_for 5 bar_has "[2:@$bob]" || { screen; fail "/q did not open bob's window"; }
running || fail "/q quit the client"
pass "/q is /query: it opens a private window"

start_alice xterm-256color
tmx send-keys -t chat "/msg $bob" Enter
wait_for 5 bar_has ":@$bob]" || { screen; fail "/msg $bob did not open bob's window"; }

tmx send-keys -t chat -l "half typed"
tmx send-keys -t chat C-c
wait_for 3 shows "Ctrl+C does not quit" || { screen; fail "no hint on Ctrl+C"; }
input_is "\[@$bob\] half typed" || { screen; fail "Ctrl+C dropped the typed line"; }
tmx send-keys -t chat C-u C-c C-c C-c
sleep 0.5
running || { screen; fail "Ctrl+C quit the client"; }
input_is "\[@$bob\]" || { screen; fail "no input line after Ctrl+C"; }
pass "Ctrl+C keeps the typed line and the session (three presses on an empty line too)"

# -- commands ----------------------------------------------------------------
# with_windows: alice anew with window 2 bob's and window 3 the group's.
with_windows() {
  start_alice xterm-256color
  tmx send-keys -t chat "/msg $bob" Enter
  wait_for 5 bar_has "[2:@$bob]" || { screen; fail "/msg $bob"; }
  tmx send-keys -t chat "/join $room" Enter
  wait_for 10 bar_has "[3:#$room]" || { screen; fail "/join $room"; }
}
gone_from_bar() { ! status_bar | grep -q -F -- "$1"; }

with_windows
tmx send-keys -t chat "/LEAVE" Enter
wait_for 5 gone_from_bar "#$room]" || { screen; fail "/LEAVE (upper case, no argument) did not leave"; }
wait_for 3 shows "left $room" || { screen; fail "no 'left $room' after /LEAVE"; }
tmx send-keys -t chat "/join $room" Enter
wait_for 10 bar_has ":#$room]" || { screen; fail "/join again"; }
tmx send-keys -t chat "/part" Enter
wait_for 5 gone_from_bar "#$room]" || { screen; fail "/part without an argument did not leave"; }
pass "commands are case-insensitive; /LEAVE and /part without an argument leave the shown group"

with_windows
tmx send-keys -t chat "/msg #$room hello via msg" Enter
wait_for 5 grep -q "$alice: hello via msg" "$work/$carol.out" || { screen; fail "/msg #room did not post to the group"; }
pass "/msg #room posts to the group"

with_windows
tmx send-keys -t chat "/msg $bob a secret for bob" Enter
wait_for 5 bash -c "jq -r 'select(.type==\"message\") | .text' '$work/$bob.out' | grep -q 'a secret for bob'" ||
  { screen; fail "bob did not get /msg"; }
sleep 0.5
bar_has "2:@$bob(" && { screen; fail "own /msg counted as unread: $(status_bar)"; }
shows "/msg $bob a secret" && { screen; fail "the /msg command was echoed into the group's window"; }
pass "own /msg is not unread, and not echoed into the shown window"

with_windows
tmx send-keys -t chat M-2
wait_for 3 bar_has "[2:@$bob]" || { screen; fail "Alt+2"; }
tmx send-keys -t chat "/names $room" Enter
wait_for 8 shows "#$room online:.*$carol" || { screen; fail "/names $room did not answer in the window where it was asked"; }
pass "/names room answers in the shown window"

tmx send-keys -t chat "/help q" Enter
wait_for 3 shows "aliases: /q" || { screen; fail "/help q"; }
pass "/help COMMAND shows its usage and aliases"

with_windows
tmx send-keys -t chat "/window list" Enter
wait_for 3 shows "3: #$room" || { screen; fail "/window list"; }
tmx send-keys -t chat "/window 9" Enter
wait_for 3 shows "no window 9" || { screen; fail "/window 9 says nothing"; }
tmx send-keys -t chat "/window 0" Enter
wait_for 3 shows "no window 0" || { screen; fail "/window 0 says nothing"; }
pass "/window list lists, /window 9 and /window 0 say there is none"

with_windows
tmx send-keys -t chat "/who" Enter
wait_for 3 bar_has ":who]" || { screen; fail "/who"; }
tmx send-keys -t chat "/close" Enter
wait_for 3 gone_from_bar ":who" || { screen; fail "/close did not close the who window"; }
tmx send-keys -t chat "/insult" Enter
wait_for 3 bar_has ":insults]" || { screen; fail "/insult"; }
tmx send-keys -t chat "/window close" Enter
wait_for 3 gone_from_bar ":insults" || { screen; fail "/window close did not close the insults window"; }
tmx send-keys -t chat "/close @$bob" Enter
wait_for 3 gone_from_bar "@$bob" || { screen; fail "/close @bob"; }
pass "/close closes the who, insults and private windows; /window close too"

# -- failed sends keep the text; long ones are split -------------------------
start_alice xterm-256color
erin=hbe$RANDOM
tmx send-keys -t chat -l "/msg $erin are you there?"
tmx send-keys -t chat Enter
# erin never signed in: nothing can be kept for her either.
wait_for 10 shows "$erin has never signed in here" || { screen; fail "no 'never signed in'"; }
wait_for 3 input_is "\[lobby\] /msg $erin are you there\?" ||
  { screen; fail "the text sent to $erin is not back in the input line"; }
tmx send-keys -t chat C-u
pass "a send that fails ('never signed in here') puts its text back into the input line"
long=$(printf 'é%.0s' $(seq 1 2300)) # 4600 bytes, no space: split inside the limit
tmx set-buffer -b long "/msg $bob $long"
tmx paste-buffer -p -d -b long -t chat
sleep 0.5
tmx send-keys -t chat Enter
two_pieces() { [ "$(bob_got | grep -c '^é')" -ge 2 ]; }
wait_for 10 two_pieces || { screen; bob_got | cut -c1-40; fail "the long message did not arrive in two pieces"; }
[ "$(bob_got | grep '^é' | tail -2 | tr -d '\n')" = "$long" ] ||
  fail "the pieces do not give the long message back"
pass "a 4600-byte message goes out in two pieces, split on a character boundary"

# -- a paste of several lines asks first ---------------------------------------
start_alice xterm-256color
tmx send-keys -t chat "/msg $bob" Enter
wait_for 5 bar_has ":@$bob]" || { screen; fail "/msg $bob"; }
tmx set-buffer -b lines "$(printf 'paste one\npaste two\npaste three')"
tmx paste-buffer -p -b lines -t chat
wait_for 3 shows "send 3 pasted lines?" || { screen; fail "no question for a 3-line paste"; }
sleep 0.5
bob_got | grep -q "paste one" && fail "the pasted lines were sent before the answer"
tmx send-keys -t chat y
wait_for 5 bash -c "[ \"\$(jq -r --arg a $alice 'select(.type==\"message\" and .from==\$a) | .text' '$work/$bob.out' | grep -c '^paste ')\" = 3 ]" ||
  { screen; fail "y did not send the 3 lines"; }
[ "$(bob_got | grep '^paste ' | paste -sd,)" = "paste one,paste two,paste three" ] || fail "pasted lines out of order"
tmx paste-buffer -p -b lines -t chat
wait_for 3 shows "send 3 pasted lines?" || { screen; fail "no question for the second paste"; }
tmx send-keys -t chat n
wait_for 3 input_is "\[@$bob\] paste one paste two paste three" || { screen; fail "n did not put the paste into the input line"; }
tmx send-keys -t chat C-u
tmx paste-buffer -p -b lines -t chat
wait_for 3 shows "send 3 pasted lines?" || { screen; fail "no question for the third paste"; }
tmx send-keys -t chat Escape
wait_for 3 input_is "\[@$bob\] paste one paste two paste three" || { screen; fail "Escape did not put the paste into the input line"; }
tmx send-keys -t chat C-u
[ "$(bob_got | grep -c '^paste ')" = 3 ] || fail "n or Escape sent pasted lines"
pass "a 3-line paste asks 'send 3 pasted lines?': y sends them in order, n and Escape keep them in the input line"

# -- keys: nothing unknown is typed --------------------------------------------
# keys TERM: Home/End move, PgUp/PgDn/F-keys/Insert and sequences of other
# terminals are swallowed; the line that goes out is exactly what was typed.
keys() {
  local term=$1 want="AmidZ $1"
  tmx send-keys -t chat -l "mid"
  tmx send-keys -t chat Home; tmx send-keys -t chat -l "A"
  tmx send-keys -t chat End; tmx send-keys -t chat -l "Z"
  tmx send-keys -t chat PPage NPage F1 F5 F12 IC
  hex $'\e[1~'; hex $'\e[4~'                    # Home, End (screen, tmux)
  hex $'\e[7~'; hex $'\e[8~'                    # Home, End (rxvt)
  hex $'\eOH'; hex $'\eOF'; hex $'\e[H'; hex $'\e[F' # Home, End (xterm)
  hex $'\e[5~'; hex $'\e[6~'; hex $'\eOP'; hex $'\e[11~'; hex $'\e[24~'
  hex $'\e[2~'; hex $'\e[7^'; hex $'\e[[A'; hex $'\e[1;5P'
  tmx send-keys -t chat -l " $term"
  tmx send-keys -t chat Enter
  wait_for 5 bash -c "jq -r 'select(.type==\"message\") | .text' '$work/$bob.out' | grep -q -F -- ' $term'" ||
    { screen; fail "nothing arrived ($term)"; }
  local got; got=$(bob_got | grep -F -- " $term" | tail -1)
  [ "$got" = "$want" ] || { screen; fail "TERM=$term: '$want' typed, '$got' sent"; }
}
for term in xterm-256color screen-256color rxvt-unicode-256color; do
  start_alice "$term"
  tmx send-keys -t chat "/msg $bob" Enter
  wait_for 5 bar_has ":@$bob]" || { screen; fail "/msg $bob ($term)"; }
  keys "$term"
done
pass "Home/End/PgUp/PgDn/F-keys/Insert and other terminals' sequences: none typed (xterm, screen, rxvt TERMs)"

# -- --json: /names has a "line" ---------------------------------------------
echo "/join $room" >&3
wait_for 10 grep -q '"joined' "$work/$bob.out" || true
echo "/names $room" >&3
wait_for 10 bash -c "grep 'online:' '$work/$bob.out' | grep -q '\"line\":'" ||
  { grep "online" "$work/$bob.out"; fail "--json: /names has no \"line\""; }
pass "--json: the /names reply carries \"line\""

# -- what irssi and WeeChat users look for -------------------------------------
start_alice xterm-256color
tmx send-keys -t chat "/msg $bob" Enter
wait_for 5 bar_has "[2:@$bob]" || { screen; fail "/msg $bob"; }
tmx send-keys -t chat "plain words from me" Enter
wait_for 5 shows "$alice │ plain words from me" || { screen; fail "own line not under my own name"; }
tmx send-keys -t chat "/me waves" Enter
wait_for 5 shows "\* $alice waves" || { screen; fail "/me not shown as an action"; }
wait_for 5 bash -c "jq -r 'select(.type==\"message\") | .text' '$work/$bob.out' | grep -qx '/me waves'" ||
  fail "bob did not get '/me waves' as text"
pass "own lines under my name; /me waves shows '* alice waves' and travels as '/me waves'"
tmx send-keys -t chat "/lastlog PLAIN words" Enter
wait_for 3 shows 'lastlog "PLAIN words": 1 lines' || { screen; fail "/lastlog"; }
shows "^--   .*$alice │ plain words from me" || { screen; fail "/lastlog does not show the line"; }
tmx send-keys -t chat "/history" Enter
wait_for 5 shows "end of history" || { screen; fail "/history has no end marker"; }
tmx send-keys -t chat "/clear" Enter
wait_for 3 bash -c "! tmux -u -S '$sock' capture-pane -p -t chat | grep -q 'plain words from me'" ||
  { screen; fail "/clear left the window's lines"; }
pass "/history ends with a marker; /clear empties the window"
# At 60 columns the activity list is cut: the highlight comes first.
tmx send-keys -t chat "/join $room" Enter
wait_for 10 bar_has "[3:#$room]" || { screen; fail "/join $room"; }
tmx send-keys -t chat M-1
wait_for 3 bar_has "[1:status]" || { screen; fail "Alt+1"; }
tmx resize-window -t chat -x 60 -y 30
echo "/msg $alice unread one" >&3
wait_for 5 bar_has "2:@$bob(1)" || { screen; fail "bob's message not in the activity list"; }
echo "are you there, $alice?" >&4
wait_for 5 bar_has "(1!)" || { screen; fail "at 60 columns the highlight is cut from the activity list: $(status_bar)"; }
pass "at 60 columns the highlighted window comes first in the activity list ($(status_bar | grep -o '\[act:.*'))"
tmx resize-window -t chat -x 100 -y 30

# -- a message held for a changed key goes out after /trust --------------------
# alice pins bob's key; bob's account is forgotten on the server and bob comes
# back with another identity key (another HOME).
start_alice xterm-256color
tmx send-keys -t chat "/msg $bob before the change" Enter
wait_for 5 bash -c "jq -r 'select(.type==\"message\") | .text' '$work/$bob.out' | grep -q 'before the change'" ||
  { screen; fail "bob did not get 'before the change'"; }
echo "/quit" >&3
exec 3>&-
wait_for 10 bash -c "! kill -0 $BOB_PID 2>/dev/null" || fail "bob did not quit"
"$bin" server --chat.state-dir="$(dirname "$CHAT_TEST_ENV")/state" \
  --chat.amqp-port="$CHAT_TEST_AMQP_PORT" --chat.redis-port="$CHAT_TEST_REDIS_PORT" \
  --forget-user="$bob" >"$work/forget.log" 2>&1 || { cat "$work/forget.log"; fail "--forget-user $bob"; }
: >"$work/$bob.out"
PEER_HOME=$work/$bob-new peer "$bob" 3 --json
tmx send-keys -t chat "/msg $bob" Enter
wait_for 5 bar_has ":@$bob]" || { screen; fail "/msg $bob after the change"; }
tmx send-keys -t chat "kept for the new key" Enter
wait_for 10 shows "held: \"kept for the new key\"" || { screen; fail "the message for the changed key is not shown as held"; }
tmx send-keys -t chat "/whois $bob" Enter
# The key wraps at 100 columns: rows joined, runs of spaces squeezed.
whole_key() { screen | tr -d '\n' | tr -s ' ' | grep -E -q "$bob's identity key: ([0-9a-f]{4} ){15}[0-9a-f]{4}"; }
wait_for 5 whole_key ||
  { screen; fail "/whois does not show bob's whole key"; }
bob_got | grep -q "kept for the new key" && fail "sent before /trust"
tmx send-keys -t chat "/trust $bob" Enter
wait_for 10 bash -c "jq -r 'select(.type==\"message\") | .text' '$work/$bob.out' | grep -q 'kept for the new key'" ||
  { screen; fail "the held message was not sent after /trust"; }
pass "a message held for bob's changed key is shown as held and goes out after /trust $bob"

tmx send-keys -t chat "/quit" Enter
wait_for 5 shows EXITED || { screen; fail "/quit"; }
echo "/quit" >&3
echo "/quit" >&4
