#!/bin/sh
# test_prometheus_vms.sh — per-VM figures from Prometheus (metrics
# libvirt_match) against Debian's own prometheus-libvirt-exporter.  A
# private libvirtd serves a test:/// node file; the exporter reads it over
# that daemon's socket; a private Prometheus scrapes the exporter every
# second.  vdeck's host reads the same daemon over libvirt (which, for the
# test driver over RPC, gives the domain list and states but no bulk
# statistics) and its per-VM figures from Prometheus: d:stats() must say
# source = "prometheus", name what the exporter lacks, and show the
# memory virsh dominfo shows and the block/NIC counters virsh domblkstat /
# domifstat show within a few scrapes (the test driver's counters grow
# with the clock).  Without libvirt_match the same host has no live stats.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
. "$root/tests/lib/libvirtd-private.sh"
VDECK=${VDECK:-$root/vdeck}
tmp=$(mktemp -d /dev/shm/vdeck-promvm.XXXXXX 2>/dev/null || mktemp -d)
cleanup() {
	for p in $exp_pid $prom_pid; do kill "$p" 2>/dev/null; done
	# only these two: a bare wait would also wait for the private libvirtd,
	# which ends only when libvirtd_private_stop below stops it
	for p in $exp_pid $prom_pid; do wait "$p" 2>/dev/null; done
	libvirtd_private_stop
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run"
EXP=$(command -v prometheus-libvirt-exporter || true)
PROM=$(command -v prometheus || true)
if [ -z "$EXP" ] || [ -z "$PROM" ]; then
	fail "prometheus and prometheus-libvirt-exporter installed" "run: sh tools/deps.sh test"
	finish; exit $?
fi
libvirtd_private_start 2>"$tmp/lvp.err"; rc=$?
if [ $rc -ne 0 ]; then fail "private libvirtd starts" "$(cat "$tmp/lvp.err")"; finish; exit $?; fi
uri=$(libvirtd_private_uri "$root/tests/fixtures/libvirt/node-a.xml")

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
eport=$(free_port)
"$EXP" --libvirt.uri="$uri" --web.listen-address="127.0.0.1:$eport" >"$tmp/exp.log" 2>&1 &
exp_pid=$!
pport=$(free_port)
cat >"$tmp/prometheus.yml" <<YML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: libvirt
    static_configs: [ { targets: [ "127.0.0.1:$eport" ] } ]
YML
"$PROM" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
	--web.listen-address="127.0.0.1:$pport" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
prom_pid=$!
n=0 ready=""
while [ $n -lt 300 ]; do
	c=$(curl -fsS --max-time 2 "http://127.0.0.1:$pport/api/v1/query" \
		--data-urlencode 'query=count(libvirt_domain_info_virtual_cpus)' 2>/dev/null |
		python3 -c 'import json,sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)' 2>/dev/null)
	[ "$c" = 2 ] && { ready=1; break; }
	sleep 0.2; n=$((n + 1))
done
if [ -n "$ready" ]; then ok "prometheus scrapes the libvirt exporter (2 running domains)"
else fail "prometheus scrapes the libvirt exporter" "$(tail -3 "$tmp/exp.log" "$tmp/prometheus.log")"; finish; exit $?; fi
sleep 2   # a few more scrapes, so rates have two points

# The exporter's own `up` is the host's series; its domains are its VMs.
cat >"$tmp/cluster.lua" <<LUA
defaults { metrics = { source = 'prometheus', url = 'http://127.0.0.1:$pport' } }
host { name = "p", transport = "none", libvirt = "$uri", interval = 1,
       metrics = { match = { job = "libvirt" }, libvirt_match = { instance = "127.0.0.1:$eport" } } }
host { name = "n", transport = "none", libvirt = "$uri", interval = 1,
       metrics = { match = { instance = "127.0.0.1:$eport" } } }
LUA
cat >"$tmp/show.lua" <<'LUA'
local function has(list, x) for _, v in ipairs(list or {}) do if v == x then return true end end return false end
vdeck.refresh()
local t0 = vdeck.clock()
while vdeck.clock() - t0 < 3 do vdeck.refresh() end   -- a second poll: rates
for _, name in ipairs({ "p", "n" }) do
  local h = vdeck.host(name)
  for _, d in ipairs(h:domains()) do
    local s = d:stats()
    print(string.format("%s %s live=%s source=%s unavailable=%s mem=%d max=%d rd=%d wr=%d rx=%d tx=%d cpu=%.1f",
      name, d.name:gsub(" ", "_"), tostring(s.live), tostring(s.source),
      tostring(has(s.unavailable, "numa_mem")), s.balloon.current, s.balloon.maximum,
      s.disks.rd_bytes, s.disks.wr_bytes, s.nics.rx_bytes, s.nics.tx_bytes, s.cpu_util))
  end
end
LUA
before=$(virsh -c "$uri" domblkstat alpha vda 2>&1 | awk '$2 == "rd_bytes" { print $3 }')
out=$("$VDECK" -c "$tmp/cluster.lua" --exec "$tmp/show.lua" 2>&1); rc=$?
after=$(virsh -c "$uri" domblkstat alpha vda 2>&1 | awk '$2 == "rd_bytes" { print $3 }')
echo "$out" | sed 's/^/# /'
[ $rc -eq 0 ] && ok "vdeck reads the hosts" || fail "vdeck reads the hosts" "exit $rc"
line=$(echo "$out" | grep '^p alpha ')
contains "alpha's stats come from Prometheus" "$line" "live=true source=prometheus unavailable=true"
contains "alpha's memory as virsh dominfo says" "$line" "mem=$(($(virsh -c "$uri" dominfo alpha | awk '/^Used memory/ { print $3 }') * 1024)) max=$(($(virsh -c "$uri" dominfo alpha | awk '/^Max memory/ { print $3 }') * 1024))"
contains "paused gamma & co from Prometheus too" "$(echo "$out" | grep '^p gamma_&_co ')" "live=true source=prometheus"
contains "shut-off beta: nothing from the exporter, not faked" "$(echo "$out" | grep '^p beta ')" "live=false source=nil"
# The test driver's counters grow with the clock: Prometheus' value lies
# between a few scrapes before `before` and `after`.
rd=$(echo "$line" | sed -n 's/.* rd=\([0-9]*\) .*/\1/p')
if python3 - "$before" "$after" "$rd" <<'PY'
import sys
b, a, v = (int(x) for x in sys.argv[1:4])
slack = 5 * 50000 * 2   # 5 s of the test driver's ~50 kB/s, twice over
sys.exit(0 if b - slack <= v <= a else 1)
PY
then ok "alpha's read bytes within a few scrapes of virsh domblkstat ($before <= $rd <= $after, with slack)"
else fail "alpha's read bytes match virsh domblkstat" "virsh $before..$after, prometheus $rd"; fi
cpu=$(echo "$line" | sed -n 's/.*cpu=\([0-9.]*\).*/\1/p')
python3 -c "import sys; sys.exit(0 if float('$cpu') > 0 else 1)" && ok "alpha's CPU % from two polls ($cpu)" ||
	fail "alpha's CPU % from two polls" "$cpu"
contains "without libvirt_match: no per-VM figures from Prometheus" "$(echo "$out" | grep '^n alpha ')" "live=false source=nil"
finish
