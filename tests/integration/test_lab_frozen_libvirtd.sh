#!/bin/sh
# test_lab_frozen_libvirtd.sh — a frozen libvirtd (SIGSTOP of a private
# daemon, tests/lib/lab-libvirtd.sh) makes its host "down" within the
# connect timeout (3 s) plus a poll interval, the same in a running console
# (tmux), in a script reading h.state, and in a fresh --check; another host
# keeps updating; after SIGCONT the host comes back "up" everywhere.  The
# worker is stuck inside a libvirt call meanwhile: the loop thread sees its
# poll overdue (model/host_state.c), and libvirt's keepalive, set from the
# connect timeout, ends the call (a reconnect then hangs again: still down).
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
root=$(cd "$LAB_LIB/../.." && pwd)
VDECK=${VDECK:-$root/vdeck}

T0=$(lab_now)
if ! why=$(lab_libvirtd_available); then
	lab_skip "frozen libvirtd: $why"
	lab_summary
	exit $?
fi
if ! lab_have tmux; then
	lab_skip "frozen libvirtd: tmux missing"
	lab_summary
	exit $?
fi
lab_init frozen
SOCK=vdeck-frozen-$LAB_ID
lab_defer "tmux -L $SOCK kill-server"
export XDG_STATE_HOME="$LAB_ROOT/state" XDG_CONFIG_HOME="$LAB_ROOT/config"

if ! lab_libvirtd_start fz; then
	lab_fail "private libvirtd starts"
	lab_summary
	exit 1
fi
URI=$LAB_LV_URI_fz
PID=$LAB_LV_PID_fz
lab_defer "kill -CONT $PID"   # runs before the daemon's own stop (newest first)
lab_log "libvirtd ready in $(lab_elapsed "$T0") s (pid $PID)"

cat >"$LAB_ROOT/cluster.lua" <<LUA
host { name = "lv", transport = "none", libvirt = "$URI", interval = 1 }
host { name = "ref", transport = "none", libvirt = "test:///default", interval = 1 }
LUA
V="$VDECK -c $LAB_ROOT/cluster.lua --connect-timeout 3"

out=$($V --check 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -Eq '^lv +up '; then
	lab_pass "--check: the host is up before the freeze"
else
	lab_fail "--check: the host is up before the freeze (rc $rc)"; echo "$out" | sed 's/^/    /'
fi

screen() { tmux -L "$SOCK" capture-pane -p 2>/dev/null; }
screen_has() { screen | grep -Eq -- "$1"; }
printf '%s\n' "$V 2>'$LAB_ROOT/tui.err'" "sleep 120" >"$LAB_ROOT/tui.sh"
tmux -L "$SOCK" -f /dev/null new-session -d -x 160 -y 30 "sh '$LAB_ROOT/tui.sh'"

# A script that reads h.state while the daemon is frozen and after; it
# refreshes the other host (through the scheduler) to let answers in.
cat >"$LAB_ROOT/watch.lua" <<'LUA'
local dir = (...):match("^dir=(.*)")
local function exists(p) local f = io.open(p); if f then f:close() end; return f ~= nil end
local function now() local p = io.popen("date +%s.%N"); local t = p:read("n"); p:close(); return t end
local h, ref = vdeck.host("lv"), vdeck.host("ref")
local function wait_state(want, secs)
  local t0 = now()
  repeat
    ref:refresh()
    if h.state == want then return now() - t0 end
    os.execute("sleep 0.1")
  until now() - t0 > secs
  return nil
end
print("start", h.state)
io.open(dir .. "/ready", "w"):close()
while not exists(dir .. "/stopped") do os.execute("sleep 0.05") end
local t = wait_state("down", 20)
print(t and string.format("down-after %.1f", t) or ("never-down " .. h.state), ref.state, h.error)
-- While frozen: the stuck call ends by libvirt's keepalive, the reconnect
-- hangs again; collect the errors seen.
local seen, errors, t1 = {}, {}, now()
repeat
  ref:refresh()
  local e = h.libvirt_error
  if e and not seen[e] then seen[e] = true; errors[#errors + 1] = e end
  os.execute("sleep 0.1")
until now() - t1 > 9
print("errors: " .. table.concat(errors, " | "), h.state)
while not exists(dir .. "/continued") do ref:refresh(); os.execute("sleep 0.1") end
t = wait_state("up", 30)
print(t and string.format("up-after %.1f", t) or ("never-up " .. h.state .. " " .. tostring(h.error)))
LUA
$V --exec "$LAB_ROOT/watch.lua" dir="$LAB_ROOT" >"$LAB_ROOT/watch.out" 2>&1 &
WATCH=$!
lab_defer "kill $WATCH"
if lab_wait 15 test -e "$LAB_ROOT/ready" && lab_wait 15 screen_has '^ *lv +up '; then
	lab_pass "console and script see the host up"
else
	lab_fail "console and script see the host up"; screen | sed 's/^/    /'; cat "$LAB_ROOT/watch.out"
fi

# Freeze.  A fresh --check runs meanwhile, beside the console.
kill -STOP "$PID"
TS=$(lab_now)
: >"$LAB_ROOT/stopped"
( t=$(lab_now); $V --check >"$LAB_ROOT/check.out" 2>&1; echo "$? $(lab_elapsed "$t")" >"$LAB_ROOT/check.rc" ) &
CHECK=$!
if lab_wait 10 screen_has '^ *lv +down\*? '; then
	el=$(lab_elapsed "$TS")
	if awk -v e="$el" 'BEGIN { exit !(e <= 6.5) }'; then
		lab_pass "console: down ${el} s after the freeze"
	else
		lab_fail "console: down only ${el} s after the freeze (want <= 6.5)"
	fi
else
	lab_fail "console: the frozen host goes down"; screen | sed 's/^/    /'
fi
screen_has '^ *ref +up ' && lab_pass "console: the other host stays up" ||
	{ lab_fail "console: the other host stays up"; screen | sed 's/^/    /'; }
wait "$CHECK"
read -r crc cel <"$LAB_ROOT/check.rc"
if [ "$crc" = 3 ] && grep -Eq '^lv +down ' "$LAB_ROOT/check.out" && grep -Eq '^ref +up ' "$LAB_ROOT/check.out"; then
	lab_pass "--check during the freeze: down, exit 3, in ${cel} s"
else
	lab_fail "--check during the freeze: down, exit 3 (rc $crc, ${cel} s)"; sed 's/^/    /' "$LAB_ROOT/check.out"
fi
awk -v e="$cel" 'BEGIN { exit !(e <= 6) }' && lab_pass "--check answers within the connect timeout (${cel} s)" ||
	lab_fail "--check took ${cel} s"
lab_wait 15 grep -q 'down-after\|never-down' "$LAB_ROOT/watch.out"
d=$(sed -n 's/^down-after \([0-9.]*\).*/\1/p' "$LAB_ROOT/watch.out")
if [ -n "$d" ] && awk -v e="$d" 'BEGIN { exit !(e <= 6.5) }'; then
	lab_pass "script: h.state is down ${d} s after the freeze"
else
	lab_fail "script: h.state goes down soon after the freeze"; sed 's/^/    /' "$LAB_ROOT/watch.out"
fi
grep -q "^down-after.*$(printf '\t')up$(printf '\t')" "$LAB_ROOT/watch.out" && lab_pass "script: the other host stays up" ||
	{ lab_fail "script: the other host stays up"; sed 's/^/    /' "$LAB_ROOT/watch.out"; }
lab_wait 20 grep -q '^errors:' "$LAB_ROOT/watch.out"
if grep -q "^errors:.*keepalive.*$(printf '\t')down\$" "$LAB_ROOT/watch.out"; then
	lab_pass "keepalive ends the call stuck in the frozen daemon; the host stays down"
else
	lab_fail "keepalive ends the call stuck in the frozen daemon"; sed 's/^/    /' "$LAB_ROOT/watch.out"
fi

# Thaw.
kill -CONT "$PID"
TC=$(lab_now)
: >"$LAB_ROOT/continued"
if lab_wait 20 screen_has '^ *lv +up '; then
	lab_pass "console: up again $(lab_elapsed "$TC") s after SIGCONT"
else
	lab_fail "console: up again after SIGCONT"; screen | sed 's/^/    /'
fi
lab_wait 30 grep -q 'up-after\|never-up' "$LAB_ROOT/watch.out"
grep -q '^up-after' "$LAB_ROOT/watch.out" && lab_pass "script: h.state is up again ($(sed -n 's/^up-after //p' "$LAB_ROOT/watch.out") s)" ||
	{ lab_fail "script: h.state is up again"; sed 's/^/    /' "$LAB_ROOT/watch.out"; }
out=$($V --check 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -Eq '^lv +up '; then
	lab_pass "--check after the thaw: up"
else
	lab_fail "--check after the thaw: up (rc $rc)"; echo "$out" | sed 's/^/    /'
fi
lab_log "total $(lab_elapsed "$T0") s"
lab_summary
