#!/bin/sh
# test_tui_log.sh — `vdeck --demo -v` with stderr on the terminal, as a user
# runs it: the -v lines (one "libvirt: connected to ..." per host, logged by
# the host workers) are not written over the console; the Log view lists
# them; q still exits cleanly.  Then the warnings vdeck gives at start,
# before the screen opens (a known_hosts file that does not exist, a
# descriptor limit too low for the hosts), are in the Log view too, not
# printed to the terminal and covered by the screen.
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/tui_lib.sh
tui_setup

TUI_STDERR=tty TUI_ENV="LANG=C.UTF-8" tui_start 140 40 --demo -v
check "cluster view is up" '8 hosts: 8 up'
# Every host has connected, and logged it, before it could be up; a line
# written to the terminal would sit in the blank rows under the table.
sleep 1
if screen | grep -Eq 'vdeck: info|connected to test:'; then
	bad "no log line over the cluster view" "$(screen)"
else
	ok "no log line over the cluster view"
fi
if screen | sed -n 1p | grep -q '^ vdeck  \[1 Cluster\]' && screen | sed -n 2p | grep -q '^  HOST'; then
	ok "title and table header intact"
else
	bad "title and table header intact" "$(screen)"
fi

keys 5
check "5 opens the Log view" '\[5 Log\]'
check "the Log view lists the -v lines" '^  [0-9:]{8} info +libvirt: connected to test:///'
n=$(screen | grep -c 'libvirt: connected to test:///')
if [ "$n" -eq 8 ]; then ok "one line per demo host"; else bad "one line per demo host ($n)" "$(screen)"; fi
if screen | grep -q 'vdeck: info'; then bad "no raw log line over the Log view" "$(screen)"; else ok "no raw log line over the Log view"; fi

keys q
if wait_file "$TMP/rc" 10 && [ "$(cat "$TMP/rc")" = 0 ]; then ok "q exits 0"; else bad "q exits 0" "$(screen)"; fi
tmux -L "$SOCK" kill-server 2>/dev/null

# Two SSH hosts on a port nothing listens on, their known_hosts missing,
# under a descriptor limit below what two hosts are given (fd_room: 88).
cat >"$TMP/cluster.lua" <<EOF
defaults { ssh = { port = 9, known_hosts = "$TMP/no-such-known_hosts" } }
host { name = "kh1", address = "127.0.0.1", transport = "ssh", libvirt = "test:///default" }
host { name = "kh2", address = "127.0.0.1", transport = "ssh", libvirt = "test:///default" }
EOF
printf '#!/bin/sh\nulimit -n 80 || exit 99\nexec %s "$@"\n' "$VDECK" >"$TMP/lowfd"
chmod +x "$TMP/lowfd"
real_vdeck=$VDECK VDECK=$TMP/lowfd
TUI_STDERR=tty TUI_ENV="LANG=C.UTF-8" tui_start 160 40 -c "$TMP/cluster.lua"
VDECK=$real_vdeck
check "the console is up on the SSH hosts" '2 hosts'
keys 5
check "5 opens the Log view" '\[5 Log\]'
check "the Log view lists the known_hosts warning" 'warn +known_hosts .*no-such-known_hosts does not exist'
check "the Log view lists the descriptor warning" 'warn +.*(descriptor|open files)'
if screen | grep -q '^vdeck: '; then bad "no start-up warning over the console" "$(screen)"; else ok "no start-up warning over the console"; fi
keys q
if wait_file "$TMP/rc" 10 && [ "$(cat "$TMP/rc")" = 0 ]; then ok "q exits 0 (SSH hosts down)"; else bad "q exits 0 (SSH hosts down)" "$(screen)"; fi
tui_summary
