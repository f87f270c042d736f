#!/bin/sh
# test_prometheus.sh — metrics.source = "prometheus" against Debian's own
# prometheus and prometheus-node-exporter.  Three host trees from the
# demo generator (completed by tests/lib/prom-tree.sh), one node_exporter
# on each (--path.procfs/--path.sysfs under the tree, its own port on
# 127.0.0.1), one private Prometheus scraping them every second.  One
# vdeck reads every host twice: from Prometheus (pN) and from the same
# tree in-process (lN, the reader SSH hosts use).  Both must say the same
# thing: memory, KSM, NUMA node memory and hugepages, NIC counters, MTU,
# speed and state, bonds; what Prometheus does not carry is nil and named
# in `unavailable`, with source = "prometheus".  Then Prometheus is
# stopped while vdeck runs: its hosts go degraded with the Prometheus
# error, their metrics raise unreachable/stale; started again on the
# same port, the hosts come back up.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
VDECK=${VDECK:-$root/vdeck}
tmp=$(mktemp -d /dev/shm/vdeck-prom.XXXXXX 2>/dev/null || mktemp -d)
pids=""
cleanup() {
	for p in $pids $prom_pid $run_pid; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run"
NE=$(command -v prometheus-node-exporter || true)
PROM=$(command -v prometheus || true)
if [ -z "$NE" ] || [ -z "$PROM" ]; then
	fail "prometheus and prometheus-node-exporter installed" "run: sh tools/deps.sh test"
	finish; exit $?
fi

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_http URL SECONDS [GREP]: until URL answers (and its body matches GREP)
wait_http() {
	n=0
	while [ "$n" -lt $(($2 * 5)) ]; do
		body=$(curl -fsS --max-time 2 "$1" 2>/dev/null) && { [ -z "$3" ] || echo "$body" | grep -q "$3"; } && return 0
		sleep 0.2; n=$((n + 1))
	done
	return 1
}

VDECK_KEEP_DEMO=1 TMPDIR=$tmp "$VDECK" --demo=3x6 -e 'return 1' >/dev/null 2>"$tmp/demo.err" ||
	{ fail "demo trees" "$(cat "$tmp/demo.err")"; finish; exit $?; }
tree=$(echo "$tmp"/vdeck-demo-*)
hosts=$(cd "$tree/hosts" && ls -d */ | tr -d / | sort)
for h in $hosts; do sh "$root/tests/lib/prom-tree.sh" "$tree/hosts/$h/root"; done

# One node_exporter per tree, the collectors that read what vdeck reads.
targets="" inv="$tmp/cluster.lua" i=0
: >"$inv"
for h in $hosts; do
	port=$(free_port)
	r=$tree/hosts/$h/root
	"$NE" --web.listen-address="127.0.0.1:$port" --path.procfs="$r/proc" --path.sysfs="$r/sys" \
		--collector.disable-defaults --collector.cpu --collector.meminfo --collector.meminfo_numa \
		--collector.vmstat --collector.netdev --no-collector.netdev.netlink --collector.netclass \
		--collector.bonding --collector.ksmd --collector.uname >"$tmp/ne-$h.log" 2>&1 &
	pids="$pids $!"
	wait_http "http://127.0.0.1:$port/metrics" 20 || fail "node_exporter for $h answers"
	targets="$targets${targets:+, }'127.0.0.1:$port'"
	i=$((i + 1))
	cat >>"$inv" <<LUA
host { name = "p$i", transport = "none", libvirt = "test:///default", interval = 1,
       metrics = { match = { instance = "127.0.0.1:$port" } } }
host { name = "l$i", transport = "local", libvirt = "test:///default", sysroot = "$r", interval = 1,
       metrics = { source = "shell" } }
LUA
done
nhosts=$i
pport=$(free_port)
{
	echo "defaults { metrics = { source = 'prometheus', url = 'http://127.0.0.1:$pport/' }, connect_timeout = 2 }"
	cat "$inv"
} >"$inv.new" && mv "$inv.new" "$inv"
cat >"$tmp/prometheus.yml" <<YML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: node
    static_configs: [ { targets: [ $(echo "$targets" | tr "'" '"') ] } ]
YML
start_prometheus() {
	"$PROM" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
		--web.listen-address="127.0.0.1:$pport" --log.level=warn >>"$tmp/prometheus.log" 2>&1 &
	prom_pid=$!
	# Ready once every target was scraped: three `up` series equal to 1.
	n=0
	while [ $n -lt 300 ]; do
		c=$(curl -fsS --max-time 2 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode 'query=count(up == 1)' \
			2>/dev/null | python3 -c 'import json,sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)' 2>/dev/null)
		[ "$c" = "$nhosts" ] && return 0
		sleep 0.2; n=$((n + 1))
	done
	return 1
}
if start_prometheus; then ok "prometheus scrapes the $nhosts node_exporters"
else fail "prometheus scrapes the $nhosts node_exporters" "$(tail -5 "$tmp/prometheus.log")"; finish; exit $?; fi
sleep 2   # two more scrapes: each series has a value at every instant queried below

cat >"$tmp/compare.lua" <<'LUA'
local t = { pass = 0, fail = 0 }
local function ok(c, name, detail)
  if c then t.pass = t.pass + 1 else t.fail = t.fail + 1; print("not ok - " .. name .. (detail and (": " .. tostring(detail)) or "")) end
end
local function has(list, x) for _, v in ipairs(list or {}) do if v == x then return true end end return false end
local n = tonumber(os.getenv("NHOSTS"))
vdeck.refresh()
for i = 1, n do
  local p, l = vdeck.host("p" .. i), vdeck.host("l" .. i)
  ok(p.state == "up", "p" .. i .. " up", p.error)
  local pm, lm = p:mem(), l:mem()
  ok(pm.source == "prometheus" and lm.source == nil, "p" .. i .. ": mem source")
  for _, k in ipairs({ "total", "free", "available", "cached", "swap_total", "swap_free" }) do
    ok(pm[k] == lm[k], "p" .. i .. " mem." .. k, tostring(pm[k]) .. " vs " .. tostring(lm[k]))
  end
  for _, k in ipairs({ "run", "pages_shared", "pages_sharing", "full_scans", "merge_across_nodes", "saved" }) do
    ok(pm.ksm[k] == lm.ksm[k], "p" .. i .. " ksm." .. k, tostring(pm.ksm[k]) .. " vs " .. tostring(lm.ksm[k]))
  end
  ok(#pm.hugepages == 1 and pm.hugepages[1].total == lm.hugepages[1].total and
     pm.hugepages[1].free == lm.hugepages[1].free, "p" .. i .. " hugepages (default size)")
  local pn, ln = p:numa(), l:numa()
  ok(#pn == #ln and #pn >= 2, "p" .. i .. " same NUMA nodes", #pn .. " vs " .. #ln)
  ok(pn.source == "prometheus" and has(pn.unavailable, "cpus") and has(pn.unavailable, "distance"),
     "p" .. i .. " numa: what Prometheus lacks is named")
  for j = 1, #ln do
    local a, b = pn[j] or {}, ln[j]
    ok(a.id == b.id and a.mem_total == b.mem_total and a.mem_free == b.mem_free,
       "p" .. i .. " node " .. b.id .. " memory", tostring(a.mem_total) .. "/" .. tostring(a.mem_free) ..
       " vs " .. b.mem_total .. "/" .. b.mem_free)
    ok(a.cpus == nil and a.distance == nil, "p" .. i .. " node " .. b.id .. ": cpus, distance unknown, not faked")
    ok(a.hugepages and b.hugepages[1] and a.hugepages[1] and a.hugepages[1].total == b.hugepages[1].total and
       a.hugepages[1].free == b.hugepages[1].free, "p" .. i .. " node " .. b.id .. " hugepages")
  end
  local byname = {}
  local pnics = p:nics()
  for _, x in ipairs(pnics) do byname[x.name] = x end
  ok(pnics.source == "prometheus" and has(pnics.unavailable, "physical"), "p" .. i .. " nics: source")
  local compared = 0
  for _, b in ipairs(l:nics()) do
    local a = byname[b.name]
    ok(a ~= nil, "p" .. i .. " nic " .. b.name .. " present")
    a = a or {}
    ok(a.operstate == b.operstate and a.mtu == b.mtu and a.speed == b.speed,
       "p" .. i .. " nic " .. b.name .. " state, mtu, speed",
       tostring(a.operstate) .. "/" .. tostring(a.mtu) .. "/" .. tostring(a.speed) .. " vs " ..
       tostring(b.operstate) .. "/" .. tostring(b.mtu) .. "/" .. tostring(b.speed))
    if b.name ~= "lo" then   -- node_exporter's netdev leaves lo out by default
      compared = compared + 1
      for _, k in ipairs({ "rx_bytes", "tx_bytes", "rx_packets", "tx_packets", "rx_drops", "tx_drops", "rx_errors", "tx_errors" }) do
        ok(a[k] == b[k], "p" .. i .. " nic " .. b.name .. " " .. k, tostring(a[k]) .. " vs " .. tostring(b[k]))
      end
    end
  end
  ok(compared >= 3, "p" .. i .. " NIC counters compared", compared)
  local pb, lb = p:bonds(), l:bonds()
  ok(#pb == #lb, "p" .. i .. " same bonds", #pb .. " vs " .. #lb)
  ok(pb.source == "prometheus" and has(pb.unavailable, "partner_mac") and has(pb.unavailable, "ports"),
     "p" .. i .. " bonds: LACP partner named unavailable")
  for j = 1, #lb do
    local a, b = pb[j] or {}, lb[j]
    local up = 0
    for _, port in ipairs(b.ports) do if port.mii_status == "up" then up = up + 1 end end
    ok(a.name == b.name and a.mii_status == b.mii_status and a.ports_total == #b.ports and a.ports_up == up,
       "p" .. i .. " bond " .. b.name, tostring(a.ports_up) .. "/" .. tostring(a.ports_total) .. " vs " .. up .. "/" .. #b.ports)
    ok(a.partner_mac == nil and a.mode == nil and #a.ports == 0, "p" .. i .. " bond " .. b.name .. ": LACP details not faked")
  end
end
print(t.pass .. " compared, " .. t.fail .. " differ")
if t.fail > 0 then os.exit(1) end
LUA
out=$(NHOSTS=$nhosts "$VDECK" -c "$inv" --exec "$tmp/compare.lua" 2>&1); rc=$?
if [ $rc -eq 0 ]; then ok "same values from Prometheus as from the trees ($(echo "$out" | tail -1))"
else fail "same values from Prometheus as from the trees" "$(echo "$out" | head -30)"; fi

# A Prometheus that goes away, and comes back, while vdeck runs.
cat >"$tmp/outage.lua" <<'LUA'
local dir, n = os.getenv("T"), tonumber(os.getenv("NHOSTS"))
local function exists(f) local h = io.open(dir .. "/" .. f) if h then h:close() return true end end
local function say(f) io.open(dir .. "/" .. f, "w"):close() end
local function all(state)
  for i = 1, n do if vdeck.host("p" .. i).state ~= state then return false end end
  return true
end
local function wait(cond, what)
  local t0 = vdeck.clock()
  while not cond() do
    if vdeck.clock() - t0 > 60 then print("timeout: " .. what) os.exit(1) end
    vdeck.refresh()
  end
end
wait(function() return all("up") end, "hosts up")
say("up")
wait(function() return exists("stopped") end, "prometheus stopped")
wait(function() return all("degraded") end, "hosts degraded")
local p = vdeck.host("p1")
print("degraded: " .. tostring(p.shell_error))
-- Kept until they are older than the connect timeout, then refused.
wait(function() return not pcall(p.mem, p) end, "metrics refused")
local okm, e = pcall(p.mem, p)
print("mem: " .. (okm and "returned" or tostring(e)))
print("local: " .. vdeck.host("l1").state)
say("down")
wait(function() return exists("started") end, "prometheus started")
wait(function() return all("up") end, "hosts up again")
print("back: " .. vdeck.host("p1").state .. " " .. tostring(vdeck.host("p1"):mem().total))
LUA
T=$tmp NHOSTS=$nhosts "$VDECK" -c "$inv" --exec "$tmp/outage.lua" >"$tmp/outage.out" 2>&1 &
run_pid=$!
waitfile() { n=0; while [ ! -f "$tmp/$1" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done; [ -f "$tmp/$1" ]; }
if waitfile up; then
	kill "$prom_pid"; wait "$prom_pid" 2>/dev/null; prom_pid=""
	: >"$tmp/stopped"
	if waitfile down; then
		start_prometheus || fail "prometheus restarts"
		: >"$tmp/started"
	fi
fi
wait "$run_pid"; rc=$?; run_pid=""
out=$(cat "$tmp/outage.out")
[ $rc -eq 0 ] && ok "vdeck ran through the outage" || fail "vdeck ran through the outage" "exit $rc: $(echo "$out" | tail -5)"
contains "hosts of a stopped Prometheus go degraded, naming it" "$out" "degraded: prometheus http://127.0.0.1:$pport/"
contains "their metrics are no longer returned" "$out" "mem: "
case $out in *"mem: returned"*) fail "h:mem() of a host whose Prometheus is gone raises" "$out" ;; esac
contains "hosts read from their files are not affected" "$out" "local: up"
contains "the hosts come back with the Prometheus" "$out" "back: up "
finish
