#!/bin/sh
# test_tui_log.sh — `vdeck --demo -v` with stderr on the terminal, as a user
# runs it: the -v lines (one "libvirt: connected to ..." per host, logged by
# the host workers) are not written over the console; the Log view lists
# them; q still exits cleanly.
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
tui_summary
