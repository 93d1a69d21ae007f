# N hosts on one LAN, as network namespaces (sourced by e2e tests; needs
# root). Host i is "$LAB-h$i" with address $LAB_NET.i/24; the bridge lives
# in a namespace of its own, so the machine's interfaces are never involved
# (CLUSTER-NOTES.md §1). lab_down removes everything, killing what still runs
# inside.
#   lab_up NAME N        creates the hosts (NAME: a few letters, unique)
#   on I CMD...          runs CMD on host I
#   lab_ip I             host I's address
#   lab_cut I / lab_heal I   pulls / plugs host I's cable
#   lab_kill_host I      kill -9 of everything running on host I
#   lab_down

LAB=""; LAB_N=0; LAB_NET=""

lab_up() {
  LAB=$1; LAB_N=$2
  LAB_NET=10.$(( 100 + RANDOM % 100 )).$(( RANDOM % 250 ))
  ip netns add "$LAB-br"
  ip -n "$LAB-br" link add br0 type bridge
  ip -n "$LAB-br" link set br0 up
  local i
  for i in $(seq 1 "$LAB_N"); do
    ip netns add "$LAB-h$i"
    ip link add "$LAB-v$i" type veth peer name "$LAB-b$i"
    ip link set "$LAB-v$i" netns "$LAB-h$i"
    ip link set "$LAB-b$i" netns "$LAB-br"
    ip -n "$LAB-br" link set "$LAB-b$i" master br0
    ip -n "$LAB-br" link set "$LAB-b$i" up
    ip -n "$LAB-h$i" addr add "$LAB_NET.$i/24" dev "$LAB-v$i"
    ip -n "$LAB-h$i" link set lo up
    ip -n "$LAB-h$i" link set "$LAB-v$i" up
  done
}

on() { local i=$1; shift; ip netns exec "$LAB-h$i" "$@"; }
lab_ip() { echo "$LAB_NET.$1"; }
lab_cut() { ip -n "$LAB-br" link set "$LAB-b$1" down; }
lab_heal() { ip -n "$LAB-br" link set "$LAB-b$1" up; }

lab_kill_host() {
  ip netns pids "$LAB-h$1" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
}

lab_down() {
  [ -n "$LAB" ] || return 0
  local i
  for i in $(seq 1 "$LAB_N"); do lab_kill_host "$i"; done
  sleep 0.3
  for i in $(seq 1 "$LAB_N"); do ip netns del "$LAB-h$i" 2>/dev/null || true; done
  ip netns del "$LAB-br" 2>/dev/null || true
  LAB=""
}
