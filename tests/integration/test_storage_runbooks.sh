#!/bin/sh
# test_storage_runbooks.sh — the storage runbooks through the real binary on
# test-driver hosts: datastore-report --json (one object per datastore,
# the shared ones with both hosts), clone-vms under --dry-run (only hosts
# that see the template's disk at its path), for real (clones spread by
# free memory over both hosts of a shared pool, audited), and --readonly.
VDECK=${VDECK:-./vdeck}
root=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" VDECK_TEST_FIXTURES="$root/tests/fixtures"
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; sed 's/^/#   /' "$tmp/out"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else no "$name"; fi; }
run() { # INVENTORY ARGS...
	inv=$1; shift
	timeout 60 "$VDECK" -c "$root/tests/fixtures/inventory/$inv.lua" --no-lock "$@" >"$tmp/out" 2>"$tmp/err"
	echo $? >"$tmp/rc"
	cat "$tmp/err" >>"$tmp/out"
}
rc() { [ "$(cat "$tmp/rc")" = "$1" ]; }
has() { grep -qF -- "$1" "$tmp/out"; }
lines() { [ "$(grep -c -- "$1" "$tmp/out")" = "$2" ]; }

run storage --exec datastore-report --json
check "datastore-report --json exits 0" rc 0
check "one JSON object per datastore (the export, the shared dir pool, two local pools)" lines '^{"' 4
check "the NFS export is one datastore of both hosts" \
	grep -q '"hosts":"hv-a,hv-b","key":"netfs:filer1:/export/vm"' "$tmp/out"
check "the shared dir pool too" grep -q '"hosts":"hv-a,hv-b","key":"path:5c000000-0000-0000-0000-00000000cc01:/srv/gfs".*"shared":true' "$tmp/out"
check "thin overcommit figure" grep -q '"key":"netfs:filer1:/export/vm","overcommit":1.7,' "$tmp/out"
run storage --exec datastore-report overcommit=1.5 fail_on_alert=true
check "fail_on_alert exits 1 on an alert" rc 1
check "and says so" has "datastore alert(s)"

run storage --dry-run --exec clone-vms template=template count=3
check "clone-vms --dry-run exits 0" rc 0
check "three clones planned" has 'clones=3 failed=0'
check "all on the one host that has the base at its path" has 'hosts={"hv-a":3}'
check "each clone's overlay and definition printed" lines '<name>template-[123]-vda.qcow2</name>' 3
check "nothing made (dry-run audit)" test "$(grep -c '"result":"dry-run"' "$tmp/state/vdeck/audit.jsonl")" = 3

run clone --exec clone-vms template=gold count=5 per_host=1 limit=2
check "clone-vms exits 0" rc 0
check "five clones" has 'clones=5 failed=0'
check "spread by free memory: more on the host without a running VM" has 'hosts={"hv-a":2,"hv-b":3}'
check "placement logged" has '[clone-vms] gold-1 -> hv-b'
check "five clones audited ok" test "$(grep '"record":"result".*"operation":"clone"' "$tmp/state/vdeck/audit.jsonl" | grep -c '"result":"ok"')" = 5

run clone --readonly --exec clone-vms template=gold count=1
check "--readonly refuses" rc 1
check "naming the refusal" has "--readonly: refusing to"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
