#!/bin/sh
# test_late_hosts.sh — hosts whose first answer is late or never comes, over a
# real sshd and libvirt's test driver: "late" (its SSH port a proxy that
# waits before relaying, so its one snapshot of libvirt + shell comes late),
# "dead" (SSH a listener that never speaks, libvirt a unix socket that never
# answers: the worker hangs in connect) and "prompt" (sshd, test:///default),
# all tagged "rack".  Readers of a late host's domains wait for it; a dead
# host is an "unreachable" error naming it (exit 3), or with partial = true a
# list of hosts left out; snapshot-create and evacuate-host act on what
# answered and say what did not; the same from the console's Jobs view.
# Every run ends within a bound although the dead host's worker is stuck.
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
VDECK=${VDECK:-$root/vdeck}
. "$root/tests/integration/tui_lib.sh"   # screen, keys, wait_for, tui_start (its counters unused)
. "$root/tests/lib/harness.sh"
tmp=$(mktemp -d)
chmod 755 "$tmp"
TMP=$tmp/tui SOCK=vdeck-late-$$
mkdir -p "$TMP"
SSHD_NO_TRAP=1
. "$root/tests/lib/sshd.sh"
pids=
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	for p in $pids; do kill "$p" 2>/dev/null; done
	sshd_stop >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$XDG_STATE_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"
if ! command -v python3 >/dev/null 2>&1; then
	skip "python3 is needed for the proxy and the silent listeners"
	finish; exit $?
fi
if ! sshd_start >/dev/null 2>&1; then
	skip "sshd cannot run here"
	finish; exit $?
fi
cp "$SSHD_KEY" "$tmp/id" && chmod 600 "$tmp/id"
cp "$root/tests/fixtures/libvirt/node-a.xml" "$tmp/late.xml"   # alpha (running), beta, 'gamma & co'

CT=5          # --connect-timeout for the command-line runs
DELAY=2       # the late host's SSH proxy waits this long per connection
BOUND=$((CT + 6))   # seconds a run may take: the connect timeout, then exit

# Helpers started in the background: each writes its port (or socket) when listening.
bg() { "$@" </dev/null >/dev/null 2>&1 & pids="$pids $!"; }
bg python3 "$root/tests/lib/delay_proxy.py" "$tmp/late.port" "$SSHD_PORT" "$DELAY"
bg python3 "$root/tests/lib/delay_proxy.py" "$tmp/late_tui.port" "$SSHD_PORT" 4
bg python3 "$root/tests/lib/silent_peer.py" tcp "$tmp/dead.port"
bg python3 "$root/tests/lib/silent_peer.py" unix "$tmp/hole.sock"
for f in late.port late_tui.port dead.port; do wait_file "$tmp/$f" 20; done
i=0; while [ ! -S "$tmp/hole.sock" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -s "$tmp/late.port" ] || [ ! -s "$tmp/late_tui.port" ] || [ ! -s "$tmp/dead.port" ] || [ ! -S "$tmp/hole.sock" ]; then
	fail "proxy and silent listeners started"
	finish; exit $?
fi

# inventory FILE LATE_PORT: the three hosts, "late" behind the proxy on LATE_PORT.
inventory() {
	{
		sed "s/\[127.0.0.1\]:$SSHD_PORT /[127.0.0.1]:$2 /" "$SSHD_KNOWN_HOSTS"
		cat "$SSHD_KNOWN_HOSTS"
	} > "$1.known_hosts"
	cat > "$1" <<LUA
defaults { ssh = { user = "$SSHD_USER", identity = "$tmp/id", known_hosts = "$1.known_hosts" } }
host { name = "prompt", address = "127.0.0.1", tags = { "rack" }, libvirt = "test:///default",
       ssh = { port = $SSHD_PORT } }
host { name = "late", address = "127.0.0.1", tags = { "rack" }, libvirt = "test://$tmp/late.xml",
       ssh = { port = $2 } }
host { name = "dead", address = "127.0.0.1", tags = { "rack" }, ssh = { port = $(cat "$tmp/dead.port") },
       libvirt = "test+unix://$tmp/late.xml?socket=$tmp/hole.sock" }
LUA
}
inventory "$tmp/cluster.lua" "$(cat "$tmp/late.port")"
inventory "$tmp/cluster-tui.lua" "$(cat "$tmp/late_tui.port")"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# vd NAME ARGS...: one vdeck run; sets rc, out, err, ms, and asserts it
# ended within BOUND s (a hard cap of 60 s catches a hang at exit).
vd() {
	name=$1; shift
	t0=$(now_ms)
	timeout -k 5 60 "$VDECK" -c "$tmp/cluster.lua" --connect-timeout "$CT" --no-lock "$@" \
		> "$tmp/out" 2> "$tmp/err"
	rc=$?
	ms=$(( $(now_ms) - t0 ))
	out=$(cat "$tmp/out") err=$(cat "$tmp/err")
	if [ $ms -le $((BOUND * 1000)) ]; then ok "$name: ended in ${ms} ms (bound ${BOUND} s)"
	else fail "$name: ended within ${BOUND} s" "${ms} ms, rc=$rc"; fi
}
rc_is() { # NAME WANT
	if [ "$rc" = "$2" ]; then ok "$1: exit $2"; else fail "$1: exit $2" "exit $rc; stderr: $(echo "$err" | tail -n 3)"; fi
}
lacks() { # NAME HAYSTACK NEEDLE
	case $2 in *"$3"*) fail "$1" "output has '$3': $(echo "$2" | head -c 300)" ;; *) ok "$1" ;; esac
}
waited() { # NAME: the run took at least the late host's delay
	if [ $ms -ge $((DELAY * 1000)) ]; then ok "$1: waited for the late host (${ms} ms >= ${DELAY} s)"
	else fail "$1: waited for the late host" "${ms} ms < ${DELAY} s"; fi
}

# ---- Lua readers ---------------------------------------------------------

vd "late domains" -e 'local h = vdeck.host("late"); local n = #h:domains(); print(n, h.state)'
rc_is "late domains" 0
contains "late: h:domains() waits and has alpha, beta, 'gamma & co'" "$out" "3	up"
waited "late domains"

vd "dead domains" -e 'print(vdeck.host("late").state); print(#vdeck.host("dead"):domains())'
rc_is "dead domains" 3
contains "late: a host field (h.state) waits for the first answer" "$out" "up"
contains "dead: the error names the host" "$err" "dead"
contains "dead: the error says why" "$err" "no answer within $CT s"
lacks "dead: no count is printed" "$out" "0"

vd "vdeck.domains()" -e 'print(#vdeck.domains())'
rc_is "vdeck.domains()" 3
contains "vdeck.domains(): names the host that did not answer" "$err" "dead"
lacks "vdeck.domains(): no partial list" "$out" "4"

vd "partial" -e '
local doms, missing = vdeck.domains { partial = true }
local names = {}
for _, d in ipairs(doms) do names[#names + 1] = d.name .. "@" .. d.host end
table.sort(names)
print(#doms, table.concat(names, ","), table.concat(missing, ","))'
rc_is "partial" 0
contains "partial = true: 4 domains of the hosts that answered, then the one that did not" "$out" \
	"4	alpha@late,beta@late,gamma & co@late,test@prompt	dead"
waited "partial"

# ---- runbooks ---------------------------------------------------------------

vd "snapshot-create host=late" --exec snapshot-create host=late
rc_is "snapshot-create host=late" 0
contains "host=late: 3 snapshots" "$out" "snapshots=3"
contains "host=late: coverage of the late host" "$out" 'hosts={"late":{"failed":0,"items":3,"ok":3}}'
contains "host=late: nothing unreachable" "$out" "unreachable={}"
waited "snapshot-create host=late"

# A runbook with a domain parameter (vm=) that is not given must not wait
# for every host: host=late is done as soon as late answered, long before a
# longer connect timeout lets the dead host go.
t0=$(now_ms)
timeout -k 5 60 "$VDECK" -c "$tmp/cluster.lua" --connect-timeout 20 --no-lock --exec snapshot-create host=late \
	> "$tmp/out20" 2>&1 &
vpid=$!
i=0; while ! grep -q 'snapshots=' "$tmp/out20" && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
ms=$(( $(now_ms) - t0 ))
wait $vpid; rc=$?
if grep -q 'snapshots=3' "$tmp/out20" && [ $ms -lt 12000 ]; then
	ok "host=late with a 20 s connect timeout: summary after ${ms} ms, not after dead's timeout"
else
	fail "host=late does not wait for the dead host" "${ms} ms, rc=$rc: $(head -c 300 "$tmp/out20")"
fi

vd "snapshot-create tag=rack" --exec snapshot-create tag=rack
rc_is "snapshot-create tag=rack" 3
contains "tag=rack: the 4 VMs of the hosts that answered have snapshots" "$out" "snapshots=4"
contains "tag=rack: the summary names the host that did not answer" "$out" 'unreachable=["dead"]'
contains "tag=rack: coverage per host" "$out" \
	'hosts={"late":{"failed":0,"items":3,"ok":3},"prompt":{"failed":0,"items":1,"ok":1}}'
contains "tag=rack: stderr names dead" "$err" "did not answer, their VMs have no snapshot: dead"

vd "snapshot-create host=dead" --exec snapshot-create host=dead
rc_is "snapshot-create host=dead" 3
contains "host=dead: stderr names dead" "$err" "dead"
lacks "host=dead: ends at once, no snapshot summary" "$out" "snapshots="

# A VM no host that answered has may be on the dead one: not a usage error.
vd "snapshot-create vm=omega" --exec snapshot-create vm=omega
rc_is "snapshot-create vm=omega" 3
contains "vm=omega: stderr names the host that did not answer" "$err" \
	"no domain named 'omega' on the hosts that answered; did not answer: dead"

vd "evacuate-host host=late (dry-run)" --dry-run --exec evacuate-host host=late
rc_is "evacuate-host host=late (dry-run)" 0
contains "evacuate late: the plan moves alpha to prompt" "$out" 'alpha  4.0G  late  prompt'
contains "evacuate late: the paused VM is named with its reason" "$out" 'gamma & co  late  paused'
lacks "evacuate late: the dead host is not a target" "$out" '  dead  '
waited "evacuate-host host=late (dry-run)"

vd "evacuate-host host=dead" --exec evacuate-host host=dead
rc_is "evacuate-host host=dead" 3
contains "evacuate dead: stderr names dead" "$err" "dead"
lacks "evacuate dead: no '0 VMs' summary" "$out" "vms=0"

# ---- the console -------------------------------------------------------------
# "late" behind a 4 s proxy here, so the job surely starts before it answered.

if ! command -v tmux >/dev/null 2>&1; then
	skip "tmux is not installed: console cases"
	finish; exit $?
fi

tcheck() { # NAME REGEX [SECONDS]: the screen shows REGEX in time
	if wait_for "$2" "${3:-10}"; then ok "$1"; else fail "$1" "$(screen | grep -v '^ *$' | head -n 12)"; fi
}

TUI_ENV="LANG=C.UTF-8" tui_start 260 40 -c "$tmp/cluster-tui.lua" --connect-timeout 10
tcheck "console up" '3 hosts:' 15
keys 3
wait_for 'RUNBOOK' 5
keys /
literal '^snapshot-create'
keys Enter Enter
wait_for 'Runbook snapshot-create' 5
form_set 1 rack
keys r
tcheck "console: r asks to run snapshot-create tag=rack" "vdeck --exec snapshot-create tag='rack'" 5
# Before y: the header counts late as not up yet (prompt alone, or nobody).
if screen | grep -Eq '3 hosts: [01] up'; then ok "console: the job starts before the late host answered"
else fail "console: the job starts before the late host answered" "$(screen | head -n 1)"; fi
keys y
tcheck "console: tag=rack job running while the hosts are awaited" 'runbook +running .*snapshot-create tag=rack' 5
tcheck "console: tag=rack job ends failed naming dead" \
	'runbook +failed .*snapshot-create tag=rack.*did not answer, their VMs have no snapshot: dead' 30
keys Enter
tcheck "console: its log shows the 4 snapshots and the host left out" 'snapshots=4 unreachable=\["dead"\]' 5
tcheck "console: and the error" 'error: 1 host\(s\) did not answer' 2
keys Escape
sleep 0.3   # a key right after Escape would read as Alt+key

keys 3
wait_for 'Runbook snapshot-create' 5
form_set 1 ''
form_set 2 late
keys r
tcheck "console: r asks to run snapshot-create host=late" "vdeck --exec snapshot-create host='late'" 5
keys y
tcheck "console: host=late job ends done" 'runbook +done .*snapshot-create host=late' 20
keys Enter
tcheck "console: its log shows 3 snapshots" 'snapshots=3 unreachable=\{\}' 5
keys Escape
sleep 0.3
t0=$(now_ms)
keys q
if wait_file "$TMP/rc" 15 && [ "$(cat "$TMP/rc")" = 0 ]; then
	ok "console: q exits 0 in $(( $(now_ms) - t0 )) ms with the dead host's worker stuck"
else
	fail "console: q exits 0 with the dead host's worker stuck" "rc=$(cat "$TMP/rc" 2>/dev/null); $(tail -n 5 "$TMP/stderr" 2>/dev/null)"
fi
finish
