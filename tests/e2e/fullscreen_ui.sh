#!/usr/bin/env bash
# The full-screen client (the interactive default) in a real terminal
# (tmux; its status bar coloured by --chat.theme.*) with a real server node
# and two peers (bob: --batch --json, carol: --batch in a group): UTF-8
# typed in several scripts arrives byte-exact; one window per chat,
# switched with Alt+N, Ctrl+N/P and /window N; messages of other chats
# never spill into the shown window and are counted
# in the activity list; a mention highlights its window and rings the bell;
# the read marker; Tab completes a command, a user and a group; PgUp/PgDn
# scroll back; /names; at 40 columns long lines wrap under their text
# column; the input line (prompt) is there after every command; per-chat
# logs (chat.log-dir, mode 0600); after a restart the group is joined again,
# its window is back with what was said meanwhile (counted as unread) and
# /open works; join/leave notices of a peer land in the group's window;
# Ctrl+Z stops it (the shell gets the terminal) and fg draws it all again.
source "$(dirname "$0")/lib.sh"
source "$CHAT_TEST_ENV"
use_tmux
common=(--chat.server=127.0.0.1 --chat.redis-port="$CHAT_TEST_REDIS_PORT"
        --chat.amqp-port="$CHAT_TEST_AMQP_PORT")
alice=fsa$RANDOM; bob=fsb$RANDOM; carol=fsc$RANDOM; room=fsroom$RANDOM
screen() { tmx capture-pane -p -t chat; }
shows() { screen | grep -q -- "$1"; }
rows() { tmx display -p -t chat '#{pane_height}'; }
status_bar() { screen | sed -n "$(( $(rows) - 1 ))p"; }
input_line() { screen | sed -n "$(rows)p"; }
bar_has() { status_bar | grep -q -F -- "$1"; }
input_is() { [[ "$(input_line)" =~ ^$1\ *$ ]]; }
bells() { tr -cd '\a' <"$work/pty.bytes" | wc -c; }

# Each peer reads its commands from a FIFO kept open by this shell.
peer() { # peer NAME FD EXTRA-ARGS...
  local name=$1 fd=$2; shift 2
  mkfifo "$work/$name.in"
  HOME=$work "$bin" "${common[@]}" --chat.name="$name" --batch "$@" \
    <"$work/$name.in" >"$work/$name.out" 2>&1 &
  eval "exec $fd>\"$work/$name.in\""
  wait_for 10 grep -q "registered as" "$work/$name.out" || fail "$name did not start"
}
peer "$bob" 3 --json
peer "$carol" 4
echo "/join $room" >&4
wait_for 10 grep -q "joined $room" "$work/$carol.out" || fail "carol did not join"

tmx new-session -d -s chat -x 100 -y 30 \
  "HOME=$work TERM=screen-256color $bin ${common[*]} --chat.name=$alice --chat.log-dir=$work/logs --chat.theme.status-bg=blue --chat.theme.status-fg=white; echo EXITED; sleep 30"
tmx pipe-pane -t chat -o "cat >>'$work/pty.bytes'"
wait_for 10 shows "registered as $alice" || { screen; fail "client did not start"; }
wait_for 3 bar_has "[$alice@127.0.0.1]" || { screen; fail "no status bar"; }
wait_for 3 input_is '\[lobby\]' || { screen; fail "no input line"; }
pass "full screen by default: status window, status bar, input line"
# The theme paints the status bar white on blue (instead of reverse video).
tmx capture-pane -p -e -t chat | grep -q -F "44m[$alice@127.0.0.1]" ||
  { tmx capture-pane -p -e -t chat | tail -n 3 | cat -v; fail "the status bar is not blue (chat.theme)"; }
pass "[chat.theme] colours the status bar"

# Window 2: bob. UTF-8 in several scripts arrives byte-exact.
tmx send-keys -t chat "/msg $bob" Enter
wait_for 5 bar_has "[2:@$bob]" || { screen; fail "no window for bob"; }
utf8='Olá, ça va? Ñandú — 日本語 한국어 Привет Γειά σου שלום 🎉👍🏽 café'
tmx send-keys -t chat -l "$utf8"
tmx send-keys -t chat Enter
got() { jq -r --arg a "$alice" 'select(.type=="message" and .from==$a) | .text' "$work/$bob.out"; }
wait_for 5 bash -c "grep -q '\"from\":\"$alice\"' '$work/$bob.out'" || { screen; fail "bob got nothing"; }
[ "$(got | tail -1)" = "$utf8" ] || fail "UTF-8 changed on the way: '$(got | tail -1)'"
wait_for 3 shows "$alice │ $utf8" || { screen; fail "UTF-8 line not shown"; }
wait_for 3 input_is "\[@$bob\]" || { screen; fail "no prompt after sending"; }
pass "typed UTF-8 (Latin, CJK, Hangul, Cyrillic, Greek, Hebrew, emoji) arrives byte-exact"

# Window 3: the group. Then the status window (Alt+1) while bob and carol
# write: nothing spills over, the activity list counts, a mention rings.
tmx send-keys -t chat "/join $room" Enter
wait_for 10 bar_has "[3:#$room]" || { screen; fail "no window for the group"; }
# bob joins and leaves: notices in the group's window, without a discovery
# round.
echo "/join $room" >&3
wait_for 5 shows "\* $bob joined #$room" || { screen; fail "no join notice in the group window"; }
echo "/leave $room" >&3
wait_for 5 shows "\* $bob left #$room" || { screen; fail "no leave notice in the group window"; }
pass "bob's join and leave are notices in the group's window"
tmx send-keys -t chat M-1
wait_for 3 bar_has "[1:status]" || { screen; fail "Alt+1 did not show the status window"; }
[ "$(bells)" = 0 ] || fail "the bell rang before any highlight"
echo "/msg $alice first from bob" >&3
echo "/msg $alice second from bob" >&3
wait_for 5 bar_has "2:@$bob(2)" || { screen; fail "activity list does not count bob's 2"; }
echo "hello $alice, are you there?" >&4
wait_for 5 bar_has "3:#$room(1!)" || { screen; fail "group mention not in the activity list"; }
wait_for 3 bash -c "[ \$(tr -cd '\a' <'$work/pty.bytes' | wc -c) -ge 1 ]" || fail "no bell on the highlight"
shows "first from bob" && { screen; fail "bob's message spilled into the status window"; }
pass "activity list counts ($(status_bar | grep -o '\[act:.*\]')), a mention rings the bell, nothing spills"
tmx send-keys -t chat M-2
wait_for 3 shows "second from bob" || { screen; fail "Alt+2: bob's messages not shown"; }
bar_has "2:@$bob(" && { screen; fail "bob's window still in the activity list"; }
tmx send-keys -t chat C-n
wait_for 3 bar_has "[3:#$room]" || { screen; fail "Ctrl+N"; }
wait_for 3 shows "$carol │ hello $alice" || { screen; fail "the group line not shown"; }
tmx send-keys -t chat C-p
wait_for 3 bar_has "[2:@$bob]" || { screen; fail "Ctrl+P"; }
echo "after the marker" >&4
wait_for 5 bar_has "3:#$room(1)" || { screen; fail "no activity for the group"; }
tmx send-keys -t chat "/window 3" Enter
wait_for 3 bar_has "[3:#$room]" || { screen; fail "/window 3"; }
wait_for 3 shows "after the marker" || { screen; fail "new group line not shown"; }
# The marker: a dashed line between what I saw and what came after.
screen | awk -v hello="hello $alice" '
  index($0, hello) { seen = 1 } /^-----/ && seen { marker = 1 }
  /after the marker/ { ok = marker } END { exit !ok }' ||
  { screen; fail "no read marker between the seen and the new line"; }
pass "Alt+N, Ctrl+N/P and /window N switch windows; the read marker shows where I left"

# Tab completion: a command, a user ("nick: "), a group.
tmx send-keys -t chat "/wi" Tab
wait_for 3 input_is "\[#$room\] /window" || { screen; fail "Tab did not complete /window"; }
tmx send-keys -t chat C-u "${carol:0:4}" Tab
wait_for 3 input_is "\[#$room\] $carol:" || { screen; fail "Tab did not complete the user"; }
tmx send-keys -t chat C-u "/open #${room:0:6}" Tab
wait_for 3 input_is "\[#$room\] /open #$room" || { screen; fail "Tab did not complete the group"; }
tmx send-keys -t chat C-u
pass "Tab completes a command, a user (nick: ) and a group"

# /names: who in the group is online (one discovery round, ≤ 3 s).
tmx send-keys -t chat "/names" Enter
wait_for 8 shows "#$room online:.*$carol" || { screen; fail "/names does not list carol"; }
pass "/names lists the group's online members"

# Scrollback: 60 lines from bob, PgUp brings the first back.
tmx send-keys -t chat M-2
wait_for 3 bar_has "[2:@$bob]" || { screen; fail "Alt+2"; }
for i in $(seq 1 60); do echo "/msg $alice scroll line $i"; done >&3
wait_for 10 shows "scroll line 60$" || { screen; fail "the 60 lines did not arrive"; }
shows "scroll line 5$" && { screen; fail "line 5 visible without scrolling"; }
for _ in 1 2 3 4 5; do tmx send-keys -t chat PPage; done
wait_for 3 shows "scroll line 5$" || { screen; fail "PgUp did not scroll back to line 5"; }
bar_has "(scrolled)" || { screen; fail "the status bar does not say scrolled"; }
for _ in 1 2 3 4 5 6; do tmx send-keys -t chat NPage; done
wait_for 3 shows "scroll line 60$" || { screen; fail "PgDn did not come back"; }
pass "PgUp/PgDn scroll the window's history"

# 40 columns: long lines wrap at words under the text column.
tmx resize-window -t chat -x 40 -y 30
echo "/msg $alice this is a rather long line that has to wrap at forty columns nicely" >&3
wait_for 5 shows "nicely" || { screen; fail "long line not shown at 40 columns"; }
# The text starts after "HH:MM <name> │ ": continuation rows start there.
indent=$(( ${#bob} + 9 ))
screen | grep -E -q "^ {$indent}(line|that|has|to|wrap|at|forty|columns|nicely)" ||
  { screen; fail "continuation rows not indented under the text ($indent columns)"; }
# Nothing of it is cut off: its rows, joined, give the text back.
long="this is a rather long line that has to wrap at forty columns nicely"
joined=$(screen | sed -n "/│ this is a/,/nicely/p" | sed -e 's/^.*│ //' -e 's/^ *//' | paste -sd' ')
[ "$joined" = "$long" ] || { screen; fail "wrapped text differs: '$joined'"; }
wait_for 3 input_is "\[@$bob\]" || { screen; fail "no input line at 40 columns"; }
bar_has "[2:@$bob]" || { screen; fail "no status bar at 40 columns"; }
tmx send-keys -t chat "/help" Enter
wait_for 3 shows "/quit, /exit" || { screen; fail "/help at 40 columns"; }
pass "at 40 columns lines wrap under their text column; /help, status bar and input line stay"

# The input line (prompt) is there after every command.
for c in "/back" "/groups" "/history" "/open nosuch$alice" "/insult" "/insult you fool" \
         "/back" "/who" "/back" "/window 1" "/window 9" "/help"; do
  tmx send-keys -t chat "$c" Enter
  sleep 0.3
  wait_for 3 input_is '\[(lobby|@[a-z0-9]+|#[a-z0-9]+|who|insults)\]' ||
    { screen; fail "no prompt after $c"; }
done
pass "the prompt is on the input line after every command"

tmx send-keys -t chat "/quit" Enter
wait_for 5 shows EXITED || { screen; fail "/quit did not exit"; }
pass "/quit leaves the full screen"
# Said while alice is away: it waits for her.
echo "said while you were away" >&4

log=$(ls "$work/logs/group-$room-"*.log 2>/dev/null | head -1)
[ -n "$log" ] || { ls -la "$work/logs"; fail "no log file for the group"; }
grep -q " $carol: hello $alice, are you there?$" "$log" || { cat "$log"; fail "group line not logged"; }
[ "$(stat -c %a "$log")" = 600 ] || fail "log file mode $(stat -c %a "$log")"
grep -qF " you: $utf8" "$work/logs/private-$bob-"*.log || fail "own private line not logged"
pass "per-chat logs: one file per chat and day, mode 0600, own lines too"

# The next start joins the group again: /open works, new lines arrive.
groups=$work/.local/state/chat-actors/groups-$alice
[ "$(cat "$groups")" = "$room" ] || { cat "$groups"; fail "groups file"; }
[ "$(stat -c %a "$groups")" = 600 ] || fail "groups file mode $(stat -c %a "$groups")"
# This time from an interactive shell, for job control (Ctrl+Z, fg).
tmx new-session -d -s again -x 100 -y 30 "env PS1='shell\$ ' bash --norc --noprofile -i"
tmx send-keys -t again "HOME=$work TERM=screen-256color $bin ${common[*]} --chat.name=$alice; echo EX''ITED" Enter
again() { tmx capture-pane -p -t again; }
wait_for 15 bash -c "tmux -u -S '$sock' capture-pane -p -t again | grep -q 're-joined $room'" ||
  { again; fail "the group was not joined again"; }
# The group's window is back, with what was said while alice was away,
# counted in the activity list.
again_bar() { tmux -u -S "$sock" capture-pane -p -t again | sed -n 29p | grep -q -F -- "$1"; }
wait_for 10 again_bar "2:#$room(1" || { again; fail "the group's window is not back with 1 unread"; }
next_is_room() { tmx send-keys -t again C-n; sleep 0.2; again_bar "[2:#$room]"; }
wait_for 10 next_is_room || { again; fail "no window 2 for the group after the restart"; }
wait_for 3 bash -c "tmux -u -S '$sock' capture-pane -p -t again | grep -q 'while you were away: 1 message'" ||
  { again; fail "no 'while you were away' line"; }
wait_for 3 bash -c "tmux -u -S '$sock' capture-pane -p -t again | grep -q '$carol │ said while you were away'" ||
  { again; fail "what was said while alice was away did not arrive"; }
pass "after a restart the group's window is back with what was said meanwhile"
# bob joins: the notice shows in the group's window.
echo "/join $room" >&3
wait_for 10 bash -c "tmux -u -S '$sock' capture-pane -p -t again | grep -q '\* $bob joined #$room'" ||
  { again; fail "the join notice is not in the group's window"; }
tmx send-keys -t again M-1
wait_for 3 again_bar "[1:status]" || { again; fail "Alt+1"; }
tmx send-keys -t again "/open $room" Enter
wait_for 5 bash -c "tmux -u -S '$sock' capture-pane -p -t again | grep -q '\[2:#$room\]'" ||
  { again; fail "/open after a restart"; }
echo "welcome back" >&4
wait_for 5 bash -c "tmux -u -S '$sock' capture-pane -p -t again | grep -q '$carol │ welcome back'" ||
  { again; fail "a new group line did not arrive after the restart"; }
pass "after a restart the group is joined again and /open works"

# Ctrl+Z gives the terminal back to the shell (the job is stopped); fg
# draws the whole screen again and typing still reaches the group.
again_shows() { tmux -u -S "$sock" capture-pane -p -t again | grep -q -- "$1"; }
tmx send-keys -t again C-z
wait_for 5 again_shows "Stopped" || { again; fail "Ctrl+Z did not stop the client"; }
wait_for 3 bash -c "tmux -u -S '$sock' capture-pane -p -t again | grep -q -F 'shell\$'" ||
  { again; fail "no shell prompt after Ctrl+Z"; }
again_bar "[$alice@127.0.0.1]" && { again; fail "the status bar is still on the screen after Ctrl+Z"; }
tmx send-keys -t again "fg" Enter
wait_for 5 again_bar "[2:#$room]" || { again; fail "fg did not draw the status bar again"; }
wait_for 3 again_shows "$carol │ welcome back" || { again; fail "fg did not draw the window again"; }
again_shows "Stopped" && { again; fail "the shell's lines were not drawn over after fg"; }
tmx send-keys -t again "back from the background" Enter
wait_for 5 grep -q "$alice: back from the background" "$work/$carol.out" ||
  { again; tail -n 5 "$work/$carol.out"; fail "a line typed after fg did not reach carol"; }
tmx send-keys -t again "/quit" Enter
wait_for 5 again_shows EXITED || { again; fail "/quit after fg"; }
pass "Ctrl+Z stops the client and gives the shell the terminal; fg redraws, typing still works"
echo "/quit" >&3
echo "/quit" >&4
