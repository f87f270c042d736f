#!/bin/sh
# test_maintenance_cli.sh — h:set_maintenance through the real binary on the
# demo: the state survives a restart (state dir), is audited, is refused
# under --readonly and only printed under --dry-run; a host in maintenance
# is left out of d:migrate's target choice and of evacuation plans.
VDECK=${VDECK:-./vdeck}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config"
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; [ -n "$2" ] && sed 's/^/#   /' "$2"; }
check() { # name command...
	name=$1; shift
	if "$@"; then ok "$name"; else no "$name" "$tmp/out"; fi
}
run() { "$VDECK" --demo=3x18 --no-lock "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc"; cat "$tmp/err" >>"$tmp/out"; }
rc() { [ "$(cat "$tmp/rc")" = "$1" ]; }
has() { grep -qF -- "$1" "$tmp/out"; }
state="$XDG_STATE_HOME/vdeck/maintenance"
audit="$XDG_STATE_HOME/vdeck/audit.jsonl"

run -e "return vdeck.host('cna02'):set_maintenance(true)"
check "set_maintenance runs" rc 0
check "set_maintenance says it changed" has "true"
check "the state dir keeps it" grep -qx cna02 "$state"
check "it is audited" grep -q '"operation":"set_maintenance".*"result":"ok"' "$audit"

run -e "return tostring(vdeck.host('cna02').maintenance) .. ' ' .. tostring(vdeck.host('cna01').maintenance)"
check "a new run starts with cna02 in maintenance" has "true false"

run --readonly -e "return vdeck.host('cna02'):set_maintenance(false)"
check "--readonly refuses" rc 1
check "--readonly says why" has "--readonly"
check "--readonly left the state" grep -qx cna02 "$state"
run --dry-run -e "return vdeck.host('cna02'):set_maintenance(false)"
check "--dry-run prints it" has "dry-run: cna02: set_maintenance(false)"
check "--dry-run left the state" grep -qx cna02 "$state"

run --dry-run -e '
for _, d in ipairs(vdeck.host("cna01"):domains()) do
  if d.state == "running" then d:migrate {} return "done" end
end'
check "d:migrate's target choice skips the host in maintenance" has "cna02: skipped, in maintenance"
run --dry-run --exec evacuate-host host=cna01
check "evacuate-host dry-run runs" rc 0
check "evacuate-host plans" has "evacuate cna01: "
check "its VMs go to the host not in maintenance" grep -Eq '^1 +[a-z0-9-]+ +[0-9.]+G +cna01 +cna03 ' "$tmp/out"
check "none to the host in maintenance" sh -c "! grep -Eq '^[0-9]+ +[a-z0-9-]+ +[0-9.]+G +cna01 +cna02 ' '$tmp/out'"

run -e "return vdeck.host('cna02'):set_maintenance(false)"
check "maintenance off" rc 0
check "the state dir forgets it" sh -c "! grep -q cna02 '$state'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
