#!/bin/sh
# test_ssh_flood.sh — a host that prints without end does not hurt the
# console (issue 11, item 2).  A real sshd forces `yes` as the command of
# one key (authorized_keys command="yes"), so that host's poll shell and
# every h:run flood: the console stays small (VmHWM), the host shows an
# error naming the cap, another host on the same sshd keeps updating, and
# h:run on the flooding host fails with the cap error (its own max_bytes
# when given).
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/sshd_test.sh"
if ! sshd_start >/dev/null 2>&1; then
	skip "sshd cannot run here"
	finish; exit $?
fi
cp "$SSHD_KEY" "$tmp/id" && chmod 600 "$tmp/id"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/flood_id"
printf 'command="yes" %s\n' "$(cat "$tmp/flood_id.pub")" >> "$SSHD_DIR/authorized_keys"

cat > "$tmp/cluster.lua" <<LUA
defaults { ssh = { user = "$SSHD_USER", port = $SSHD_PORT, known_hosts = "$SSHD_KNOWN_HOSTS" }, interval = 1 }
host { name = "calm", address = "127.0.0.1", libvirt = "test:///default", ssh = { identity = "$tmp/id" } }
host { name = "flood", address = "127.0.0.1", libvirt = "test:///default", ssh = { identity = "$tmp/flood_id" } }
LUA

cat > "$tmp/check.lua" <<'LUA'
local t = { pass = 0, fail = 0 }
local function ok(c, name, detail)
  if c then t.pass = t.pass + 1; print("ok - " .. name)
  else t.fail = t.fail + 1; print("not ok - " .. name .. (detail and (": " .. tostring(detail)) or "")) end
end
local calm, flood = vdeck.host("calm"), vdeck.host("flood")
ok(calm.state == "up", "the calm host is up", calm.state .. " " .. tostring(calm.shell_error))
local p0 = calm.last_poll
-- Several polls of the flooding host while the calm one keeps polling.
os.execute("sleep 5")
local a = vdeck.clock()
calm:refresh()
ok(vdeck.clock() - a < 2, "a refresh of the calm host is quick beside the flood", vdeck.clock() - a)
ok(calm.last_poll - p0 >= 4 and calm.state == "up", "the calm host kept updating",
   string.format("%.1f s of polls, %s", calm.last_poll - p0, calm.state))
ok(calm:run("echo fine") == "fine\n", "h:run on the calm host works")
local e = flood.shell_error or ""
ok(flood.state == "degraded", "the flooding host is degraded (libvirt answers, its shell does not)", flood.state)
ok(e:find("flood", 1, true) and e:find("16777216 bytes", 1, true) and e:find("the cap for one poll", 1, true),
   "its error names the host and the cap", e)
local good, err = pcall(flood.run, flood, "echo hi")
local msg = tostring(err)
ok(not good and err.code == "refused" and msg:find("flood", 1, true) and msg:find("16777216 bytes", 1, true)
   and msg:find("the cap for one command", 1, true), "h:run on it fails with the default cap", msg)
good, err = pcall(flood.run, flood, "echo hi", { max_bytes = "64K" })
msg = tostring(err)
ok(not good and msg:find("65536 bytes", 1, true), "h:run honours its max_bytes", msg)
good, err = pcall(flood.run, flood, "echo hi", { max_bytes = "1G" })
ok(not good and tostring(err):find("above the maximum", 1, true), "max_bytes has a maximum", tostring(err))
good, err = pcall(flood.run, flood, "echo hi", { max_bytes = 100 })
ok(not good and tostring(err):find("below the minimum", 1, true), "max_bytes has a minimum", tostring(err))
ok(calm:run("echo still") == "still\n", "the calm host still answers h:run")
local hwm
for l in io.lines("/proc/self/status") do hwm = hwm or tonumber(l:match("^VmHWM:%s*(%d+)")) end
ok(hwm and hwm < 100 * 1024, "the console's peak memory stays under 100 MB", tostring(hwm) .. " kB")
print(string.format("%d passed, %d failed", t.pass, t.fail))
os.exit(t.fail == 0 and 0 or 1)
LUA

# Without a cap the console grew 400 MB per poll until it died: bound its
# address space so that such a run fails here instead of starving the
# machine (not under ASan, which reserves terabytes of it).
case $VDECK in *asan*) limit=unlimited ;; *) limit=2000000 ;; esac
out=$( (ulimit -v $limit; timeout 120 "$VDECK" -c "$tmp/cluster.lua" --connect-timeout 3 --exec "$tmp/check.lua") 2>&1)
rc=$?
echo "$out"
line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p'); f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed/\1/p')
PASS=$((PASS + ${p:-0})); FAIL=$((FAIL + ${f:-0}))
[ $rc -eq 0 ] || [ "${f:-0}" -gt 0 ] || fail "the check script exits 0" "rc=$rc"
[ -n "$line" ] || fail "the check script ran to its end" "rc=$rc"
finish
