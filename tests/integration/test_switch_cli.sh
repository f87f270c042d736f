#!/bin/sh
# test_switch_cli.sh — the distributed switch through the real binary on
# 16 test-driver hosts: --check lists each host's state and drifted
# fields; switch-apply under --dry-run prints each host's network XML diff
# and changes nothing, stops at the first host it cannot change (an uplink
# change under a running VM) naming what was done, and converges every
# host with restart=true (each host re-read converged by the runbook);
# --readonly refuses; the audit trail records apply_switch; nic-portgroup
# prints the interface XML it would send (portgroup and the switch's
# filterref).  Every host file holds a VM web1: vm=web1 is hv001's.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/harness.sh
VDECK=${VDECK:-./vdeck}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config"
export VDECK_TEST_FIXTURES="$PWD/tests/fixtures" VDECK_SWITCH_HOSTS=16
inv=tests/fixtures/inventory/switch.lua
run() { timeout 120 "$VDECK" -c "$inv" --no-lock "$@" >"$tmp/out" 2>&1; echo $? >"$tmp/rc"; }
out() { cat "$tmp/out"; }

run --check
contains "--check has the switch table" "$(out)" "SWITCH       HOST         STATE"
contains "--check: a missing network" "$(out)" "dvs0         hv001        missing"
contains "--check: live drift fields" "$(out)" "dvs0         hv004        drifted    vlan,bandwidth,portgroup,autostart"
contains "--check: the uplink drift" "$(out)" "uplink br-up, host has br-old"

run --dry-run --exec switch-apply switch=dvs0
check "dry-run stops at hv008 (exit 1)" test "$(cat "$tmp/rc")" = 1
contains "dry-run prints hv004's VLAN diff" "$(out)" "-       <tag id='200'/>"
contains "dry-run prints the switch's VLAN" "$(out)" "+       <tag id='100'/>"
contains "dry-run prints the removed portgroup" "$(out)" "-   <portgroup name='old'>"
contains "dry-run prints the live update" "$(out)" 'then virNetworkUpdate("dvs0", VIR_NETWORK_UPDATE_COMMAND_MODIFY, VIR_NETWORK_SECTION_PORTGROUP, -1, portgroup, VIR_NETWORK_UPDATE_AFFECT_LIVE)'
contains "dry-run prints a missing network defined" "$(out)" "hv001: network missing, defined as"
contains "stops naming the host and what was done" "$(out)" "hv008: network dvs0 runs with 1 VM attached (web1)"
contains "and what was done" "$(out)" "(stopped; done: hv001, hv002, hv003, hv004, hv005, hv006, hv007)"

run --dry-run --exec switch-apply switch=dvs0 restart=true
check "dry-run with restart=true exits 0" test "$(cat "$tmp/rc")" = 0
contains "the restart is printed" "$(out)" 'virNetworkDestroy("dvs0") then virNetworkDefineXML(conn, xml)'
check "dry-run audited as dry-run" grep -q '"operation":"apply_switch".*"dry_run":true' "$tmp/state/vdeck/audit.jsonl"

run --readonly --exec switch-apply switch=dvs0
check "--readonly refuses (exit non-zero)" test "$(cat "$tmp/rc")" != 0
contains "--readonly names the operation" "$(out)" "hv001: --readonly: refusing to define or converge a switch"

run --json --exec switch-apply switch=dvs0 restart=true
check "switch-apply converges all 16 (exit 0)" test "$(cat "$tmp/rc")" = 0
contains "every host done" "$(out)" '"done":["hv001","hv002","hv003","hv004","hv005","hv006","hv007","hv008","hv009","hv010","hv011","hv012","hv013","hv014","hv015","hv016"]'
check "apply audited with its result" grep -q '"operation":"apply_switch".*"result":"ok"' "$tmp/state/vdeck/audit.jsonl"

run --json --exec switch-apply switch=dvs0 host=hv002
contains "host= converges that host alone" "$(out)" '"done":["hv002"]'

run -e 'vdeck.host("hv004"):apply_switch("dvs0"); vdeck.refresh()
local s = vdeck.switch_status("dvs0")
for _, x in ipairs(s) do if x.host == "hv004" then print("hv004", x.state) end end'
contains "a single host converged by h:apply_switch" "$(out)" "hv004	converged"

run --dry-run --exec nic-portgroup vm=web1 portgroup=db
check "nic-portgroup dry-run exits 0" test "$(cat "$tmp/rc")" = 0
contains "nic-portgroup calls virDomainUpdateDeviceFlags" "$(out)" 'virDomainUpdateDeviceFlags("web1", xml, VIR_DOMAIN_AFFECT_LIVE)'
contains "with the new portgroup" "$(out)" "<source network='dvs0' portgroup='db'/>"
contains "and the portgroup's filter" "$(out)" "<filterref filter='clean-traffic'/>"
contains "and a note that the host lacks the portgroup yet" "$(out)" "network dvs0 on hv001 lacks portgroup db"
run --dry-run -e 'vdeck.domain("web1"):set_nic{ mac = "52:54:00:5e:00:01", portgroup = "db",
  bandwidth = { inbound = { average = 100, peak = 200 }, outbound = { average = 50 } } }'
check "set_nic{...} table form, dry-run exits 0" test "$(cat "$tmp/rc")" = 0
contains "the portgroup's VLAN on the interface" "$(out)" "<tag id='300'/>"
contains "bandwidth from the nested table" "$(out)" "<inbound average='100' peak='200'/>"
contains "outbound too" "$(out)" "<outbound average='50'/>"
check "set_nic audited as dry-run" grep -q '"operation":"set_nic".*"dry_run":true' "$tmp/state/vdeck/audit.jsonl"
run --dry-run -e 'vdeck.domain("web1"):set_nic{ mac = "52:54:00:5e:00:01", bandwidth = { inbound = { peak = 5 } } }'
contains "peak without average refused" "$(out)" "bandwidth.inbound needs average="
finish
