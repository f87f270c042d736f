#!/bin/sh
# test_tui_scale.sh — the TUI at the seed's full scale (--demo=128x3000):
# every host reachable by scrolling, and the VM view filtering and sorting
# 3000 rows while the frames stay short (bench hook).
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/tui_lib.sh
tui_setup

TUI_ENV="VDECK_BENCH_FRAMES=$TMP/frames" tui_start 160 48 --demo=128x3000
check "128 hosts come up" '128 hosts: 128 up' 60
check "cluster view starts at cna001" '^  cna001 '
keys G
check "G scrolls to cna128" '^  cna128 ' 5
check "position shows the last row" ' 128/128( |$)' 5
keys g
for i in 1 2 3 4; do keys PageDown; done
check "PageDown pages through the hosts" '^  cna(0[4-9][0-9]|1[0-2][0-9]) ' 5

keys 2
check "VM view holds 3000 rows" ' 1/3000( |$)' 20
keys /
literal 'web-0'
keys Enter
if wait_for ' 1/([1-9][0-9]?[0-9]?)( |$)' 5; then
	n=$(table_total)
	wrong=$(screen | sed -n '3,46p' | grep -E '^  [a-z]' | grep -vc 'web-0')
	if [ "$n" -lt 3000 ] && [ "$wrong" -eq 0 ]; then ok "filter narrows 3000 rows to $n"; else bad "filter narrows" "$(screen)"; fi
else
	bad "filter narrows 3000 rows" "$(screen)"
fi
keys G
check "G reaches the last filtered row" " ([0-9]+)/\\1( |$)" 5
keys / C-u Enter
check "clearing the filter restores 3000 rows" '/3000( |$)' 5
keys s s
check "sort by state over 3000 rows" 'STATE▲|STATE\^' 5

# Frame times of the VM view, from the bench hook (informative bound only:
# a loaded machine must not fail this, so the bound is generous).
max=$(awk '$3 == "vms" { if ($2 > m) m = $2 } END { printf "%d", m }' "$TMP/frames")
if [ -n "$max" ] && [ "$max" -lt 500 ]; then ok "VM view frames under 500 ms (max ${max} ms)"; else bad "VM view frame time" "max=$max"; fi
grep -q first_full_frame "$TMP/frames" && ok "first_full_frame marked at 128 hosts" || bad "first_full_frame"

keys q
if wait_file "$TMP/rc" 10 && [ "$(cat "$TMP/rc")" = 0 ]; then ok "q exits 0"; else bad "q exits 0" "rc=$(cat "$TMP/rc" 2>/dev/null)"; fi
tui_summary
