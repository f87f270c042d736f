#!/bin/sh
# test_sriov_migrate_plan.sh — the migrate runbook around SR-IOV VFs
# (issue 15), in dry-run on the test driver: without force the migration of
# nfv-edge (VF 0000:3b:02.1 of ens1f0 on hv-s) is refused naming the VF;
# with force=true the plan is printed as three operations — detach the VF
# NIC (hostdev XML), migrate, attach a free VF of hv-t with the same MAC and
# VLAN — and each is audited as dry-run.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
VDECK=${VDECK:-$root/vdeck}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" VDECK_TEST_FIXTURES="$root/tests/fixtures"
run() { "$VDECK" -c "$root/tests/fixtures/inventory/sriov.lua" --no-lock "$@" >"$tmp/out" 2>&1; echo $? >"$tmp/rc"; }

run --dry-run --exec migrate vm=nfv-edge to=hv-t
expect_rc "without force: refused (exit 1)" 1 sh -c "exit $(cat "$tmp/rc")"
contains "naming the VF and its PF" "$(cat "$tmp/out")" "SR-IOV VF 0000:3b:02.1 of ens1f0 on hv-s"
contains "and the way around it" "$(cat "$tmp/out")" "force=true plans detach -> migrate -> attach"

run --dry-run --exec migrate vm=nfv-edge to=hv-t force=true
out=$(cat "$tmp/out")
expect_rc "force=true: the plan (exit 0)" 0 sh -c "exit $(cat "$tmp/rc")"
contains "step 1: detach the VF NIC" "$out" "virDomainDetachDeviceFlags"
contains "as a hostdev interface" "$out" "<interface type='hostdev' managed='yes'>"
contains "of the VF it holds" "$out" "<address type='pci' domain='0x0000' bus='0x3b' slot='0x02' function='0x1'/>"
contains "step 2: migrate" "$out" "virDomainMigrate3"
contains "the plan in the notes" "$out" "detach VF 0000:3b:02.1 of ens1f0 here; attach a free VF there"
contains "step 3: attach a free VF of hv-t" "$out" "step 3: attach VF 0000:3b:02.1 of hv-t as NIC 52:54:00:6b:3c:05"
contains "with the same VLAN" "$out" "<tag id='300'/>"
contains "vhost-user without shared memory warned" "$out" "vhost-user NIC 52:54:00:6b:3c:06 needs shared"
n=$(grep -c '"result":"dry-run"' "$tmp/state/vdeck/audit.jsonl")
check "three dry-run records" test "$n" = 3
finish
