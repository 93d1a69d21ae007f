#!/usr/bin/env bash
# The interactive client on a terminal that stops taking output (Ctrl+S,
# XOFF: the terminal driver stops output, as a stalled link would): a flood
# of private messages meanwhile costs dropped lines, never the keys, so
# /quit typed on it is served within a second; after Ctrl+Q the client says
# how many lines it dropped. Both interactive front ends: the line editor
# (--plain) and the full screen (curses writes through a pipe that a thread
# of its own copies to the terminal, dropping what a stalled one does not
# take).
source "$(dirname "$0")/lib.sh"
source "$CHAT_TEST_ENV"
use_tmux
common=(--chat.server=127.0.0.1 --chat.redis-port="$CHAT_TEST_REDIS_PORT"
        --chat.amqp-port="$CHAT_TEST_AMQP_PORT")
screen() { tmx capture-pane -p -t chat; }
running() { pgrep -f -- "--chat.name=$user\$" >/dev/null; }

for mode in --plain --no-color; do
user=stl$RANDOM; flooder=flo$RANDOM
tmx kill-session -t chat 2>/dev/null || true
tmx new-session -d -s chat -x 120 -y 40 \
  "NO_COLOR=1 HOME=$work $bin ${common[*]} $mode --chat.name=$user; echo EXITED; sleep 30"
wait_for 10 bash -c "tmux -S '$sock' capture-pane -p -t chat | grep -q 'registered as'" ||
  { screen; fail "the client did not start"; }

# Full screen: the flood is drawn as it comes (its window is shown; the line
# mode prints every message anyway).
if [ "$mode" != --plain ]; then
  tmx send-keys -t chat "/msg $flooder" Enter
  wait_for 5 bash -c "tmux -S '$sock' capture-pane -p -t chat | grep -q '@$flooder'" ||
    { screen; fail "$mode: no window for the flooder"; }
fi

# Output stops; 300 messages of ~100 bytes arrive (more than the terminal
# buffers take).
tmx send-keys -t chat C-s
for i in $(seq 1 300); do
  echo "/msg $user flood line $i, padded so that the terminal fills up quickly ........"
done | HOME=$work "$bin" --batch "${common[@]}" --chat.name="$flooder" >"$work/flooder.out" 2>&1 ||
  fail "the flood could not be sent: $(tail -n 3 "$work/flooder.out")"
running || fail "the client died under the flood"

# The keys still work: Ctrl+Q first would hide the bug, so /quit comes
# while output is still stopped.
t0=$(now_ms)
tmx send-keys -t chat "/quit" Enter
wait_for 5 bash -c "! pgrep -f -- '--chat.name=$user\$' >/dev/null" ||
  { tmx send-keys -t chat C-q; screen; fail "/quit was not served while output was stopped"; }
elapsed=$(( $(now_ms) - t0 ))
[ "$elapsed" -le 1000 ] || fail "/quit took $elapsed ms while output was stopped"
tmx send-keys -t chat C-q
wait_for 5 bash -c "tmux -S '$sock' capture-pane -p -t chat | grep -q EXITED" ||
  { screen; fail "no EXITED after Ctrl+Q"; }
pass "$mode: /quit served in $elapsed ms while the terminal took no output (300 messages arrived)"
done
