#!/bin/sh
# test_stale_data.sh — old data is not shown as current.  A host polled
# over a real sshd and libvirt's test:/// driver; the sshd and its sessions
# are killed while libvirt keeps answering.  After the connect timeout:
# h:mem() and h:nics() raise "stale" naming the host, the source and the
# age (an uncaught one exits 3); { allow_stale = true } returns the old
# values marked stale = true; h.age shows the shell side ageing while
# libvirt stays fresh; h.last_poll (a poll both answered) stops; the
# domain list is not stale; h:alerts() carries a "stale" alert.  The host
# is "degraded" in Lua, in a running console (with its stale marker, and
# the shell's age marked STALE in the Host view) and in --check.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
VDECK=${VDECK:-$root/vdeck}
tmp=$(mktemp -d)
chmod 755 "$tmp"
SOCK=vdeck-stale-$$
SSHD_NO_TRAP=1
. "$root/tests/lib/sshd.sh"
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	[ -n "$exec_pid" ] && kill "$exec_pid" 2>/dev/null
	sshd_stop >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run"
if ! command -v tmux >/dev/null 2>&1; then
	skip "tmux is not installed"
	finish; exit $?
fi
sshd_start >/dev/null 2>"$tmp/sshd.err"; rc=$?
if [ $rc -eq 77 ]; then
	skip "sshd cannot run here: $(cat "$tmp/sshd.err")"
	finish; exit $?
elif [ $rc -ne 0 ]; then
	fail "sshd_start" "exit $rc: $(cat "$tmp/sshd.err")"
	finish; exit $?
fi

VDECK_KEEP_DEMO=1 TMPDIR=$tmp "$VDECK" --demo=2x2 -e 'return 1' >/dev/null
demo=$(ls -d "$tmp"/vdeck-demo-*)
cp "$SSHD_KEY" "$tmp/id" && chmod 600 "$tmp/id"
chmod -R a+rX "$tmp"
cat > "$tmp/cluster.lua" <<LUA
host { name = "s", address = "127.0.0.1", libvirt = "test:///default", sysroot = "$demo/hosts/cna01/root",
       interval = 1, ssh = { user = "$SSHD_USER", port = $SSHD_PORT, identity = "$tmp/id",
       known_hosts = "$SSHD_KNOWN_HOSTS" } }
LUA

# The sshd (started under `timeout`) and every session it forked: all of
# its descendants, by pid.
tree() { echo "$1"; for c in $(ps -o pid= --ppid "$1"); do tree "$c"; done; }
kill_sshd() { kill -9 $(tree "$SSHD_PID") 2>/dev/null; }

screen() { tmux -L "$SOCK" capture-pane -p 2>/dev/null; }
wait_screen() { # REGEX SECONDS
	n=0
	while [ $n -lt $(( $2 * 10 )) ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1; n=$((n + 1))
	done
	return 1
}
wait_file() { # FILE SECONDS
	n=0
	while [ ! -e "$1" ] && [ $n -lt $(( $2 * 10 )) ]; do sleep 0.1; n=$((n + 1)); done
	[ -e "$1" ]
}

cat > "$tmp/stale.lua" <<'LUA'
local tmp = (...):match("^tmp=(.*)")
local function exists(p) local f = io.open(p); if f then f:close() end; return f ~= nil end
local h = vdeck.host("s")
local pass, failed = 0, 0
local function ok(c, name, detail)
  if c then pass = pass + 1; print("ok - " .. name)
  else failed = failed + 1; print("not ok - " .. name .. (detail ~= nil and (": " .. tostring(detail)) or "")) end
end
local function stale_error(fn, ...)
  local good, e = pcall(fn, ...)
  return not good and type(e) == "table" and e.code == "stale", e
end
while h.state ~= "up" do os.execute("sleep 0.1"); vdeck.refresh() end
local total = h:mem().total
ok(h:mem().stale == nil and h.age.shell < 2 and h.age.libvirt < 2, "fresh data is not marked",
   string.format("shell %s libvirt %s", tostring(h.age.shell), tostring(h.age.libvirt)))
io.open(tmp .. "/ready", "w"):close()
while not exists(tmp .. "/killed") do os.execute("sleep 0.1") end
-- Poll until reading the host's files raises "stale" (2 s timeout + 1 s interval).
local t0, e = os.time()
repeat
  os.execute("sleep 0.2"); vdeck.refresh()
  local is_stale
  is_stale, e = stale_error(h.mem, h)
until is_stale or os.time() - t0 > 12
ok(e and e.code == "stale", "h:mem() raises stale once the shell side is silent", e)
ok(os.time() - t0 <= 7, "within the connect timeout plus an interval", os.time() - t0)
ok(e and e.host == "s" and e.source == "shell" and type(e.age) == "number" and e.age > 2,
   "the error names the host, the source and the age", e and string.format("%s %s %s", e.host, e.source, e.age))
ok(tostring(e):match("^mem: s: stale data: shell last answered [%d.]+ s ago %(connect timeout 2 s%)"),
   "its message says so", tostring(e))
local m = h:mem{ allow_stale = true }
ok(m.stale == true and m.total == total, "allow_stale returns the old values, marked stale")
ok((stale_error(h.nics, h)), "h:nics() raises stale too")
ok(h:nics{ allow_stale = true }.stale == true, "h:nics{allow_stale=true} is marked")
ok(h.state == "degraded", "h.state is degraded", h.state)
ok(h.age.shell > 2 and h.age.libvirt < 2, "h.age: the shell side ages, libvirt stays fresh",
   string.format("shell %s libvirt %s", tostring(h.age.shell), tostring(h.age.libvirt)))
local function wall() local p = io.popen("date +%s.%N"); local t = p:read("n"); p:close(); return t end
local lp = h.last_poll
vdeck.refresh(); vdeck.refresh()
ok(h.last_poll == lp and wall() - lp > 2, "h.last_poll stays at the last poll both sources answered",
   string.format("%s -> %s at %s", lp, h.last_poll, wall()))
local doms = h:domains()
ok(#doms > 0 and doms.stale == nil, "the domain list from libvirt is not stale")
local kinds = {}
for _, a in ipairs(h:alerts()) do kinds[a.kind] = a.message end
ok(kinds.stale and kinds.stale:match("metrics are %d+ s old") and kinds.host_degraded,
   "h:alerts() does not raise: a stale alert beside host_degraded", vdeck.json(kinds))
print(string.format("%d passed, %d failed", pass, failed))
io.open(tmp .. "/checked", "w"):close()
while not exists(tmp .. "/console-done") do os.execute("sleep 0.1") end
h:mem()   -- uncaught: exits 3 (a host that does not answer), the error on stderr
LUA

# The console, on the same inventory, from before sshd goes.
printf '%s\n' "'$VDECK' -c '$tmp/cluster.lua' --connect-timeout 2 2>'$tmp/tui.err'" "sleep 60" > "$tmp/tui.sh"
tmux -L "$SOCK" -f /dev/null new-session -d -x 160 -y 30 "sh '$tmp/tui.sh'"
"$VDECK" -c "$tmp/cluster.lua" --connect-timeout 2 --exec "$tmp/stale.lua" tmp="$tmp" >"$tmp/out" 2>"$tmp/err" &
exec_pid=$!
if wait_file "$tmp/ready" 15 && wait_screen '^ *s +up ' 15; then
	ok "the host is up everywhere before sshd goes"
else
	fail "the host is up before sshd goes" "$(cat "$tmp/out" "$tmp/err"; screen)"
fi
kill_sshd
: > "$tmp/killed"
wait_file "$tmp/checked" 25 || fail "the script checked the stale host" "$(cat "$tmp/err")"
if wait_screen '^ *s +degraded\* ' 10; then
	ok "the console shows the host degraded, marked stale"
else
	fail "the console shows the host degraded, marked stale" "$(screen)"
fi
tmux -L "$SOCK" send-keys Enter
if wait_screen 'age libvirt [0-9]+s, shell [0-9]+s STALE' 5; then
	ok "the Host view marks the shell's age STALE, not libvirt's"
else
	fail "the Host view marks the shell's age STALE" "$(screen)"
fi
: > "$tmp/console-done"
wait "$exec_pid"; rc=$?
exec_pid=
cat "$tmp/out"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/out" | tail -n 1)
p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p'); f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed/\1/p')
PASS=$((PASS + ${p:-0})); FAIL=$((FAIL + ${f:-0}))
[ -n "$line" ] || fail "the Lua checks ran" "$(cat "$tmp/err")"
[ $rc -eq 3 ] && ok "an uncaught stale error exits 3" || fail "an uncaught stale error exits 3" "rc=$rc"
contains "and says stale on stderr" "$(cat "$tmp/err")" "stale data: shell last answered"

# A fresh --check agrees: degraded (libvirt up, the shell refused).
out=$("$VDECK" -c "$tmp/cluster.lua" --connect-timeout 2 --check); rc=$?
echo "$out" | grep -Eq '^s +degraded ' && ok "--check says degraded" || fail "--check says degraded" "$out"
echo "$out" | grep -q 'LV_AGE  SH_AGE' && ok "--check has an age per source" || fail "--check has ages" "$out"
finish
