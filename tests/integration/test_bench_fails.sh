#!/bin/sh
# test_bench_fails.sh — a bench phase that fails fails the run: bench/run.sh
# exits non-zero, names the phase as failed, and latest.json lists it in
# failed_phases (a crashed console or snapshot run used to show "pending"
# and pass).  BENCH_FAIL_PHASE feeds one phase a broken input (the console a
# missing inventory, the snapshot runbook a tag no VM has, libvirt's client
# alone a host list that is not there); vdeck is not
# told anything.  2 hosts × 10 VMs, rpc-ssh only, no QEMU stage.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
VDECK=${VDECK:-$root/vdeck}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for tool in sshd ssh virsh libvirtd nc tmux cc pkg-config python3; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
		skip "$tool missing"; finish; exit $?; }
done

for phase in libvirt-floor tui snap; do
	BENCH_FAIL_PHASE=$phase BENCH_HOSTS=2 BENCH_VMS=10 BENCH_CYCLES=1 BENCH_BASELINE_CYCLES=1 \
	BENCH_KEYS=4 BENCH_QEMU_VMS=0 BENCH_HOST_POLLS=5 BENCH_PATHS=rpc-ssh BENCH_OUT="$tmp/$phase.json" VDECK=$VDECK \
	SSHD_LIFETIME=300 timeout 240 sh "$root/bench/run.sh" >"$tmp/$phase.table" 2>"$tmp/$phase.log"
	rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 124 ]; then ok "$phase broken: run.sh exits $rc"; else fail "$phase broken: run.sh exits non-zero" "exit $rc"; fi
	check "$phase broken: the table says it failed" grep -q "^phase $phase  *failed" "$tmp/$phase.table"
	check "$phase broken: latest.json lists it, alone, in failed_phases" python3 -c "
import json, sys
r = json.load(open('$tmp/$phase.json'))
sys.exit(r['failed_phases'] != ['$phase'])"
done
finish
