#!/bin/sh
# test_tui.sh — drives the real TUI in tmux on --demo: the cluster view,
# a host's NUMA map, the VM view with filter and sort, help, the
# too-small message, the command line, the bench hook and a clean quit.
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/tui_lib.sh
tui_setup

TUI_ENV="VDECK_BENCH_FRAMES=$TMP/frames LANG=C.UTF-8" tui_start 160 48 --demo

# Cluster view: every demo host, once each has been polled.
check "cluster view lists cna01" 'cna01 +up'
for i in 2 3 4 5 6 7 8; do
	screen | grep -q "cna0$i " || { wait_for "cna0$i " 5; }
done
if screen | grep -q 'cna08 '; then ok "cluster view lists cna01..cna08"; else bad "cna01..cna08" "$(screen)"; fi
check "all hosts up" '8 hosts: 8 up'
check "UTF-8 locale draws the sort arrow" 'HOST▲'

# Help overlay, closed by any key.
keys '?'
check "? shows the help overlay" 'Help: cluster view'
check "help lists the view's keys" 'drill down'
keys x
check_not "any key closes help" 'Help: cluster view'

# Enter on the first host: the Host view with its NUMA nodes.
keys g Enter
check "Enter opens the host view" '^cna01 +up'
check "host view shows NUMA node 0" 'node 0'
if screen | grep -q 'NUMA map: [2-9] nodes'; then
	check "host view shows NUMA node 1 side by side" 'node 0.*node 1'
fi
check "NUMA nodes show CPU lists" 'CPUs [0-9]'
check "NUMA nodes show memory" 'free .* of '
check "host view lists the host's VMs" 'VMs on this host: [0-9]+'
keys Escape
check "Esc goes back to the cluster view" '\[1 Cluster\]'

# :vms with a filter.
keys :
literal 'vms'
keys Enter
check "VM view shows all 120 VMs" '[0-9]+/120( |$)'
all=$(screen | grep -cE '^  [a-z]+-[0-9]+ ')
keys /
literal '^web'
keys Enter
if wait_for ' 1/([1-9]|[1-9][0-9])( |$)' 5; then
	n=$(table_total)
	others=$(screen | sed -n '3,46p' | grep -E '^  [a-z]+-[0-9]+ ' | grep -vc '^  web-')
	if [ "$n" -lt 120 ] && [ "$others" -eq 0 ]; then ok "/^web narrows to web VMs ($n rows)"; else bad "/^web narrows" "$(screen)"; fi
else
	bad "/^web narrows the rows" "$(screen)"
fi
# Inverted filter.
keys /
keys C-u
literal '!^web'
keys Enter
if wait_for ' 1/1[01][0-9]( |$)' 5 && ! screen | sed -n '3,46p' | grep -q '^  web-'; then
	ok "! inverts the filter"
else
	bad "! inverts the filter" "$(screen)"
fi
keys /
keys C-u Enter
check "an empty filter shows all rows again" '[0-9]+/120( |$)'

# Sort: s moves to the next column (HOST), S reverses it.
first_before=$(screen | sed -n 3p)
keys s
check "s sorts by the next column" 'HOST▲'
keys S
check "S reverses the order" 'HOST▼'
keys g
wait_for '^  \S+ +cna08' 3
first_after=$(screen | sed -n 3p | awk '{print $2}')
if [ "$first_after" = "cna08" ]; then ok "reverse host order puts cna08 first"; else bad "reverse order" "$(screen | head -5)"; fi
[ "$first_before" != "$(screen | sed -n 3p)" ] && ok "sorting changed the first row" || bad "sorting changed the first row"

# Enter on a VM shows its details.
keys Enter
check "Enter on a VM shows its disks" '^Disks: [0-9]+'
check "VM detail shows NICs and pins" 'vCPU pins:'
keys Escape

# Command-line completion of a host name: ":host cna0" Tab Tab.
keys :
literal 'host cna0'
keys Tab
check "Tab lists host completions" 'cna01 cna02'
literal '3'
keys Enter
check ":host NAME opens that host" '^cna03 +up'

# Unknown commands are reported, not fatal.
keys :
literal 'frobnicate'
keys Enter
check "unknown command is reported" "unknown command 'frobnicate'"

# Views by Tab.
keys Escape 1 Tab
check "Tab cycles to the VMs view" '\[2 VMs\]'
keys Tab Tab
check "Tab reaches the Jobs view" '\[4 Jobs\]'
keys Tab
check "Tab reaches the Log view" '\[5 Log\]'
keys 3
check "3 opens the Runbooks view" '\[3 Runbooks\]'

# Too small, then back.
tmux -L "$SOCK" resize-window -x 70 -y 20 2>/dev/null || tmux -L "$SOCK" resize-pane -x 70 -y 20
check "70x20 shows the too-small message" 'Terminal too small'
check "the message names the minimum" 'at least 80x24'
tmux -L "$SOCK" resize-window -x 160 -y 48 2>/dev/null
check "back to 160x48 redraws the views" '\[3 Runbooks\]'

# Bench hook.
if wait_file "$TMP/frames" 2 && grep -Eq '^[0-9]+ [0-9.]+ [a-z]+ [0-9]+' "$TMP/frames"; then
	ok "VDECK_BENCH_FRAMES gets one line per frame"
else
	bad "bench frames file" "$(head -3 "$TMP/frames" 2>/dev/null)"
fi
if grep -q 'first_full_frame' "$TMP/frames" && [ "$(grep -c first_full_frame "$TMP/frames")" -eq 1 ]; then
	ok "exactly one frame is marked first_full_frame"
else
	bad "first_full_frame marker"
fi

# q quits with status 0 and a restored terminal.
keys q
if wait_file "$TMP/rc" 5 && [ "$(cat "$TMP/rc")" = 0 ]; then ok "q exits with status 0"; else bad "q exits 0" "rc=$(cat "$TMP/rc" 2>/dev/null)"; fi
if grep -q ' icanon' "$TMP/stty" && grep -q ' echo ' "$TMP/stty"; then
	ok "terminal modes restored (icanon, echo)"
else
	bad "terminal modes restored" "$(cat "$TMP/stty")"
fi
check_not "the alternate screen is gone after quitting" '\[3 Runbooks\]' 3

# SIGTERM also restores the terminal.
tmux -L "$SOCK" kill-server 2>/dev/null
SOCK=$SOCK-2
tui_start 100 30 --demo=2x4
check "second run starts" 'cna02'
pid=$(pgrep -n -f "$VDECK --demo=2x4")
[ -n "$pid" ] && kill -TERM "$pid"
if wait_file "$TMP/rc" 5 && [ "$(cat "$TMP/rc")" = 143 ]; then ok "SIGTERM exits 143"; else bad "SIGTERM exit" "rc=$(cat "$TMP/rc" 2>/dev/null)"; fi
if grep -q ' icanon' "$TMP/stty"; then ok "SIGTERM restores the terminal"; else bad "SIGTERM restores the terminal"; fi

tui_summary
