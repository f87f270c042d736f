#!/bin/sh
# test_ssh_metrics.sh — host metrics over a real OpenSSH sshd on 127.0.0.1:
# several hosts with their own sysroots, NIC rates from rewritten counters,
# bond alerts, strict host keys, --accept-new-hostkeys, and dead hosts that
# never delay the others.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
VDECK=${VDECK:-$root/vdeck}
tmp=$(mktemp -d)
chmod 755 "$tmp"
SSHD_NO_TRAP=1
. "$root/tests/lib/sshd.sh"
cleanup() {
	[ -n "$hole_pid" ] && kill "$hole_pid" 2>/dev/null
	sshd_stop >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run"
sshd_start >/dev/null 2>"$tmp/sshd.err"; rc=$?
if [ $rc -eq 77 ]; then
	skip "sshd cannot run here: $(cat "$tmp/sshd.err")"
	finish; exit $?
elif [ $rc -ne 0 ]; then
	fail "sshd_start" "exit $rc: $(cat "$tmp/sshd.err")"
	finish; exit $?
fi

# Host trees: three hosts of a generated demo, readable by the login user.
VDECK_KEEP_DEMO=1 TMPDIR=$tmp "$VDECK" --demo=8x8 -e 'return 1' >/dev/null
demo=$(ls -d "$tmp"/vdeck-demo-*)
chmod -R a+rX "$tmp"
cp -R "$root/tests/fixtures/sysroot-vmnuma" "$tmp/vmnuma"
chmod -R a+rX "$tmp"
cp "$SSHD_KEY" "$tmp/id" && chmod 600 "$tmp/id"
: > "$tmp/empty_known_hosts"

# A port that is closed, and one that accepts but never says a word.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
closed=$(free_port)
hole=$(free_port)
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $hole)); s.listen(16)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
" & hole_pid=$!

cat > "$tmp/cluster.lua" <<LUA
defaults { ssh = { user = "$SSHD_USER", port = $SSHD_PORT, identity = "$tmp/id",
                   known_hosts = "$SSHD_KNOWN_HOSTS" }, interval = 1 }
host { name = "s1", address = "127.0.0.1", libvirt = "test:///default", sysroot = "$demo/hosts/cna01/root",
       interval = 600 }   -- polled only when the test asks: rates are between its two refreshes
host { name = "s4", address = "127.0.0.1", libvirt = "test:///default", sysroot = "$demo/hosts/cna04/root" }
host { name = "numa", address = "127.0.0.1", libvirt = "test://$root/tests/fixtures/libvirt/node-a.xml",
       sysroot = "$tmp/vmnuma" }
host { name = "closed", address = "127.0.0.1", libvirt = "test:///default", ssh = { port = $closed } }
host { name = "hole", address = "127.0.0.1", libvirt = "test:///default", ssh = { port = $hole } }
host { name = "stranger", address = "127.0.0.1", libvirt = "test:///default",
       ssh = { known_hosts = "$tmp/empty_known_hosts" } }
LUA

cat > "$tmp/check.lua" <<'LUA'
local args = {}
for _, kv in ipairs({ ... }) do local k, v = kv:match("^(%w+)=(.*)$"); args[k] = v end
local demo = args.demo
local t = { pass = 0, fail = 0 }
local function ok(c, name, detail)
  if c then t.pass = t.pass + 1; print("ok - " .. name)
  else t.fail = t.fail + 1; print("not ok - " .. name .. (detail and (": " .. tostring(detail)) or "")) end
end
local s1, s4 = vdeck.host("s1"), vdeck.host("s4")
ok(s1.state == "up", "ssh host is up", s1.error)
-- NUMA: the tree's node folders.
local nodes = 0
for _ in io.popen("ls -d " .. demo .. "/hosts/cna01/root/sys/devices/system/node/node[0-9]*"):lines() do nodes = nodes + 1 end
ok(#s1:numa() == nodes and nodes >= 2, "numa nodes over ssh match the tree", #s1:numa() .. " vs " .. nodes)
ok(#s1:numa()[1].cpus > 0 and s1:numa()[1].mem_total > 0, "node cpus and memory")
ok(s1:mem().total > 0 and s1:mem().ksm.saved > 0, "meminfo and KSM saving")
-- NIC rates from counters rewritten between two polls (proc/net/dev: the
-- counters of every NIC in one file).
local path = demo .. "/hosts/cna01/root/proc/net/dev"
local function read_all() local f = io.open(path); local v = f:read("a"); f:close(); return v end
local function counter() return tonumber(read_all():match("\n%s*ens1f0:%s*(%d+)")) end
s1:refresh()
local t0, c0 = s1.last_poll, counter()
local text = read_all():gsub("(\n%s*ens1f0:%s*)%d+", function(head) return head .. string.format("%d", c0 + 125000000) end)
local f = io.open(path, "w"); f:write(text); f:close()
os.execute("sleep 1")
s1:refresh()
local dt = s1.last_poll - t0
local nic
for _, n in ipairs(s1:nics()) do if n.name == "ens1f0" then nic = n end end
local want = 125000000 * 8 / dt
ok(nic and nic.rx_bps and math.abs(nic.rx_bps - want) / want < 0.15, "rx bits/s from the counter delta",
   nic and string.format("%s vs %.0f (dt %.3f)", tostring(nic.rx_bps), want, dt))
-- Bond alerts (cna04 has a port down in the demo).
local alerts = s4:alerts()
local kinds = {}
for _, a in ipairs(alerts) do kinds[a.kind] = true end
ok(kinds.bond_port_down, "bond port down is an alert", #alerts)
local down_port
for _, p in ipairs(s4:bonds()[1].ports) do if p.mii_status == "down" then down_port = p end end
ok(down_port and down_port.alert, "the port is flagged in h:bonds()")
-- Per-VM NUMA memory computed on the host by the poll script's awk.
local numa = vdeck.domain("alpha"):stats().numa_mem
ok(numa[0] == (1650 + 10000 + 262144) * 4096 and numa[1] == (2510 + 33) * 4096 + 512 * 2048 * 1024,
   "per-VM NUMA memory from numa_maps over ssh", tostring(numa[0]) .. " " .. tostring(numa[1]))
-- Ad-hoc commands over the same session.
local out, err, status = s1:run("echo hi; echo oops >&2; exit 3")
ok(out == "hi\n" and err == "oops\n" and status == 3, "h:run returns stdout, stderr, status")
-- Dead and unknown hosts.
local closed = vdeck.host("closed")
ok(closed.state == "degraded", "closed ssh port: degraded (libvirt still answers)", closed.state)
ok(closed.shell_error and closed.shell_error:lower():find("refused"), "with the ssh error", closed.shell_error)
local stranger = vdeck.host("stranger")
ok(stranger.state == "degraded", "unknown host key refused", stranger.state)
ok(stranger.shell_error and stranger.shell_error:find("SHA256:") and stranger.shell_error:find("ssh%-ed25519"),
   "refusal names key type and fingerprint", stranger.shell_error)
-- A host that never answers does not delay the others.
local start = os.clock()
local w0 = os.time()
for _ = 1, 3 do s1:refresh() end
ok(os.time() - w0 <= 2, "three polls of s1 while 'hole' hangs take under 2 s")
local hole = vdeck.host("hole")
ok(hole.state ~= "up", "the silent host is not up", hole.state)
print(string.format("%d passed, %d failed", t.pass, t.fail))
os.exit(t.fail == 0 and 0 or 1)
LUA
start=$(date +%s)
"$VDECK" -c "$tmp/cluster.lua" --connect-timeout 2 --exec "$tmp/check.lua" demo="$demo" > "$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
line=$(tail -n 1 "$tmp/out")
p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p'); f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed/\1/p')
PASS=$((PASS + ${p:-0})); FAIL=$((FAIL + ${f:-0}))
[ $rc -eq 0 ] || [ "${f:-0}" -gt 0 ] || fail "metrics script exits 0" "rc=$rc"
el=$(( $(date +%s) - start ))
[ $el -le 8 ] && ok "whole run with a hanging host took ${el}s (connect timeout 2 s)" || fail "whole run bounded" "${el}s"

# --accept-new-hostkeys records the unknown key, then strict checking passes.
: > "$tmp/learn_known_hosts"
cat > "$tmp/learn.lua" <<LUA
host { name = "learner", address = "127.0.0.1", libvirt = "test:///default", sysroot = "$demo/hosts/cna02/root",
       ssh = { user = "$SSHD_USER", port = $SSHD_PORT, identity = "$tmp/id", known_hosts = "$tmp/learn_known_hosts" } }
LUA
out=$("$VDECK" -c "$tmp/learn.lua" --connect-timeout 3 -e 'print(vdeck.host("learner").state)' 2>&1)
contains "without the flag an unknown key is refused" "$out" "degraded"
out=$("$VDECK" -c "$tmp/learn.lua" --connect-timeout 3 --accept-new-hostkeys -e 'print(vdeck.host("learner").state)' 2>&1)
echo "$out" | grep -qx up && ok "with --accept-new-hostkeys the host is up" || fail "with --accept-new-hostkeys the host is up" "$out"
contains "and the key is recorded" "$(cat "$tmp/learn_known_hosts")" "[127.0.0.1]:$SSHD_PORT ssh-ed25519"
out=$("$VDECK" -c "$tmp/learn.lua" --connect-timeout 3 -e 'print(vdeck.host("learner").state)' 2>&1)
echo "$out" | grep -qx up && ok "next run trusts the recorded key" || fail "next run trusts the recorded key" "$out"
# A changed key is refused even with the flag.
sed -i 's/ssh-ed25519 AAAA\(.\)/ssh-ed25519 AAAA\1x/' "$tmp/learn_known_hosts"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/other" >/dev/null
printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(cut -d' ' -f1,2 "$tmp/other.pub")" > "$tmp/learn_known_hosts"
out=$("$VDECK" -c "$tmp/learn.lua" --connect-timeout 3 --accept-new-hostkeys -e 'local h = vdeck.host("learner"); print(h.state, h.shell_error)' 2>&1)
contains "a changed key is refused even with --accept-new-hostkeys" "$out" "degraded"
contains "the refusal says the key changed" "$(echo "$out" | tr 'A-Z' 'a-z')" "changed"

# A host cut off and reconnected comes back up on its own.
proxy_port=$(free_port)
cat > "$tmp/proxy.py" <<PY
import socket, threading, sys
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", $proxy_port)); ls.listen(16)
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d: break
            b.sendall(d)
    except OSError: pass
    for s in (a, b):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
while True:
    c, _ = ls.accept()
    u = socket.create_connection(("127.0.0.1", $SSHD_PORT))
    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()
PY
python3 "$tmp/proxy.py" </dev/null >/dev/null 2>&1 & echo $! > "$tmp/proxy.pid"
i=0; while ! sshd__listening "$proxy_port" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
sed "s/\[127.0.0.1\]:$SSHD_PORT /[127.0.0.1]:$proxy_port /" "$SSHD_KNOWN_HOSTS" > "$tmp/proxy_known_hosts"
cat > "$tmp/flaky.lua" <<LUA
host { name = "flaky", address = "127.0.0.1", libvirt = "test:///default", sysroot = "$demo/hosts/cna03/root",
       interval = 0.5, ssh = { user = "$SSHD_USER", port = $proxy_port, identity = "$tmp/id",
       known_hosts = "$tmp/proxy_known_hosts" } }
LUA
cat > "$tmp/flaky_check.lua" <<'LUA'
local tmp = ...
tmp = tmp:match("^tmp=(.*)")
local h = vdeck.host("flaky")
local function wait_for(state, secs)
  local deadline = os.time() + secs
  while os.time() <= deadline do
    if h.state == state then return true end
    os.execute("sleep 0.2"); vdeck.refresh()
  end
  return false
end
print(wait_for("up", 6) and "started-up" or ("start-" .. h.state))
os.execute("kill $(cat " .. tmp .. "/proxy.pid)")
print(wait_for("degraded", 6) and "went-degraded" or ("stuck-" .. h.state))
os.execute("python3 " .. tmp .. "/proxy.py </dev/null >/dev/null 2>&1 & echo $! > " .. tmp .. "/proxy.pid")
print(wait_for("up", 12) and "came-back" or ("not-back-" .. h.state .. " " .. tostring(h.shell_error)))
LUA
out=$(timeout 60 "$VDECK" -c "$tmp/flaky.lua" --connect-timeout 2 --exec "$tmp/flaky_check.lua" tmp="$tmp" 2>&1)
contains "ssh host starts up" "$out" "started-up"
contains "losing ssh makes the host degraded" "$out" "went-degraded"
contains "it comes back up on its own" "$out" "came-back"
kill "$(cat "$tmp/proxy.pid")" 2>/dev/null

# --check over ssh: rows with round trips; a degraded host does not fail it, a down one does.
out=$("$VDECK" -c "$tmp/cluster.lua" --hosts 's1,s4' --connect-timeout 2 --check); rc=$?
[ $rc -eq 0 ] && ok "--check exits 0 with ssh hosts up" || fail "--check exits 0 with ssh hosts up" "rc=$rc $out"
contains "--check shows the kernel" "$out" "$(cat "$demo/hosts/cna01/root/proc/sys/kernel/osrelease")"
finish
