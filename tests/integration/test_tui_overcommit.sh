#!/bin/sh
# test_tui_overcommit.sh — the Cluster view's last line: memory overcommit
# summed over the cluster.  Two hosts on the placement fixture (each 64 GiB,
# one running VM of 4 GiB ballooned to 2 GiB, KSM sharing 100 MiB): the
# line says 8.0G of VM memory on 128G (0.06x), 4.0G reclaimed by balloons,
# 200M saved by KSM, density 8G / (8G - 4G - 200M) - 1 = +110 %.  On the
# demo, whose hosts swap, the line says so.
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/tui_lib.sh
tui_setup

fx=$PWD/tests/fixtures
cat >"$TMP/two.lua" <<EOF
for _, name in ipairs { "hv-p", "hv-q" } do
  host { name = name, transport = "local", libvirt = "test://$fx/libvirt/node-place.xml",
         sysroot = "$fx/sysroot-placement" }
end
EOF
TUI_ENV="LANG=C.UTF-8" tui_start 160 30 -c "$TMP/two.lua"
check "both hosts up" '2 hosts: 2 up'
check "each host's row: 0.06x, +110%" 'hv-q +up .* 0\.06x \+110%'
check "the cluster line sums both hosts" \
	'^ Cluster overcommit: 0\.06x  8\.0G of VM memory on 128G, balloons reclaimed 4\.0G, KSM saved 200M, density \+110% \(measured\) *$'
keys q
if wait_file "$TMP/rc" 10 && [ "$(cat "$TMP/rc")" = 0 ]; then ok "q exits 0"; else bad "q exits 0"; fi

tmux -L "$SOCK" kill-server 2>/dev/null
TUI_ENV="LANG=C.UTF-8" tui_start 160 30 --demo
check "demo: all hosts up" '8 hosts: 8 up'
check "demo: the cluster line, with the swapping the demo hosts do" \
	'^ Cluster overcommit: [0-9]\.[0-9]{2}x  [0-9.]+[GT] of VM memory on [0-9.]+T, .* density \+[0-9]+% \(measured\), swapping in [0-9.]+[KMG]?/s out'
keys q
if wait_file "$TMP/rc" 10 && [ "$(cat "$TMP/rc")" = 0 ]; then ok "q exits 0"; else bad "q exits 0"; fi
tui_summary
