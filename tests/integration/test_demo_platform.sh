#!/bin/sh
# test_demo_platform.sh — the demo is a platform: tools/check-layers.sh
# passes on the tree, and fails when a violation is planted in a copy —
# production code that names the demo (a field, an include, a flag), or the
# demo reaching above conn/.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

copy() { # fresh copy of src/ and the check in $tmp/t
	rm -rf "$tmp/t" && mkdir -p "$tmp/t/tools" &&
		cp -r "$root/src" "$tmp/t/" && cp "$root/tools/check-layers.sh" "$tmp/t/tools/"
}
plant() { # plant FILE LINE: append LINE to FILE of the copy
	printf '%s\n' "$2" >> "$tmp/t/$1"
}
check_fails() { # check_fails NAME EXPECTED-OUTPUT
	out=$(sh "$tmp/t/tools/check-layers.sh" 2>&1); rc=$?
	if [ $rc -ne 0 ]; then contains "$1" "$out" "$2"; else fail "$1" "check passed: $out"; fi
}

copy
out=$(sh "$tmp/t/tools/check-layers.sh" 2>&1); rc=$?
[ $rc -eq 0 ] && ok "the tree passes" || fail "the tree passes" "$out"

copy; plant src/model/inventory.h '/* struct host_config { int demo_index; } */'
check_fails "a demo field in the inventory fails" "demo in production code: src/model/inventory.h:"

copy; plant src/conn/collect.c '#include "demo/demo.h"'
check_fails "conn/ including demo/ fails" "src/conn/collect.c (conn) includes demo/"

copy; plant src/tui/tui_draw.c 'static int is_demo;'
check_fails "a tui flag asking for the demo fails" "demo in production code: src/tui/tui_draw.c:"

copy; plant src/demo/demo.c '#include "tui/tui.h"'
check_fails "the demo including tui/ fails" "src/demo/demo.c (demo, a platform) includes tui/, above conn/"

copy; plant src/ops/op_common.c '/* demote the old primary */'
out=$(sh "$tmp/t/tools/check-layers.sh" 2>&1); rc=$?
[ $rc -eq 0 ] && ok "\"demote\" is not the demo" || fail "\"demote\" is not the demo" "$out"

finish
