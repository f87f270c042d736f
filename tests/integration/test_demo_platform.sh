#!/bin/sh
# test_demo_platform.sh — the demo is a platform: tools/check-layers.sh
# passes on the tree, and fails when production code in a copy of the
# sources names the demo (a field, an include, a flag).  Calls into the demo
# from anywhere but main.c are planted in test_layers.sh.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
VDECK=${VDECK:-$root/vdeck}
objs="$root/build/obj/src"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -d "$objs" ] || [ ! -x "$VDECK" ]; then
	fail "built objects and vdeck exist" "run make vdeck first"
	finish; exit
fi

copy() { rm -rf "$tmp/src" && cp -r "$root/src" "$tmp/src"; }
plant() { printf '%s\n' "$2" >> "$tmp/src/$1"; }   # plant FILE LINE
run_check() { out=$(sh "$root/tools/check-layers.sh" "$objs" "$VDECK" "$tmp/src" 2>&1); rc=$?; }
check_fails() { # check_fails NAME EXPECTED-OUTPUT
	run_check
	if [ $rc -ne 0 ]; then contains "$1" "$out" "$2"; else fail "$1" "check passed: $out"; fi
}

copy; run_check
[ $rc -eq 0 ] && ok "the tree passes" || fail "the tree passes" "$out"

copy; plant model/inventory.h '/* struct host_config { int demo_index; } */'
check_fails "a demo field in the inventory fails" "demo in production code: $tmp/src/model/inventory.h:"

copy; plant conn/collect.c '#include "demo/demo.h"'
check_fails "conn/ including demo/ fails" "demo in production code: $tmp/src/conn/collect.c:"

copy; plant tui/tui_draw.c 'static int is_demo;'
check_fails "a tui flag asking for the demo fails" "demo in production code: $tmp/src/tui/tui_draw.c:"

copy; plant ops/op_common.c '/* demote the old primary */'
run_check
[ $rc -eq 0 ] && ok "\"demote\" is not the demo" || fail "\"demote\" is not the demo" "$out"

finish
