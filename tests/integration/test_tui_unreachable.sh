#!/bin/sh
# test_tui_unreachable.sh — the UI keeps answering keys while one host's
# libvirt URI points at a TCP server that accepts and never replies.
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/tui_lib.sh
tui_setup
if ! command -v python3 >/dev/null 2>&1; then
	skip "python3 is needed for the silent listener"; tui_summary; exit $?
fi

# A listener that accepts connections and never writes a byte.
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$TMP/port" &
LISTENER_PID=$!
wait_file "$TMP/port" 5 || { bad "listener started"; tui_summary; exit 1; }
port=$(cat "$TMP/port")

cat > "$TMP/cluster.lua" <<LUA
host { name = "good01", transport = "none", libvirt = "test:///default" }
host { name = "silent01", transport = "none", libvirt = "qemu+tcp://127.0.0.1:$port/system" }
LUA

tui_start 140 40 -c "$TMP/cluster.lua" --connect-timeout 30
check "the good host is up" 'good01 +up' 10
check "the silent host is listed and not up" 'silent01 +(connecting|down)' 5

# Keys answer within a fraction of a second while silent01 hangs.
slow=0
for step in '2:\[2 VMs\]' '1:\[1 Cluster\]' '?:Help: cluster' 'x:\[1 Cluster\]' '5:\[5 Log\]' '1:\[1 Cluster\]'; do
	k=${step%%:*} want=${step#*:}
	t0=$(date +%s%N)
	keys "$k"
	if wait_for "$want" 2; then
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		[ $ms -gt 700 ] && slow=$((slow + 1))
		echo "  key $k answered in ${ms} ms"
	else
		slow=$((slow + 10))
	fi
done
if [ $slow -eq 0 ]; then ok "every key answered in under 0.7 s"; else bad "keys answered promptly" "$(screen)"; fi
if screen | grep -Eq 'silent01 +(connecting|down)'; then ok "silent host still not up (it was really hanging)"; else bad "silent host state" "$(screen)"; fi

keys :
literal 'vms'
keys Enter
check ":vms shows the good host's VMs" 'good01' 3
keys q
if wait_file "$TMP/rc" 10 && [ "$(cat "$TMP/rc")" = 0 ]; then ok "q exits 0 with a host hanging"; else bad "q exits 0 with a host hanging" "rc=$(cat "$TMP/rc" 2>/dev/null)"; fi
tui_summary
