#!/bin/sh
# test_luacheck.sh — the shipped runbooks and their shared modules pass luacheck (Debian's lua-check)
# with the project's .luacheckrc (Lua 5.4, the global `vdeck`): no warning,
# no error.  A runbook planted with a stray global and an unused local is
# caught, so the check is not vacuous.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/harness.sh
if ! command -v luacheck >/dev/null 2>&1; then
	skip "luacheck is not installed (tools/deps.sh test installs lua-check)"
	finish; exit
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in lua/runbooks/*.lua lua/*.lua; do
	out=$(luacheck --no-color --codes --config .luacheckrc "$f" 2>&1)
	if [ $? -eq 0 ]; then ok "luacheck $f"; else fail "luacheck $f" "$(echo "$out" | grep -E '\([EW][0-9]+\)')"; fi
done
cat >"$tmp/bad.lua" <<'LUA'
return vdeck.runbook { name = "bad", params = {}, run = function(ctx, p)
  local unused = 1
  vdeck_host("x")
end }
LUA
out=$(luacheck --no-color --codes --config .luacheckrc "$tmp/bad.lua" 2>&1)
contains "a stray global is caught" "$out" "(W113) accessing undefined variable 'vdeck_host'"
contains "an unused local is caught" "$out" "(W211) unused variable 'unused'"
finish
