#!/bin/sh
# prom.sh — the console's CPU per poll cycle with every host's metrics
# from Prometheus (metrics.source = "prometheus") versus over SSH, at
# PROM_HOSTS hosts (default 128).  Not part of `make check`.
#
# The cluster is bench/gen-cluster.sh's (demo trees, one private sshd, one
# private libvirtd serving each host's test:/// file, reached through
# vdeck's SSH tunnel), completed for node_exporter by tests/lib/prom-tree.sh.  PROM_EXPORTERS node_exporters (default 8, each
# on one tree) serve as scrape targets for all hosts: host i is target
# exporter (i mod N) with its own label vhost = "<name>" (Prometheus
# scrapes each target separately, so it holds one series set per host,
# as in a real fleet).  One private Prometheus scrapes them every
# PROM_SCRAPE seconds (default 15).  Both runs are bench/collect.py:
# vdeck.refresh() cycles, the client's CPU (all threads and children),
# read from outside.  Prometheus's
# own CPU during the Prometheus run is reported beside it: the work moved
# there, it did not vanish.
#
#   sh bench/prom.sh            # writes bench/results/prom.json
#   PROM_HOSTS=32 PROM_CYCLES=5 sh bench/prom.sh
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
VDECK=${VDECK:-$root/vdeck}
HOSTS=${PROM_HOSTS:-128}
VMS=${PROM_VMS:-$((HOSTS * 4))}
CYCLES=${PROM_CYCLES:-20}
EXPORTERS=${PROM_EXPORTERS:-8}
SCRAPE=${PROM_SCRAPE:-15}
OUT=${PROM_OUT:-$root/bench/results/prom.json}
say() { printf 'bench/prom: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
[ -x "$VDECK" ] || die "no vdeck binary at $VDECK (make vdeck)"
NE=$(command -v prometheus-node-exporter) || die "apt-get install prometheus-node-exporter"
PROM=$(command -v prometheus) || die "apt-get install prometheus"
tmpbase=/dev/shm
[ -w "$tmpbase" ] || tmpbase=${TMPDIR:-/tmp}
work=$(mktemp -d "$tmpbase/vdeck-prom-bench.XXXXXX") || die "cannot create a work directory"
chmod 755 "$work"
pids=""
SSHD_NO_TRAP=1
. "$root/tests/lib/sshd.sh"
. "$root/tests/lib/libvirtd-private.sh"
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	# only these: a bare `wait` also waits for sshd and libvirtd, which
	# run under `timeout` until their stop below
	wait $pids 2>/dev/null
	libvirtd_private_stop >/dev/null 2>&1
	sshd_stop >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" XDG_RUNTIME_DIR="$work/run"
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

TMPDIR=$work sshd_start >/dev/null 2>"$work/sshd.err" || die "sshd: $(cat "$work/sshd.err")"
TMPDIR=$work libvirtd_private_start || die "the private libvirtd cannot run here"
BENCH_LV_SOCK=$LIBVIRTD_PRIVATE_SOCK BENCH_LV_PID=$LIBVIRTD_PRIVATE_PID BENCH_VIA=1
export BENCH_LV_SOCK BENCH_LV_PID BENCH_VIA
say "generating $HOSTS hosts, $VMS VMs"
VDECK=$VDECK sh "$root/bench/gen-cluster.sh" "$work/c" "$HOSTS" "$VMS" >/dev/null || die "gen-cluster failed"
cut -f3 "$work/c/hosts.tsv" | while read -r r; do sh "$root/tests/lib/prom-tree.sh" "$r"; done

say "starting $EXPORTERS node_exporters and Prometheus"
ports=""
i=0
for r in $(cut -f3 "$work/c/hosts.tsv" | head -n "$EXPORTERS"); do
	port=$(free_port)
	"$NE" --web.listen-address="127.0.0.1:$port" --path.procfs="$r/proc" --path.sysfs="$r/sys" \
		--collector.disable-defaults --collector.cpu --collector.meminfo --collector.meminfo_numa \
		--collector.vmstat --collector.netdev --no-collector.netdev.netlink --collector.netclass \
		--collector.bonding --collector.ksmd --collector.uname --web.max-requests=0 >/dev/null 2>&1 &
	pids="$pids $!"
	ports="$ports $port"
	i=$((i + 1))
done
set -- $ports
pport=$(free_port)
{
	echo "global: { scrape_interval: ${SCRAPE}s }"
	echo "scrape_configs:"
	echo "  - job_name: node"
	echo "    static_configs:"
	n=0
	cut -f1 "$work/c/hosts.tsv" | while read -r name; do
		eval "port=\${$((n % EXPORTERS + 1))}"
		echo "      - { targets: [ \"127.0.0.1:$port\" ], labels: { vhost: \"$name\" } }"
		n=$((n + 1))
	done
} >"$work/prometheus.yml"
"$PROM" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
	--web.listen-address="127.0.0.1:$pport" --log.level=warn >"$work/prometheus.log" 2>&1 &
prom_pid=$!
pids="$pids $prom_pid"
n=0
while :; do
	c=$(curl -fsS --max-time 2 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode 'query=count(up == 1)' \
		2>/dev/null | python3 -c 'import json,sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)' 2>/dev/null)
	[ "$c" = "$HOSTS" ] && break
	n=$((n + 1))
	[ $n -lt $((SCRAPE * 20 + 300)) ] || die "Prometheus scraped ${c:-0} of $HOSTS targets: $(tail -3 "$work/prometheus.log")"
	sleep 0.2
done

# The same hosts, their metrics from Prometheus (SSH stays for operations).
sed -e "s|interval = 3600 }|interval = 3600, metrics = { source = \"prometheus\", url = \"http://127.0.0.1:$pport\" } }|" \
	-e 's|^host { name = "\([^"]*\)", |host { name = "\1", metrics = { match = { vhost = "\1" } }, |' \
	"$work/c/cluster-tunnel.lua" >"$work/c/cluster-prom.lua"

say "SSH: $CYCLES cycles"
python3 "$root/bench/collect.py" "$VDECK" "$work/c/cluster-tunnel.lua" cycles="$CYCLES" warmup=2 \
	out="$work/ssh.kv" >/dev/null 2>"$work/ssh.err" || die "SSH run: $(tail -3 "$work/ssh.err")"
say "Prometheus: $CYCLES cycles"
p0=$(cpu_ticks "$prom_pid")
python3 "$root/bench/collect.py" "$VDECK" "$work/c/cluster-prom.lua" cycles="$CYCLES" warmup=2 \
	out="$work/prom.kv" >/dev/null 2>"$work/prom.err" || die "Prometheus run: $(tail -3 "$work/prom.err")"
p1=$(cpu_ticks "$prom_pid")
prom_wall=$(awk -F= '$1 == "wall_ms_per_cycle" { print $2 }' "$work/prom.kv")

mkdir -p "$(dirname "$OUT")"
python3 - "$work/ssh.kv" "$work/prom.kv" "$OUT" "$HOSTS" "$VMS" "$EXPORTERS" "$SCRAPE" \
	"$(( (p1 - p0) * 1000 / $(getconf CLK_TCK) ))" "$CYCLES" <<'PY'
import json, sys
def kv(path):
    out = {}
    for line in open(path):
        k, _, v = line.strip().partition("=")
        try:
            out[k] = float(v) if "." in v else int(v)
        except ValueError:
            out[k] = v
    return out
ssh, prom = kv(sys.argv[1]), kv(sys.argv[2])
hosts, vms, exporters, scrape, prom_ms, cycles = (int(x) for x in sys.argv[4:10])
r = {
    "hosts": hosts, "vms": vms, "cycles": cycles,
    "ssh": ssh, "prometheus": prom,
    "console_cpu_ms_per_cycle": {"ssh": ssh.get("cpu_ms_per_cycle"), "prometheus": prom.get("cpu_ms_per_cycle")},
    "prometheus_server_cpu_ms_per_cycle": round(prom_ms / cycles, 2),
    "setup": "%d node_exporters serving %d scrape targets (label vhost), scrape every %d s; "
             "libvirt test:/// per host through the SSH tunnel on both sides; load average %s" % (
                 exporters, hosts, scrape, open("/proc/loadavg").read().split()[0]),
}
json.dump(r, open(sys.argv[3], "w"), indent=2, sort_keys=True)
print("console CPU per cycle at %d hosts: SSH %s ms, Prometheus %s ms (Prometheus itself: %s ms)" % (
    hosts, ssh.get("cpu_ms_per_cycle"), prom.get("cpu_ms_per_cycle"), r["prometheus_server_cpu_ms_per_cycle"]))
PY
say "wrote $OUT"
