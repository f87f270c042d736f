#!/bin/sh
# test_tui_switch.sh — the Switches view (8) on 8 test-driver hosts: one
# row per switch and host with its state and drifted fields; Enter shows
# the portgroups against the host's and the NICs on the network; Enter on
# a NIC opens its VM.
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/tui_lib.sh
tui_setup

TUI_ENV="LANG=C.UTF-8 VDECK_TEST_FIXTURES=$PWD/tests/fixtures VDECK_SWITCH_HOSTS=8" \
	tui_start 200 50 -c tests/fixtures/inventory/switch.lua --no-lock
check "cluster view is up" 'hv008'
keys 8
check "Switches view with its columns" 'SWITCH.? +HOST +STATE +DRIFT +PORTGROUPS +NICS +WHY'
check "a host missing the network" 'dvs0 +hv001 +missing +- +3 +1 +no network dvs0'
check "a drifted host and its fields" 'dvs0 +hv004 +drifted +vlan,bandwidth,portgroup,autostart'
check "the uplink drift" 'dvs0 +hv008 +drifted +uplink,autostart .*uplink br-up, host has br-old'
check "the bridge switch on its two hosts" 'lan +hv002 +missing'
keys /
literal 'hv004'
keys Enter
check "filtered to hv004" 'dvs0 +hv004 +drifted'
keys Enter
check "detail: web against the host's VLAN" 'portgroup\* +web +100 +200 +1000/500'
check "detail: trunk missing on the host" 'portgroup +trunk +10,20 trunk +\(none\)'
check "detail: the filter of db" 'portgroup +db +300 +300 +0/0 +clean-traffic'
check "detail: the NIC on the network" 'nic +web1 +web .*52:54:00:5e:00:02'
keys g
keys Enter
check "Enter on the NIC opens its VM" 'web1'
keys q
if wait_file "$TMP/rc" 10 && [ "$(cat "$TMP/rc")" = 0 ]; then ok "q exits 0"; else bad "q exits 0"; fi
tui_summary
