#!/bin/sh
# test_bench_smoke.sh — `make bench` in miniature (4 hosts × 40 VMs, 3 cycles,
# no QEMU stage) so the benchmark scripts do not rot: every phase runs and
# none fails (bench/run.sh exits non-zero when one does), the table prints,
# and the JSON holds every key of issue 12, each a number, or null with the
# reason its phase gave (n/a, off), and libvirt's client alone read every
# VM.  Measures nothing worth reading.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
VDECK=${VDECK:-$root/vdeck}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for tool in sshd ssh virsh libvirtd nc tmux cc pkg-config; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
		skip "$tool missing"; finish; exit $?; }
done
[ -x /usr/bin/python3 ] || command -v python3 >/dev/null || { skip "python3 missing"; finish; exit $?; }

BENCH_HOSTS=4 BENCH_VMS=40 BENCH_CYCLES=3 BENCH_BASELINE_CYCLES=3 BENCH_KEYS=10 BENCH_QEMU_VMS=0 BENCH_HOST_POLLS=20 \
BENCH_OUT="$tmp/latest.json" VDECK=$VDECK SSHD_LIFETIME=300 \
	timeout 240 sh "$root/bench/run.sh" >"$tmp/table" 2>"$tmp/log"
rc=$?
if [ "$rc" = 0 ]; then ok "bench/run.sh exits 0"; else fail "bench/run.sh exits 0" "exit $rc: $(tail -5 "$tmp/log")"; fi
check "the table names both sides" grep -q "OpenSSH+virsh" "$tmp/table"
check "the table has the collection row" grep -q "^collection CPU per cycle" "$tmp/table"

if [ -f "$tmp/latest.json" ]; then ok "latest.json written"; else fail "latest.json written"; fi
py=/usr/bin/python3; [ -x "$py" ] || py=python3
"$py" - "$tmp/latest.json" >"$tmp/keys" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
need = ["machine", "date", "hosts", "vms", "libvirt_path", "vdeck_cpu_ms_per_cycle",
        "baseline_cpu_ms_per_cycle", "tunnel_cpu_ms_per_cycle", "rpc_ssh_cpu_ms_per_cycle",
        "tunnel_libvirt_stats_cpu_ms_per_cycle",
        "first_frame_ms", "complete_frame_ms", "console_rss_mib", "host_cpu_ms_per_poll",
        "node_exporter_cpu_ms_per_scrape", "host_forks_per_poll", "bulk_snapshot_s",
        "baseline_bulk_snapshot_s", "bulk_snapshot_vms", "filter_ms_median", "filter_ms_p99",
        "qemu_vms", "vdeck_stats_us_per_vm", "baseline_stats_us_per_vm"]
num = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
for k in need:
    if k not in r:
        print("missing", k)
    elif k in ("date", "libvirt_path"):
        if not isinstance(r[k], str) or not r[k]:
            print("empty", k, r[k])
    elif k == "machine":
        if not isinstance(r[k], dict) or not r[k].get("cpu_model"):
            print("no machine", r[k])
    elif r[k] is None:
        if not r["null_reasons"].get(k):
            print("null without a reason", k)
    elif not num(r[k]):
        print("not a number", k, r[k])
for k, v in (("hosts", 4), ("vms", 40), ("bulk_snapshot_vms", 40)):
    if r.get(k) != v:
        print("wrong", k, r.get(k))
for k in ("vdeck_cpu_ms_per_cycle", "baseline_cpu_ms_per_cycle", "rpc_ssh_cpu_ms_per_cycle",
          "first_frame_ms", "complete_frame_ms", "console_rss_mib", "filter_ms_median",
          "bulk_snapshot_s", "baseline_bulk_snapshot_s", "libvirt_client_floor_ms_per_cycle"):
    if not num(r.get(k)) or r[k] <= 0:
        print("not measured", k, r.get(k))
if r.get("libvirt_client_floor_records") != 40:
    print("libvirt's client alone did not read every VM", r.get("libvirt_client_floor_records"))
if r.get("hosts_up") != 4 or r.get("baseline_failures") != 0 or r.get("baseline_bulk_snapshot_vms") != 40:
    print("hosts not all polled", r.get("hosts_up"), r.get("baseline_failures"), r.get("baseline_bulk_snapshot_vms"))
if r.get("filter_rows") != 40:
    print("VM view did not show every VM", r.get("filter_rows"))
bad = [n for n, p in r["phases"].items() if p["status"] not in ("ok", "n/a", "off")]
if bad or r["failed_phases"]:
    print("phases not ok", bad, r["failed_phases"])
if r["phases"].get("qemu", {}).get("status") != "off":
    print("the smoke run asked for no QEMU stage", r["phases"].get("qemu"))
PY
if [ ! -s "$tmp/keys" ]; then ok "JSON has every key, each a number or null with a reason"; else fail "JSON keys" "$(cat "$tmp/keys")"; fi
finish
