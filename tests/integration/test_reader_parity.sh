#!/bin/sh
# test_reader_parity.sh — the SSH reader and the local reader say the same
# thing about THIS machine: one host read through a real sshd (the poll
# shell over libssh2) and the same host read in-process (transport local),
# both on sysroot /, compared field by field: NUMA nodes, their CPU lists,
# memory and distances, meminfo, KSM, hugepages, the NIC list and its
# attributes, bonds.  Counters that move between the two reads are compared
# as present and plausible.  Real /proc and /sys matter: on recent kernels
# a sysfs cpulist answers a one-byte read with end-of-file, which a demo
# tree of regular files never does.  Then the poll protocol under refreshes
# that interleave with the host's own scheduled polls: none lost or late.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/sshd_test.sh"
sshd_start >/dev/null 2>"$tmp/sshd.err"; rc=$?
if [ $rc -eq 77 ]; then
	skip "sshd cannot run here: $(cat "$tmp/sshd.err")"
	finish; exit $?
elif [ $rc -ne 0 ]; then
	fail "sshd_start" "exit $rc: $(cat "$tmp/sshd.err")"
	finish; exit $?
fi
cp "$SSHD_KEY" "$tmp/id" && chmod 600 "$tmp/id"

cat > "$tmp/cluster.lua" <<LUA
defaults { ssh = { user = "$SSHD_USER", port = $SSHD_PORT, identity = "$tmp/id",
                   known_hosts = "$SSHD_KNOWN_HOSTS" } }
host { name = "over-ssh", address = "127.0.0.1", libvirt = "test:///default", sysroot = "/", interval = 600 }
host { name = "in-process", transport = "local", libvirt = "test:///default", sysroot = "/", interval = 600 }
host { name = "busy", address = "127.0.0.1", libvirt = "test:///default", sysroot = "/", interval = 0.2 }
LUA

cat > "$tmp/parity.lua" <<'LUA'
local t = { pass = 0, fail = 0 }
local function ok(c, name, detail)
  if c then t.pass = t.pass + 1; print("ok - " .. name)
  else t.fail = t.fail + 1; print("not ok - " .. name .. (detail and (": " .. tostring(detail)) or "")) end
end
local function near(a, b, rel) -- both present, within rel of each other
  return type(a) == "number" and type(b) == "number" and math.abs(a - b) <= rel * math.max(math.abs(a), math.abs(b), 1)
end
local function list(v) local s = {} for i, x in ipairs(v or {}) do s[i] = tostring(x) end return table.concat(s, ",") end

local s, l = vdeck.host("over-ssh"), vdeck.host("in-process")
s:refresh(); l:refresh()
ok(s.state == "up" and not s.shell_error, "ssh host read", s.shell_error)
ok(l.state == "up" and not l.shell_error, "local host read", l.shell_error)

-- NUMA
local sn, ln = s:numa(), l:numa()
ok(#sn == #ln and #ln >= 1, "same NUMA node count", #sn .. " vs " .. #ln)
local cpus = 0
for i = 1, math.max(#sn, #ln) do
  local a, b = sn[i] or {}, ln[i] or {}
  local id = tostring(b.id)
  ok(a.id == b.id, "node " .. id .. ": same id")
  ok(#b.cpus > 0 and list(a.cpus) == list(b.cpus), "node " .. id .. ": same CPU list",
     "ssh {" .. list(a.cpus) .. "} local {" .. list(b.cpus) .. "}")
  cpus = cpus + #(b.cpus or {})
  ok(a.implicit == b.implicit, "node " .. id .. ": both implicit or both from sysfs")
  ok(a.mem_total == b.mem_total, "node " .. id .. ": same memory", tostring(a.mem_total) .. " vs " .. tostring(b.mem_total))
  ok(near(a.mem_free, b.mem_free, 0.1), "node " .. id .. ": free memory plausible",
     tostring(a.mem_free) .. " vs " .. tostring(b.mem_free))
  ok(list(a.distance) == list(b.distance), "node " .. id .. ": same distances", list(a.distance) .. " vs " .. list(b.distance))
  ok(#(a.hugepages or {}) == #(b.hugepages or {}), "node " .. id .. ": same hugepage sizes")
end
local online = 0
for _ in io.lines("/proc/cpuinfo") do end
for line in io.lines("/proc/stat") do if line:match("^cpu%d") then online = online + 1 end end
ok(cpus == online, "the nodes hold every online CPU", cpus .. " vs " .. online)

-- meminfo, KSM, hugepages
local sm, lm = s:mem(), l:mem()
ok(sm.total == lm.total and lm.total > 0, "same MemTotal", sm.total .. " vs " .. lm.total)
ok(sm.swap_total == lm.swap_total, "same SwapTotal")
for _, k in ipairs({ "free", "available", "cached", "swap_free" }) do
  ok(near(sm[k], lm[k], 0.1), k .. " plausible", tostring(sm[k]) .. " vs " .. tostring(lm[k]))
end
ok(sm.ksm.run == lm.ksm.run and sm.ksm.merge_across_nodes == lm.ksm.merge_across_nodes,
   "same KSM settings", sm.ksm.run .. "/" .. sm.ksm.merge_across_nodes .. " vs " .. lm.ksm.run .. "/" .. lm.ksm.merge_across_nodes)
ok(sm.ksm.full_scans >= 0 and near(sm.ksm.pages_sharing, lm.ksm.pages_sharing, 0.2), "KSM counters plausible")
ok(#sm.hugepages == #lm.hugepages, "same hugepage sizes", #sm.hugepages .. " vs " .. #lm.hugepages)
for i, p in ipairs(lm.hugepages) do
  local q = sm.hugepages[i] or {}
  ok(q.page_size == p.page_size and q.total == p.total, "hugepages " .. p.page_size .. ": same pool")
end

-- NICs
local si, li = s:nics(), l:nics()
ok(#si == #li and #li >= 1, "same NIC count", #si .. " vs " .. #li)
local names = {}
for i = 1, math.max(#si, #li) do
  local a, b = si[i] or {}, li[i] or {}
  local n = tostring(b.name)
  names[#names + 1] = n
  ok(a.name == b.name, "NIC " .. n .. ": same name", tostring(a.name))
  ok(a.operstate == b.operstate and a.mtu == b.mtu and a.speed == b.speed and a.physical == b.physical,
     "NIC " .. n .. ": same state, MTU, speed, kind",
     string.format("%s/%s/%s/%s vs %s/%s/%s/%s", tostring(a.operstate), tostring(a.mtu), tostring(a.speed),
                   tostring(a.physical), tostring(b.operstate), tostring(b.mtu), tostring(b.speed), tostring(b.physical)))
  ok(a.sriov_totalvfs == b.sriov_totalvfs and a.bond == b.bond, "NIC " .. n .. ": same SR-IOV and bond")
  -- the ssh host was read first: its counters are not ahead of the local read
  ok(type(a.rx_bytes) == "number" and a.rx_bytes <= b.rx_bytes and a.tx_packets <= b.tx_packets,
     "NIC " .. n .. ": counters present and plausible", tostring(a.rx_bytes) .. " vs " .. tostring(b.rx_bytes))
end
ok(#s:bonds() == #l:bonds(), "same bonds")
ok(s:mem().cpu_util == nil or s:mem().cpu_util >= 0, "CPU utilisation plausible")
print("# NICs: " .. table.concat(names, " "))

-- Refreshes interleaved with a host's own polls every 0.2 s: every one
-- answered, none waiting out the timeout.
local b = vdeck.host("busy")
local worst, failed = 0, 0
for i = 1, 40 do
  local a0 = vdeck.clock()
  b:refresh()
  local d = vdeck.clock() - a0
  if d > worst then worst = d end
  if b.shell_error then failed = failed + 1; print("# poll failed: " .. b.shell_error) end
  if i % 3 == 0 then os.execute("sleep 0.07") end
end
ok(failed == 0, "40 refreshes between scheduled polls: none failed", failed)
ok(worst < 1.5, "none waited out a timeout", string.format("worst %.3f s", worst))
ok(#b:numa()[1].cpus > 0, "the busy host's CPU lists are there too")
print(string.format("%d passed, %d failed", t.pass, t.fail))
os.exit(t.fail == 0 and 0 or 1)
LUA

out=$(timeout 120 "$VDECK" -c "$tmp/cluster.lua" --connect-timeout 3 --exec "$tmp/parity.lua" 2>&1); rc=$?
echo "$out"
line=$(echo "$out" | tail -n 1)
p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p'); f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed/\1/p')
PASS=$((PASS + ${p:-0})); FAIL=$((FAIL + ${f:-0}))
[ -n "$p" ] || fail "the parity script ran to its end" "rc=$rc"
[ $rc -eq 0 ] || [ "${f:-0}" -gt 0 ] || fail "parity script exits 0" "rc=$rc"

# The kernel line of --check is the same whichever way the host is read.
chk=$("$VDECK" -c "$tmp/cluster.lua" --hosts 'over-ssh,in-process' --connect-timeout 3 --check 2>&1)
kernel=$(cat /proc/sys/kernel/osrelease)
n=$(echo "$chk" | grep -c -- "$kernel")
[ "$n" -ge 2 ] && ok "--check shows the kernel for both readers" || fail "--check shows the kernel for both readers" "$chk"
finish
