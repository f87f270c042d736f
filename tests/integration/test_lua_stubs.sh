#!/bin/sh
# test_lua_stubs.sh — `vdeck --lua-stubs [DIR]`, the LuaLS meta file:
#   - written to DIR/vdeck.lua, the same as on standard output; valid Lua
#     starting with ---@meta, returning the module;
#   - every function of the vdeck table and every method the binary
#     registers on host, domain and task handles is declared (the read API
#     cannot fall behind the binary unnoticed);
#   - every operation of the table (vdeck.operations()) is a method of its
#     target's class with an options class holding exactly its arguments,
#     each typed as api_ops.c converts it (integers, enums as unions of
#     their values, sizes as integer|string, callbacks as functions);
#   - a DIR that does not exist is an error (exit 1).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/harness.sh
VDECK=${VDECK:-$PWD/vdeck}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config"

"$VDECK" --lua-stubs "$tmp"; rc=$?
check "--lua-stubs DIR exits 0" test $rc = 0
S=$tmp/vdeck.lua
"$VDECK" --lua-stubs >"$tmp/stdout.lua"
check "DIR/vdeck.lua is what standard output gets" cmp -s "$S" "$tmp/stdout.lua"
check "it starts with ---@meta vdeck" test "$(head -n 1 "$S")" = "---@meta vdeck"
check "it is valid Lua returning the module" lua5.4 -e "
	vdeck = nil
	local m = assert(loadfile('$S'))()
	assert(type(m) == 'table' and m == vdeck)"

# What the binary registers, one "Owner:name" or "vdeck.name" per line.
"$VDECK" --demo=1x1 -e '
local function list(prefix, sep, t, only_functions)
  for k, v in pairs(t) do
    if not only_functions or type(v) == "function" then print(prefix .. sep .. k) end
  end
end
local h = vdeck.hosts()[1]
list("vdeck", ".", vdeck, true)
list("Host", ":", getmetatable(h).methods)
list("Domain", ":", getmetatable(h:domains()[1]).methods)
list("Task", ":", debug.getregistry()["vdeck.task"].methods)
' | sort >"$tmp/registered"
n=$(wc -l <"$tmp/registered")
check "the binary registers functions and methods ($n)" test "$n" -gt 50
missing=
while read -r f; do
	grep -q "^function $f(" "$S" || missing="$missing $f"
done <"$tmp/registered"
check "every registered function and method is declared${missing:+ (missing:$missing)}" test -z "$missing"
for c in vdeck.Host vdeck.Domain vdeck.Task vdeck.NumaNode vdeck.Mem vdeck.Nic vdeck.Bond vdeck.OpResult; do
	check "---@class $c" grep -qx -- "---@class $c" "$S"
done
for f in vdeck.version vdeck.dry_run vdeck.json_output; do
	check "field $f is declared" grep -q -- "^---@field ${f#vdeck.} " "$S"
done

# Each operation: its method and an options class with exactly its arguments.
"$VDECK" --demo=1x1 -e '
for _, o in ipairs(vdeck.operations()) do
  local names = {}
  for _, a in ipairs(o.args) do names[#names + 1] = a.name end
  print((o.target == "domain" and "Domain" or "Host") .. ":" .. o.name, table.concat(names, " "))
end' >"$tmp/ops"
n=$(wc -l <"$tmp/ops")
check "vdeck.operations() lists the table ($n)" test "$n" -gt 20
bad=
while read -r fn args; do
	op=${fn#*:}
	grep -q "^function $fn(" "$S" || bad="$bad $fn(method)"
	fields=$(sed -n "/^---@class vdeck.opts.${fn%%:*}.$op\$/,/^\$/p" "$S" | sed -n 's/^---@field \([a-z_]*\) .*/\1/p' | tr '\n' ' ' | sed 's/ $//')
	[ "$fields" = "$args" ] || bad="$bad $op(fields '$fields' want '$args')"
done <"$tmp/ops"
check "every operation: method and options class with its arguments${bad:+:$bad}" test -z "$bad"
check "set_vcpus(count integer, opts)" grep -qx -- "---@param count integer number of vCPUs \[1..\]" "$S"
check "an enum is the union of its values" grep -qx -- '---@field bus "virtio"|"scsi"|"sata"|"ide"|"usb"? bus (default virtio)' "$S"
check "a size is integer|string" grep -q -- '^---@param size integer|string balloon target' "$S"
check "a callback is a function" grep -q -- '^---@field on_progress fun(progress: vdeck.Progress)?' "$S"
check "h:run returns stdout, stderr, status" sh -c "grep -A4 '^---@param command string' '$S' | grep -q '^---@return integer status'"
check "a long operation may return a task" grep -q -- '^---@overload fun(self: vdeck.Domain, opts: vdeck.opts.Domain.migrate): vdeck.OpResult|vdeck.Task' "$S"

expect_rc "--lua-stubs into a missing directory fails" 1 "$VDECK" --lua-stubs "$tmp/nope/deeper"
expect_rc "--lua-stubs takes one directory" 2 "$VDECK" --lua-stubs "$tmp" "$tmp"
finish
