#!/bin/sh
# test_bench_smoke.sh — `make bench` in miniature (4 hosts × 40 VMs, 3 cycles)
# so the benchmark scripts do not rot: every phase runs, the table prints,
# and the JSON holds every key, each a number (or null for a phase listed
# as pending).  Measures nothing worth reading.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
VDECK=${VDECK:-$root/vdeck}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for tool in sshd ssh virsh cc pkg-config; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
		skip "$tool missing"; finish; exit $?; }
done
[ -x /usr/bin/python3 ] || command -v python3 >/dev/null || { skip "python3 missing"; finish; exit $?; }

BENCH_HOSTS=4 BENCH_VMS=40 BENCH_CYCLES=3 BENCH_BASELINE_CYCLES=3 BENCH_KEYS=10 \
BENCH_OUT="$tmp/latest.json" VDECK=$VDECK SSHD_LIFETIME=120 \
	timeout 120 sh "$root/bench/run.sh" >"$tmp/table" 2>"$tmp/log"
rc=$?
if [ "$rc" = 0 ]; then ok "bench/run.sh exits 0"; else fail "bench/run.sh exits 0" "exit $rc: $(tail -5 "$tmp/log")"; fi
check "the table names both sides" grep -q "OpenSSH+virsh" "$tmp/table"
check "the table has the collection row" grep -q "^collection CPU per cycle" "$tmp/table"

if [ -f "$tmp/latest.json" ]; then ok "latest.json written"; else fail "latest.json written"; fi
py=/usr/bin/python3; [ -x "$py" ] || py=python3
"$py" - "$tmp/latest.json" >"$tmp/keys" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
need = ["hosts", "vms", "vdeck_cpu_ms_per_cycle", "baseline_cpu_ms_per_cycle", "first_frame_ms",
        "filter_ms_median", "filter_ms_p99", "peak_rss_mib", "bulk_snapshot_s",
        "baseline_bulk_snapshot_s", "nproc", "cpu_model", "date", "cpu_ratio"]
num = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
for k in need:
    if k not in r:
        print("missing", k)
    elif k in ("cpu_model", "date"):
        if not isinstance(r[k], str) or not r[k]:
            print("empty", k)
    elif not num(r[k]) and not (r[k] is None and k in r.get("pending", [])):
        print("not a number", k, r[k])
for k, v in (("hosts", 4), ("vms", 40)):
    if r.get(k) != v:
        print("wrong", k, r.get(k))
for k in ("vdeck_cpu_ms_per_cycle", "baseline_cpu_ms_per_cycle", "peak_rss_mib", "baseline_bulk_snapshot_s"):
    if not num(r.get(k)) or r[k] <= 0:
        print("not measured", k, r.get(k))
if r.get("hosts_up") != 4 or r.get("baseline_failures") != 0 or r.get("baseline_bulk_snapshot_vms") != 40:
    print("hosts not all polled", r.get("hosts_up"), r.get("baseline_failures"), r.get("baseline_bulk_snapshot_vms"))
if r.get("bulk_snapshot_s") is not None and (r.get("bulk_snapshot_vms") != 40 or r.get("bulk_snapshot_failed")):
    print("runbook did not snapshot every VM", r.get("bulk_snapshot_vms"), r.get("bulk_snapshot_failed"))
if r.get("filter_ms_median") is not None and r.get("filter_rows") != 40:
    print("VM view did not show every VM", r.get("filter_rows"))
PY
if [ ! -s "$tmp/keys" ]; then ok "JSON has every key, each a number or pending"; else fail "JSON keys" "$(cat "$tmp/keys")"; fi
finish
