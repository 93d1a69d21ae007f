#!/usr/bin/env bash
# The Debian package, built and installed as an operator would:
#  1. CPack builds chat-actors_<version>_amd64.deb from this build tree; its
#     control fields, dependencies, files and conffiles are checked, and
#     cmake --install (staged) puts the same files in the same places.
#  2. dpkg installs it on a host of its own: mount, network and PID
#     namespaces, with /etc, /usr, /var and /run as overlays, so that nothing
#     reaches the machine's own files and only loopback exists. The postinst
#     creates the system user and /var/lib/chat-actors.
#  3. systemd-analyze verify passes on the installed unit; the man page
#     renders without a warning.
#  4. The server node starts as the unit would: its ExecStart, User=,
#     WorkingDirectory=, UMask= and LimitNOFILE=, with the hardening that
#     can break its children reproduced (NoNewPrivileges, no capabilities,
#     ProtectSystem=strict: everything read-only but the state dir,
#     ProtectHome, PrivateTmp). It gets ready, keeps its plaintext ports on
#     loopback, hands the administrator's command the join code, and a
#     client sends a group message through it; SIGTERM stops it and every
#     child within TimeoutStopSec.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for namespaces and dpkg"; exit 0; }
build=${CHAT_BUILD_DIR:?the build tree}
version=$("$bin" --version | awk '{print $2}')
work=$build/package-test
rm -rf "$work" && mkdir -p "$work"
start=$(date +%s)

# 1. The package.
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1 \
  || { tail -n 30 "$work/cpack.log"; fail "cpack failed"; }
deb=$work/chat-actors_${version}_amd64.deb
[ -f "$deb" ] || { ls "$work"; fail "no $deb"; }
pass "cpack: $(basename "$deb"), $(( $(stat -c %s "$deb") / 1024 )) KiB, in $(( $(date +%s) - start )) s"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = chat-actors ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version)"
[ "$(field Architecture)" = amd64 ] || fail "Architecture: $(field Architecture)"
depends=$(field Depends)
for dep in libcaf-core0.17 'libgrpc++1' librabbitmq4 libhiredis libsodium \
           redis-server rabbitmq-server stunnel4 adduser; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
pass "Depends: $depends"
dpkg-deb -c "$deb" | awk '{print $6}' >"$work/files"
for f in ./usr/bin/chat-actors ./etc/chat-actors/caf-application.conf \
         ./usr/lib/systemd/system/chat-actors.service ./usr/share/man/man1/chat-actors.1.gz; do
  grep -qx "$f" "$work/files" || fail "the package lacks $f"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/chat-actors/caf-application.conf \
  || fail "/etc/chat-actors/caf-application.conf is not a conffile"
pass "files: binary, configuration (a conffile), unit, man page"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/man/man1/chat-actors.1.gz >"$work/chat-actors.1.gz"
zcat "$work/chat-actors.1.gz" | groff -man -z -ww -Tutf8 2>"$work/groff.log" \
  && [ ! -s "$work/groff.log" ] || { cat "$work/groff.log"; fail "groff warns on chat-actors(1)"; }
man -P cat -l "$work/chat-actors.1.gz" 2>&1 | sed 's/.\x08//g' >"$work/man.txt" || true
grep -q "chat-actors - LAN chat client and server node" "$work/man.txt" \
  || { head -n 20 "$work/man.txt"; fail "man -l chat-actors.1.gz"; }
pass "chat-actors(1): groff without warnings, man shows it"
# cmake --install puts the same files in the same places (staged by DESTDIR).
DESTDIR=$work/destdir cmake --install "$build" >"$work/install.log" 2>&1 \
  || { tail -n 20 "$work/install.log"; fail "cmake --install"; }
for f in usr/bin/chat-actors etc/chat-actors/caf-application.conf \
         usr/lib/systemd/system/chat-actors.service usr/share/man/man1/chat-actors.1.gz; do
  [ -f "$work/destdir/$f" ] || fail "cmake --install did not install /$f"
done
cmp -s "$work/destdir/usr/lib/systemd/system/chat-actors.service" \
  <(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/chat-actors.service) \
  || fail "cmake --install and the package install different units"
pass "cmake --install (DESTDIR): binary, configuration, unit, man page, as the package"

# 2-4 run on a host of their own (the script below), which sees only this
# work dir of ours; its PID namespace ends every process it started.
cat >"$work/host.sh" <<'HOST'
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; }
wait_for() {
  local limit=$1; shift
  local deadline=$(( $(date +%s) + limit ))
  until "$@"; do [ "$(date +%s)" -lt "$deadline" ] || return 1; sleep 0.2; done
}
deb=$1 work=$2
ip link set lo up
mount -t tmpfs tmpfs "$work/ns"
for d in etc usr var; do
  mkdir -p "$work/ns/$d.up" "$work/ns/$d.work"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$work/ns/$d.up,workdir=$work/ns/$d.work" "/$d"
done
mount -t tmpfs tmpfs /run && mkdir -p /run/lock

# 2. Installed by dpkg, maintainer scripts and all.
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i failed"; }
[ "$(dpkg-query -W -f='${Status}' chat-actors)" = "install ok installed" ] || fail "not installed"
IFS=: read -r _ _ uid gid _ home shell < <(getent passwd chat-actors) || fail "no user chat-actors"
[ "$uid" -lt 1000 ] && [ "$shell" = /usr/sbin/nologin ] && [ "$home" = /var/lib/chat-actors ] \
  || fail "chat-actors: uid $uid, home $home, shell $shell (want a system user)"
[ "$(stat -c '%U %a' /var/lib/chat-actors)" = "chat-actors 700" ] \
  || fail "/var/lib/chat-actors: $(stat -c '%U %a' /var/lib/chat-actors)"
pass "dpkg -i: system user chat-actors (uid $uid), /var/lib/chat-actors 0700"

# 3. The unit and the man page, installed.
unit=/usr/lib/systemd/system/chat-actors.service
systemd-analyze verify "$unit" >"$work/verify.log" 2>&1 \
  || { cat "$work/verify.log"; fail "systemd-analyze verify"; }
[ ! -s "$work/verify.log" ] || { cat "$work/verify.log"; fail "systemd-analyze verify warns"; }
pass "systemd-analyze verify $unit: clean"

# 4. The server node as the unit starts it.
key() { sed -n "s/^$1=//p" "$unit"; }
exec_start=$(key ExecStart) user=$(key User) dir=$(key WorkingDirectory)
[ "$(key UMask)" = 0077 ] && [ "$(key NoNewPrivileges)" = yes ] \
  && [ "$(key ProtectSystem)" = strict ] && [ "$(key Restart)" = on-failure ] || fail "unit settings"
read -ra argv <<<"$exec_start"
[ "${argv[0]}" = /usr/bin/chat-actors ] || fail "ExecStart runs ${argv[0]}"
unprivileged=(setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs
              --bounding-set=-all --inh-caps=-all --)
env=(env -i HOME="$home" USER="$user" LOGNAME="$user" SHELL="$shell"
     PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
# ProtectSystem=strict, ProtectHome, PrivateTmp in a mount namespace of its
# own; the state dir stays writable.
harden='mount --bind /var/lib/chat-actors /var/lib/chat-actors
for m in $(awk "{print \$5}" /proc/self/mountinfo | sort -u); do
  case $m in /proc*|/sys*|/dev*|/var/lib/chat-actors) ;; *) mount -o remount,bind,ro "$m" 2>/dev/null || true ;; esac
done
for m in / /etc /usr /var; do
  findmnt -n -o OPTIONS --target "$m" | grep -q "^ro" || { echo "FAIL: $m still writable" >&2; exit 1; }
done
for m in /tmp /var/tmp /home /root; do [ ! -d "$m" ] || mount -t tmpfs -o mode=1777 tmpfs "$m"; done
ulimit -n 65536
umask 0077
cd "$0"
exec "$@"'
log=$work/server.log
: >"$log"
unshare --mount bash -c "$harden" "$dir" "${unprivileged[@]}" "${env[@]}" "${argv[@]}" \
  </dev/null >"$log" 2>&1 &
server=$!
t0=$(date +%s)
wait_for 150 grep -q '^ready:' "$log" || { tail -n 30 "$log"; fail "server node not ready"; }
pass "server node ready in $(( $(date +%s) - t0 )) s as $user: $(grep '^ready:' "$log")"
owner=$(ps -o uid= -p "$server" | tr -d ' ')
[ "$owner" = "$uid" ] || fail "the server node runs as uid $owner, not $user ($uid)"
for p in 5672 6379; do
  bound=$(ss -Hltn "sport = :$p" | awk '{print $4}' | sort -u | tr '\n' ' ')
  [ -n "$bound" ] || fail "nothing listens on $p"
  for a in $bound; do
    case $a in "127.0.0.1:$p"|"[::1]:$p") ;; *) fail "port $p bound to: $bound" ;; esac
  done
done
for p in 5671 6380; do
  ss -Hltn "sport = :$p" | grep -q . || fail "nothing listens on $p"
done
ss -Hlun "sport = :37020" | grep -q . || fail "no LAN locator on UDP 37020"
pass "plaintext 5672 and 6379 on loopback only; TLS 5671, 6380 and UDP 37020 listen"
[ "$(stat -c '%U %a' /var/lib/chat-actors/join-code)" = "$user 600" ] || fail "join-code file"
# The administrator's command from the man page.
code=$(runuser -u "$user" -- /usr/bin/chat-actors server --show-join-code \
         --config-file=/etc/chat-actors/caf-application.conf --chat.state-dir=/var/lib/chat-actors) \
  || fail "--show-join-code as $user"
grep -qF "join code: $code" "$log" || fail "--show-join-code differs from the code the node printed"
pass "server --show-join-code as $user: the node's join code"
mkdir -p "$work/client"
HOME=$work/client CHAT_JOIN_CODE=$code timeout 60 /usr/bin/chat-actors send \
  --chat.server=127.0.0.1 --chat.name=probe --group lobby "hello from the package" \
  >"$work/client.log" 2>&1 || { cat "$work/client.log"; fail "a client cannot send through it"; }
pass "a client sends a group message through it"
children=$(pgrep -P "$server" | tr '\n' ' ')
t0=$(date +%s)
kill -TERM "$server"
wait_for 90 bash -c "! kill -0 $server 2>/dev/null" || fail "SIGTERM: still running after 90 s"
wait "$server" && rc=0 || rc=$?
[ "$rc" = 0 ] || { tail -n 20 "$log"; fail "exit status $rc after SIGTERM"; }
sleep 1
left=$(ps -eo pid=,uid=,comm= | awk -v u="$uid" '$2 == u')
[ -z "$left" ] || fail "left behind after SIGTERM: $left"
pass "SIGTERM: exit 0 in $(( $(date +%s) - t0 )) s, no child left (children were: $children)"
HOST

mkdir -p "$work/ns"
unshare --mount --net --pid --fork --mount-proc --propagation private \
  bash "$work/host.sh" "$deb" "$work" || fail "the package host"
pass "e2e.package in $(( $(date +%s) - start )) s"
