#!/bin/sh
# test_layers.sh — the layer check reads symbols: the built objects pass, and
# a call planted in a copy of them (upward, sideways, into the demo, or to a
# library outside its home) fails, naming the object, the symbol and the
# layers; a downward call does not.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
VDECK=${VDECK:-$root/vdeck}
CC=${CC:-cc}
check="$root/tools/check-layers.sh"
objs="$root/build/obj/src"
if [ ! -d "$objs" ] || [ ! -x "$VDECK" ]; then
	fail "built objects and vdeck exist" "run make vdeck first"
	finish; exit
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$(sh "$check" "$objs" "$VDECK" 2>&1); rc=$?
[ $rc -eq 0 ] && ok "the built objects pass" || fail "the built objects pass" "rc=$rc: $out"
contains "the clean summary counts no failure" "$out" " passed, 0 failed"

# A function that some object of LAYER defines.
symbol_of() {
	nm -g -P --defined-only "$objs/$1"/*.o | awk '$2 == "T" { print $1; exit }'
}

# plant NAME LAYER SYMBOL: a fresh copy of the objects plus LAYER/NAME.o,
# which calls SYMBOL; runs the check over the copy into $out and $rc.
plant() {
	rm -rf "$tmp/src"
	cp -R "$objs" "$tmp/src"
	mkdir -p "$tmp/src/$2"
	printf 'extern void %s(void);\nvoid planted_%s(void) { %s(); }\n' "$3" "$1" "$3" >"$tmp/$1.c"
	if ! "$CC" -c -o "$tmp/src/$2/$1.o" "$tmp/$1.c"; then
		out="cannot compile $tmp/$1.c" rc=99; return
	fi
	out=$(sh "$check" "$tmp/src" "$VDECK" 2>&1); rc=$?
}

# expect_violation NAME LAYER SYMBOL WANT: the check fails on exactly the
# planted object, with WANT in its message.
expect_violation() {
	plant "$1" "$2" "$3"
	[ $rc -eq 1 ] && ok "$1: check fails" || fail "$1: check fails" "rc=$rc: $out"
	contains "$1: names object, symbol and layers" "$out" "layer violation: $2/$1.o ($2) calls $3 from $4"
	contains "$1: only the planted object fails" "$out" " passed, 1 failed"
}

lua_fn=$(symbol_of lua) conn_fn=$(symbol_of conn) model_fn=$(symbol_of model)
exec_fn=$(symbol_of exec) repl_fn=$(symbol_of repl) demo_fn=$(symbol_of demo)
for v in lua_fn conn_fn model_fn exec_fn repl_fn demo_fn; do
	eval "s=\$$v"
	[ -n "$s" ] && ok "found a symbol for $v ($s)" || fail "found a symbol for $v"
done

expect_violation up_lua    metrics "$lua_fn"  "lua/"
contains "metrics calling lua is upward" "$out" "(lua): upward"
expect_violation up_conn   metrics "$conn_fn" "conn/"
contains "metrics calling conn is upward" "$out" "(conn): upward"
expect_violation side_exec tui     "$exec_fn" "exec/"
contains "tui calling exec is sideways" "$out" "(exec): sideways"
expect_violation side_repl tui     "$repl_fn" "repl/"
contains "tui calling repl is sideways" "$out" "(repl): sideways"
expect_violation into_demo lua     "$demo_fn" "demo/"
contains "only main.c calls the demo" "$out" "(demo): demo is a platform only main.c calls"
expect_violation curses    conn    wgetch     "curses, whose home is tui"
expect_violation virt      model   virConnectOpen "libvirt, whose home is conn"
expect_violation readline  conn    rl_callback_read_char "readline, whose home is repl tui"
expect_violation lua_api   exec    lua_pushinteger "Lua, whose home is lua"
expect_violation xml       model   xmlReadMemory "libxml2, whose home is metrics conn ops"

plant down_model ops "$model_fn"
[ $rc -eq 0 ] && ok "a downward call passes" || fail "a downward call passes" "rc=$rc: $out"
plant libxml_home ops xmlReadMemory
[ $rc -eq 0 ] && ok "libxml2 in ops passes" || fail "libxml2 in ops passes" "rc=$rc: $out"
plant stray newlayer "$model_fn"
[ $rc -eq 1 ] && ok "an object outside the known layers fails" || fail "an object outside the known layers fails" "rc=$rc"
contains "the unknown layer is named" "$out" "newlayer/stray.o is in an unknown layer"

finish
