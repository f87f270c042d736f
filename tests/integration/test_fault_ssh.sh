#!/bin/sh
# test_fault_ssh.sh — the fault matrix's SSH rows, over real sshd daemons
# on 127.0.0.1 (tests/lib/sshd.sh), each host's libvirt the in-process
# test:///default (it always answers: what breaks is the host's shell side):
#   killed   its sshd frozen mid-poll (SIGSTOP), then killed with every
#            session (SIGKILL), later restarted on the same port;
#   slow     behind tests/lib/delay_proxy.py adding 2 s to every packet;
#   garbled  a forced command that runs what vdeck asks but puts junk before
#            every line: terminal escapes, a forged bundle record header, a
#            1000-digit number, random bytes;
#   noise    a forced command that answers random bytes, without end;
#   flood    a forced command `yes`: output without end, as fast as it goes.
# A vdeck script (tests/lib/fault_watch.lua) and the console (tmux) watch
# together; "good" (a healthy sshd) must keep updating all along (data age at
# most 2 poll intervals), vdeck keeps answering, the console shows each host's
# trouble, and a fresh --check says what the running vdeck says.  No
# operation runs, so the audit trail stays empty.  The flood has a run of its
# own: without a cap per call, it takes the console's memory.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
ROOT=$(cd "$LAB_LIB/../.." && pwd)
. "$LAB_LIB/lab-common.sh"
. "$LAB_LIB/fault-lib.sh"
SSHD_NO_TRAP=1
. "$LAB_LIB/sshd.sh"
. "$ROOT/tests/integration/tui_lib.sh"   # screen, keys, wait_for, tui_start (its counters unused)
VDECK=${VDECK:-$ROOT/vdeck}
CT=3            # --connect-timeout, also each SSH call's timeout
export CT

lab_init faultssh
if ! lab_have python3 tmux; then
	lab_skip "SSH fault matrix: python3 or tmux missing"
	lab_summary; exit $?
fi
T0=$(lab_now)
export XDG_STATE_HOME="$LAB_ROOT/state" XDG_CONFIG_HOME="$LAB_ROOT/config" XDG_RUNTIME_DIR="$LAB_ROOT/run"
mkdir -p "$XDG_STATE_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"
TMP=$LAB_ROOT/tui SOCK=vdeck-fault-$$
mkdir -p "$TMP"
lab_defer "tmux -L $SOCK kill-server"

# ---- the hosts ------------------------------------------------------------
# tree PID: PID and every process below it
tree() {
	echo "$1"
	for _c in $(ps -o pid= --ppid "$1" 2>/dev/null); do tree "$_c"; done
}
# start_sshd NAME [CONFIG LINE]: one sshd; NAME_port, NAME_dir, NAME_key.
# Stopped with its sessions: a forced command outlives its listener.
start_sshd() {
	SSHD_EXTRA_CONFIG=${2:-} sshd_start >/dev/null 2>&1
	_rc=$?
	[ $_rc = 0 ] || return $_rc
	lab_defer "sshd_stop $SSHD_DIR"
	lab_defer "kill \$(tree \$(cat $SSHD_DIR/harness.pid) | tail -n +2)"
	eval "$1_port=\$SSHD_PORT $1_dir=\$SSHD_DIR $1_key=\$SSHD_KEY"
	cat "$SSHD_KNOWN_HOSTS" >>"$LAB_ROOT/known_hosts"
}
# Forced commands run as the test user: the scripts and the junk are
# readable by all.
{
	printf '\033]0;PWNED\007\033[2J\033[31mgarbage\n'
	printf '\036F /proc/meminfo\n'
	printf 'MemTotal: %s kB\n' "$(head -c 1000 /dev/zero | tr '\0' 9)"
	head -c 600 /dev/urandom | tr -d '\000\n\036\\'
	echo
} >"$LAB_ROOT/junk"
cat >"$LAB_ROOT/garble.py" <<'EOF'
import sys
junk = open(sys.argv[1], "rb").read()
out = sys.stdout.buffer
for line in iter(sys.stdin.buffer.readline, b""):
    out.write(junk + line)
    out.flush()
EOF
cat >"$LAB_ROOT/garble.sh" <<EOF
#!/bin/sh
# runs what vdeck asked, with junk before every line of its output
sh -c "\$SSH_ORIGINAL_COMMAND" 2>&1 | exec python3 '$LAB_ROOT/garble.py' '$LAB_ROOT/junk'
EOF
cat >"$LAB_ROOT/noise.sh" <<'EOF'
#!/bin/sh
# random bytes for every request, without end (until nobody reads them)
while head -c 2048 /dev/urandom; do sleep 0.2; done
EOF
chmod 755 "$LAB_ROOT/garble.sh" "$LAB_ROOT/noise.sh"
chmod 644 "$LAB_ROOT/junk" "$LAB_ROOT/garble.py"
: >"$LAB_ROOT/known_hosts"
for h in good killed; do
	start_sshd $h || { lab_skip "SSH fault matrix: sshd cannot run here"; lab_summary; exit $?; }
done
start_sshd garbled "ForceCommand $LAB_ROOT/garble.sh" &&
start_sshd noise "ForceCommand $LAB_ROOT/noise.sh" &&
start_sshd flood "ForceCommand exec yes" || { lab_fail "sshd with forced commands up"; lab_summary; exit 1; }
python3 "$LAB_LIB/delay_proxy.py" "$LAB_ROOT/slow.port" "$good_port" 2 per-chunk </dev/null >/dev/null 2>&1 &
lab_defer "kill $!"
lab_wait 20 test -s "$LAB_ROOT/slow.port" || { lab_fail "delay proxy up"; lab_summary; exit 1; }
slow_port=$(cat "$LAB_ROOT/slow.port")
grep "^\[127.0.0.1\]:$good_port " "$LAB_ROOT/known_hosts" | sed "s/:$good_port /:$slow_port /" >>"$LAB_ROOT/known_hosts"
lab_pass "6 sshd and the delay proxy up ($(lab_elapsed "$T0") s)"

ssh_host() { # NAME PORT KEY
	echo "host { name = \"$1\", address = \"127.0.0.1\", libvirt = \"test:///default\", interval = 1,"
	echo "       ssh = { port = $2, identity = \"$3\" } }"
}
{
	echo "defaults { ssh = { user = \"$SSHD_USER\", known_hosts = \"$LAB_ROOT/known_hosts\" } }"
	echo 'host { name = "clock", transport = "none", libvirt = "test:///default", interval = 1 }'
	ssh_host good "$good_port" "$good_key"
	ssh_host killed "$killed_port" "$killed_key"
	ssh_host slow "$slow_port" "$good_key"
	ssh_host garbled "$garbled_port" "$garbled_key"
	ssh_host noise "$noise_port" "$noise_key"
} >"$LAB_ROOT/cluster.lua"
{
	echo "defaults { ssh = { user = \"$SSHD_USER\", known_hosts = \"$LAB_ROOT/known_hosts\" } }"
	echo 'host { name = "clock", transport = "none", libvirt = "test:///default", interval = 1 }'
	ssh_host good "$good_port" "$good_key"
	ssh_host flood "$flood_port" "$flood_key"
} >"$LAB_ROOT/flood.lua"

# the killed host's sshd: the listener under its `timeout`, and every session
killed_procs() { tree "$(cat "$killed_dir/harness.pid")" | tail -n +2; }
restart_killed() {
	timeout 300 /usr/sbin/sshd -D -f "$killed_dir/sshd_config" -E "$killed_dir/sshd.log" </dev/null >/dev/null 2>&1 &
	echo $! >"$killed_dir/harness.pid"
	lab_wait 10 sshd__listening "$killed_port"
}
row() { screen | grep -E "^ *$1 " | head -n 1; }
# the AGE column of a host's row in the Cluster view, in seconds ("3s")
age_of() { row "$1" | grep -oE ' [0-9]+s( |$)' | tail -n 1 | tr -d ' s'; }

# ---- 1. killed, slow, garbled and noisy hosts at once ------------------------
cat >"$LAB_ROOT/ssh.lua" <<'EOF'
local W = dofile(os.getenv("FAULT_WATCH")).setup { clock = "clock", others = { "good" }, interval = 1 }
local CT = tonumber(os.getenv("CT"))
local killed, slow, noise, garbled = vdeck.host("killed"), vdeck.host("slow"), vdeck.host("noise"), vdeck.host("garbled")
-- (reading a host's state waits for its first answer: before the watch)
for _, n in ipairs { "killed", "slow", "noise", "garbled" } do W.track(n) end
W.ready { "clock", "good", "killed" }
local start = W.now()
-- slow and noisy hosts: libvirt answers, the shell side does not
for _, h in ipairs { slow, noise } do
  local shown = W.until_(function() return h.state == "degraded" end, CT + 3)
  W.ok(shown and (h.shell_error or "") ~= "", string.format("%s: shown degraded, with the reason, %.1f s after the start "
       .. "(--connect-timeout %d)", h.name, W.now() - start, CT), h.state .. " " .. tostring(h.shell_error))
  W.note(h.name .. ": the operator reads: " .. tostring(h.shell_error))
  local good, err = pcall(h.mem, h)
  W.ok(not good, h.name .. ": h:mem() raises instead of answering without data", err)
end
-- the killed host
W.until_(function() return W.seen("killed") end, 60)
local killed_at = W.now()
local shown = W.until_(function() return killed.state ~= "up" end, CT + 2)
W.ok(shown and (killed.shell_error or "") ~= "", string.format("killed: shown %s with the reason %.1f s after sshd died",
     killed.state, W.now() - killed_at), killed.state)
W.note("killed: the operator reads: " .. tostring(killed.error))
W.until_(function() return W.seen("check") end, 30)
local f = io.open(W.marks .. "/check")
local checked = f:read("l")
f:close()
W.ok(checked == killed.state, "killed: a fresh --check says what the running vdeck says ("
     .. tostring(checked) .. " / " .. killed.state .. ")", checked)
-- its host data is now older than the connect timeout: stale
W.until_(function() return W.now() >= killed_at + CT + 1.5 end, CT + 5)
local good, err = pcall(killed.mem, killed)
W.ok(not good and type(err) == "table" and err.code == "stale",
     "killed: h:mem() raises 'stale' once its data is older than the connect timeout",
     good and "returned the last values" or (type(err) == "table" and err.code .. ": " .. tostring(err) or err))
good, err = pcall(killed.nics, killed)
W.ok(not good and type(err) == "table" and err.code == "stale", "killed: h:nics() raises 'stale' too",
     good and "returned the last values" or err)
local good2, m = pcall(killed.mem, killed, { allow_stale = true })
W.ok(good2 and type(m) == "table" and m.stale == true, "killed: h:mem{ allow_stale = true } gives the values, marked stale",
     good2 and ("stale = " .. tostring(type(m) == "table" and m.stale)) or m)
W.mark("stale_checked")
W.until_(function() return W.seen("restarted") end, 30)
local back = W.until_(function() return killed.state == "up" end, 30)
W.ok(back, string.format("killed: up again %.1f s after sshd restarted", W.now() - killed_at), killed.state)
local ok3, m3 = pcall(killed.mem, killed)
W.ok(ok3 and type(m3) == "table" and (m3.total or 0) > 0, "killed: h:mem() answers again", m3)
-- the garbled host: whatever it says, vdeck keeps polling it and what it
-- reports is a number, not the junk's 10^1000 or a wrapped negative
local lp = garbled.last_poll
W.until_(function() return (garbled.last_poll or 0) > (lp or 0) end, 5)
W.ok((garbled.last_poll or 0) > (lp or 0), "garbled: vdeck keeps polling it (" .. garbled.state .. ")",
     tostring(garbled.error))
local okg, g = pcall(garbled.mem, garbled)
if okg then
  local bad = {}
  for k, v in pairs(g) do
    if type(v) == "number" and (v ~= v or v < 0 or v == math.huge or v > 2^62) then bad[#bad + 1] = k .. "=" .. v end
  end
  W.ok(#bad == 0, "garbled: its memory figures are finite, non-negative numbers", table.concat(bad, " "))
else
  W.ok(type(g) == "table" and g.code ~= nil, "garbled: h:mem() raises a coded error for what it cannot read ("
       .. tostring(type(g) == "table" and g.code) .. ")", g)
end
W.note("garbled: " .. garbled.state .. " " .. tostring(garbled.error))
W.report()
EOF
fault_begin ssh
t=$(lab_now)
TUI_ENV="LANG=C.UTF-8" tui_start 200 30 -c "$LAB_ROOT/cluster.lua" --connect-timeout "$CT"
fault_vdeck ssh 120 -c "$LAB_ROOT/cluster.lua" --connect-timeout "$CT" --exec "$LAB_ROOT/ssh.lua"
if fault_wait_mark ready 60; then
	procs=$(killed_procs)
	# frozen first, so that the kill lands in the middle of a poll
	kill -STOP $procs 2>/dev/null
	sleep 1.5
	kill -KILL $procs 2>/dev/null
	fault_mark killed
	if wait_for '^ *killed +degraded' $((CT + 2)); then
		lab_pass "console: the killed host's row says degraded: $(row killed | tr -s ' ' | cut -c1-120)"
	else
		lab_fail "console: the killed host's row says degraded" "$(row killed)"
	fi
	st=$(timeout 30 "$VDECK" -c "$LAB_ROOT/cluster.lua" --connect-timeout "$CT" --hosts killed --check --json 2>/dev/null |
		sed -n 's/.*"state":"\([a-z]*\)".*/\1/p')
	echo "$st" >"$FAULT_MARKS/check.tmp" && mv "$FAULT_MARKS/check.tmp" "$FAULT_MARKS/check"
	if fault_wait_mark stale_checked 30; then
		restart_killed || lab_fail "the killed host's sshd restarted"
		fault_mark restarted
	fi
fi
fault_vdeck_end ssh
echo "# the watched run took $(lab_elapsed "$t") s"
lab_check "vdeck --exec exited 0" test "$FAULT_RC" = 0

# What the operator sees in the console, with the faults still on.
for h in slow noise; do
	if wait_for "^ *$h +degraded" 5; then lab_pass "console: $h's row says degraded: $(row $h | tr -s ' ' | cut -c1-120)"
	else lab_fail "console: $h's row says degraded" "$(row $h)"; fi
done
worst=0 n=0
while [ $n -lt 10 ]; do
	a=$(age_of good)
	[ -n "$a" ] && [ "$a" -gt "$worst" ] && worst=$a
	[ -z "$a" ] && worst=99
	sleep 0.3
	n=$((n + 1))
done
lab_check "console: good's AGE stays at most 2 s (worst seen ${worst} s)" test "$worst" -le 2
title=$(tmux -L "$SOCK" display-message -p '#{pane_title}')
lacks() { ! printf '%s\n' "$1" | grep -q "$2"; }
lab_check "console: the garbled host's escapes did not retitle the terminal ($title)" lacks "$title" PWNED
t=$(lab_now)
keys 2
if wait_for '^ *NAME' 2; then lab_pass "console answers a key at once: VMs view in $(lab_elapsed "$t") s"
else lab_fail "console answers a key at once" "$(screen | head -n 5)"; fi
keys 1
wait_for '^ *HOST' 2
t=$(lab_now)
keys q
if wait_file "$TMP/rc" 10 && [ "$(cat "$TMP/rc")" = 0 ]; then
	lab_pass "console: q exits 0 in $(lab_elapsed "$t") s with hosts stuck"
else
	lab_fail "console: q exits 0 with hosts stuck" "rc=$(cat "$TMP/rc" 2>/dev/null); $(tail -n 5 "$TMP/stderr" 2>/dev/null)"
fi
tmux -L "$SOCK" kill-server 2>/dev/null
lab_check "no operation ran: the audit trail holds no record" test ! -s "$XDG_STATE_HOME/vdeck/audit.jsonl"

# ---- 2. a host that floods ----------------------------------------------------
# The console under a 3 GB address-space limit, so that a console without a
# cap fails alone instead of taking the machine's memory.
printf '#!/bin/sh\nulimit -v 3000000\nexec "%s" "$@"\n' "$VDECK" >"$LAB_ROOT/vdeck-limited"
chmod 755 "$LAB_ROOT/vdeck-limited"
VDECK_REAL=$VDECK VDECK=$LAB_ROOT/vdeck-limited
TUI_ENV="LANG=C.UTF-8" tui_start 200 30 -c "$LAB_ROOT/flood.lua" --connect-timeout "$CT"
VDECK=$VDECK_REAL
if wait_for '^ *good +up' 30; then lab_pass "flood: console up"; else lab_fail "flood: console up" "$(screen | head -n 6)"; fi
pane=$(tmux -L "$SOCK" list-panes -F '#{pane_pid}' 2>/dev/null | head -n 1)
vpid=$(ps -o pid= --ppid "$pane" 2>/dev/null | head -n 1 | tr -d ' ')
worst=0 n=0
while [ $n -lt 40 ]; do   # ~12 s: several polls of the flooding host
	a=$(age_of good)
	[ -n "$a" ] && [ "$a" -gt "$worst" ] && worst=$a
	[ -z "$a" ] && worst=99
	sleep 0.3
	n=$((n + 1))
done
hwm=$(awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$vpid/status" 2>/dev/null)
if [ -n "$vpid" ] && lab_pid_alive "$vpid"; then
	lab_pass "flood: the console is still running after 12 s"
else
	lab_fail "flood: the console is still running after 12 s" "rc=$(cat "$TMP/rc" 2>/dev/null); $(tail -n 3 "$TMP/stderr" 2>/dev/null)"
fi
lab_check "flood: the console's memory stayed bounded (peak RSS ${hwm:-?} MB <= 128 MB)" test "${hwm:-9999}" -le 128
lab_check "flood: good's AGE stayed at most 2 s meanwhile (worst seen ${worst} s)" test "$worst" -le 2
r=$(row flood)
flood_row() { printf '%s\n' "$1" | grep -Eq '^ *flood +degraded' && printf '%s\n' "$1" | grep -Eqi 'more than|cap'; }
lab_check "flood: its row says degraded, naming the cap: $(echo "$r" | tr -s ' ' | cut -c1-140)" flood_row "$r"
keys q
wait_file "$TMP/rc" 10
tmux -L "$SOCK" kill-server 2>/dev/null
# h:run with its own cap
cat >"$LAB_ROOT/flood_run.lua" <<'EOF'
local W = dofile(os.getenv("FAULT_WATCH")).setup { clock = "clock", others = { "good" }, interval = 1 }
local h = vdeck.host("flood")
W.ready { "clock", "good" }
-- a few polls of the flooding host, as a cron job would see them
W.until_(function() return false end, 8)
W.note("flood: " .. h.state .. " " .. tostring(h.error))
W.ok(h.state ~= "up" and tostring(h.error):lower():find("more than", 1, true) ~= nil,
     "flood: the host is marked, naming the cap", h.state .. " " .. tostring(h.error))
local f = io.open("/proc/self/status")
local hwm = math.floor(tonumber(f:read("a"):match("VmHWM:%s*(%d+)")) / 1024)
f:close()
W.ok(hwm <= 128, "flood: peak RSS " .. hwm .. " MB <= 128 MB", hwm)
local t0 = W.now()
local good, err = pcall(h.run, h, "echo hello", { max_bytes = 65536, timeout = 10 })
W.note("flood: h:run says: " .. tostring(err))
W.ok(not good and tostring(err):lower():find("more than", 1, true) ~= nil,
     "flood: h:run with max_bytes = 65536 stops at the cap and says so", err)
W.ok(W.now() - t0 < 5, string.format("flood: h:run returned within %.1f s", W.now() - t0))
W.report()
EOF
fault_begin flood
VDECK=$LAB_ROOT/vdeck-limited
fault_vdeck flood_run 60 -c "$LAB_ROOT/flood.lua" --connect-timeout "$CT" --exec "$LAB_ROOT/flood_run.lua"
VDECK=$VDECK_REAL
fault_vdeck_end flood_run
echo "# total $(lab_elapsed "$T0") s"
lab_summary
