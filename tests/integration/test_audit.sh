#!/bin/sh
# test_audit.sh — the audit trail through the real binary on the demo
# cluster (libvirt's test driver):
#   - an operation sent leaves a started and a result record with one id,
#     the user from the password database (not $USER) and $SUDO_USER;
#   - an audit file that cannot be written refuses mutating operations
#     (exit 1, the path and the cause on stderr) and the VM is unchanged;
#     a dry-run still answers and says its record is missing;
#   - a run killed (SIGKILL) while its command runs on a host leaves a
#     started record only, and the next start lists it: --check (text and
#     --json), vdeck.unfinished() and the console's Log view; so does a
#     started record planted by hand, beside where its VM is now; a line cut
#     short and control characters in the file do no harm;
#   - the console quit while a job's command runs on a host records that
#     call "abandoned" under its started record's id, and quits at once.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/harness.sh
VDECK=${VDECK:-$PWD/vdeck}
tmp=$(mktemp -d)
kill_pid=
cleanup() {
	[ -n "$kill_pid" ] && kill -9 "$kill_pid" 2>/dev/null
	tmux -L "vdeck-audit-$$" kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/run" "$tmp/t"
# A killed demo cannot remove its directory: keep them all in $tmp.
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run" TMPDIR="$tmp/t"
AUDIT=$XDG_STATE_HOME/vdeck/audit.jsonl
DEMO=--demo=2x8
pick='local d; for _, x in ipairs(vdeck.domains{ host = "cna01" }) do if x.state == "running" and x.max_vcpus >= 2 then d = x break end end'

# --- a pair of records per operation sent ------------------------------------
me=$(id -un)
vm=$(USER=mallory SUDO_USER=alice "$VDECK" $DEMO --no-lock -e "$pick d:set_vcpus(1) return d.name" 2>"$tmp/err"); rc=$?
check "set_vcpus runs" test "$rc" = 0
started=$(grep '"record":"started"' "$AUDIT")
result=$(grep '"record":"result"' "$AUDIT")
id=$(printf '%s\n' "$started" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
check "one started and one result record" test "$(grep -c '"record":"started"' "$AUDIT")" = 1 -a \
	"$(grep -c '"record":"result"' "$AUDIT")" = 1
check "the started record comes first" sh -c "head -n 1 '$AUDIT' | grep -q '\"record\":\"started\"'"
contains "the started record names the operation, VM and call" "$started" "\"operation\":\"set_vcpus\""
contains "the started record has no result yet" "$started" '"result":null'
contains "the result record carries the same id" "$result" "\"id\":\"$id\""
contains "the result says ok" "$result" '"result":"ok"'
contains "the user is the real uid's name, not \$USER" "$result" "\"user\":\"$me\""
contains "sudo's user is recorded beside it" "$result" '"sudo_user":"alice"'
case $id in *-[0-9]*-[0-9]*) ok "the id holds time, pid and a counter ($id)" ;; *) fail "id format" "$id" ;; esac

# --- an audit file that cannot be written ------------------------------------
# A path under a file (tests run as root: permissions would not stop us).
bad_state=/dev/null
XDG_STATE_HOME=$bad_state "$VDECK" $DEMO --no-lock -e "$pick d:set_vcpus(1)" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "unwritable audit: a mutating operation exits 1" test "$rc" = 1
err=$(cat "$tmp/err")
contains "stderr names the audit path" "$err" "/dev/null/vdeck/audit.jsonl"
contains "stderr gives the cause" "$err" "Not a directory"
contains "stderr says nothing was sent" "$err" "nothing was sent"
# In one run: the refusal is an error, and the VM did not change.
out=$(XDG_STATE_HOME=$bad_state "$VDECK" $DEMO --no-lock -e "$pick
local before = d.vcpus
local okay, e = pcall(d.set_vcpus, d, 1)
vdeck.refresh()
local okm, em = pcall(d.migrate, d, { to = 'cna02' })
print(okay, before == d.vcpus, okm, d.host)
print(tostring(e))
print(tostring(em))" 2>&1)
contains "the refused set_vcpus left the VM as it was" "$out" "false	true	false	cna01"
contains "a long operation (migrate) is refused the same way" "$out" "refusing to live-migrate to another host without a record of it"
out=$(XDG_STATE_HOME=$bad_state "$VDECK" $DEMO --no-lock --dry-run -e "$pick local r = d:set_vcpus(1) print('dry', r.dry_run)" 2>&1); rc=$?
check "a dry-run still answers (exit 0)" test "$rc" = 0
contains "a dry-run prints its result" "$out" "dry	true"
contains "a dry-run whose record is missing says so" "$out" "the dry-run record of set_vcpus"

# --- killed mid-operation: the next start lists it ----------------------------
: >"$AUDIT"
"$VDECK" $DEMO --no-lock -e 'vdeck.host("cna01"):run("sleep 10")' >"$tmp/killed.out" 2>&1 &
kill_pid=$!
n=0
while ! grep -q '"record":"started".*"operation":"run"' "$AUDIT" 2>/dev/null && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done
kill -9 "$kill_pid" 2>/dev/null
wait "$kill_pid" 2>/dev/null
kill_pid=
check "the started record of h:run was written before the kill" grep -q '"record":"started".*"operation":"run"' "$AUDIT"
check "no result record after SIGKILL" sh -c "! grep -q '\"record\":\"result\"' '$AUDIT'"
run_id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$AUDIT" | head -n 1)

# Planted by hand: a migration started by someone else and never ended; a
# pair that did end; a record with terminal escapes; a line cut short.
cat >>"$AUDIT" <<EOF
{"time":"2030-01-02T03:04:05.678Z","id":"planted-1","record":"started","user":"ops","sudo_user":"alice","pid":1,"host":"cna01","domain":"$vm","operation":"migrate","arguments":{"to":"cna02","bandwidth":10},"call":"virDomainMigrate3(...)","dry_run":false,"result":null,"error":null,"duration":0.000}
{"time":"2030-01-02T03:04:06.000Z","id":"planted-2","record":"started","user":"ops","sudo_user":null,"pid":1,"host":"cna02","domain":"x","operation":"snapshot","arguments":{},"call":null,"dry_run":false,"result":null,"error":null,"duration":0.000}
{"time":"2030-01-02T03:04:07.000Z","id":"planted-2","record":"result","user":"ops","sudo_user":null,"pid":1,"host":"cna02","domain":"x","operation":"snapshot","arguments":{},"call":null,"dry_run":false,"result":"ok","error":null,"duration":1.000}
{"time":"2030-01-02T03:04:08.000Z","id":"planted-3","record":"started","user":"ops\u001b]0;owned\u0007","sudo_user":null,"pid":1,"host":"cna02","domain":"evil\u001b[2J","operation":"set_vcpus","arguments":{"count":2},"call":null,"dry_run":false,"result":null,"error":null,"duration":0.000}
{"time":"2030-01-02T03:04:09.000Z","id":"planted-4","record":"started","user":"ops","host":"cna0
EOF

"$VDECK" $DEMO --check >"$tmp/check" 2>&1; rc=$?
check "--check exits 0 (hosts up)" test "$rc" = 0
out=$(cat "$tmp/check")
contains "--check counts the unfinished operations" "$out" "3 operations started and never recorded as ended"
line=$(grep "id planted-1" "$tmp/check")
contains "--check: the planted migration, its arguments and who" "$line" \
	"UNFINISHED 2030-01-02T03:04:05.678Z  migrate cna01/$vm {\"to\":\"cna02\",\"bandwidth\":10}  by ops (sudo from alice)"
contains "--check: beside it, where the VM is now" "$line" "now: running on cna01"
line=$(grep "id $run_id" "$tmp/check")
contains "--check: the killed h:run" "$line" "run cna01 {\"command\":\"sleep 10\""
contains "--check: a host operation shows the host's state" "$line" "now: host cna01 is up"
check "--check: a pair that ended is not listed" sh -c "! grep -q planted-2 '$tmp/check'"
check "--check: a line cut short is not listed" sh -c "! grep -q planted-4 '$tmp/check'"
check "--check: no escape character reaches the terminal" sh -c "! grep -q \"\$(printf '\\033')\" '$tmp/check'"
contains "--check: control characters shown as escapes" "$(grep 'id planted-3' "$tmp/check")" 'cna02/evil\x1b[2J'

"$VDECK" $DEMO --check --json >"$tmp/json" 2>&1
last=$(tail -n 1 "$tmp/json")
contains "--check --json: one object with the unfinished list" "$last" "\"unfinished_dropped\":0,\"unfinished\":[{\"id\":\"$run_id\""
contains "--check --json: the planted one with its arguments" "$last" \
	"\"id\":\"planted-1\",\"time\":\"2030-01-02T03:04:05.678Z\",\"user\":\"ops\",\"sudo_user\":\"alice\",\"pid\":1,\"running\":false,\"host\":\"cna01\",\"domain\":\"$vm\",\"operation\":\"migrate\",\"arguments\":{\"to\":\"cna02\",\"bandwidth\":10}"
contains "--check --json: where the VM is now" "$last" \
	"\"now\":{\"host_state\":\"up\",\"domain_host\":\"cna01\",\"domain_state\":\"running\",\"text\":\"running on cna01\"}"
contains "--check --json: escapes stay escaped" "$last" '"domain":"evil\u001b[2J"'
check "--check --json: the host lines are unchanged" test "$(grep -c '^{"host":' "$tmp/json")" = 2

out=$("$VDECK" $DEMO --no-lock -e '
for _, u in ipairs(vdeck.unfinished()) do
  print(u.id, u.time, u.user, u.sudo_user, u.host, u.domain, u.operation, u.args, u.now.domain_host, u.now.domain_state, u.now.text)
end' 2>&1)
contains "vdeck.unfinished(): the planted migration with its fields" "$out" \
	"planted-1	2030-01-02T03:04:05.678Z	ops	alice	cna01	$vm	migrate	{\"to\":\"cna02\",\"bandwidth\":10}	cna01	running	running on cna01"
contains "vdeck.unfinished(): the killed h:run" "$out" "$run_id"
check "vdeck.unfinished(): three operations" test "$(printf "%s\n" "$out" | grep -c .)" = 3

# Audit records written by this run's own operations are not "unfinished"
# of an earlier run: the list is what was found at start.
out=$("$VDECK" $DEMO --no-lock -e "$pick d:set_vcpus(1) print('unfinished=' .. #vdeck.unfinished())" 2>&1)
contains "the list is what the file held at start" "$out" "unfinished=3"

# The console: one warning per unfinished operation in the Log view.
if command -v tmux >/dev/null 2>&1; then
	sock=vdeck-audit-$$
	tmux -L "$sock" -f /dev/null new-session -d -x 200 -y 40 \
		"env LANG=C.UTF-8 XDG_STATE_HOME='$XDG_STATE_HOME' '$VDECK' $DEMO 2>'$tmp/tui.err'; sleep 30"
	n=0
	while ! tmux -L "$sock" capture-pane -p | grep -q 'hosts: 2 up' && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
	tmux -L "$sock" send-keys 5
	n=0
	while ! tmux -L "$sock" capture-pane -p | grep -q 'planted-1' && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
	screen=$(tmux -L "$sock" capture-pane -p)
	contains "Log view: the planted migration, at start" "$screen" "unfinished: migrate cna01/$vm started 2030-01-02T03:04:05.678Z by ops via sudo from alice"
	contains "Log view: the killed h:run" "$screen" "$run_id"
	tmux -L "$sock" send-keys q
	tmux -L "$sock" kill-server 2>/dev/null
else
	skip "Log view: tmux is not installed"
fi

# The console quit while a runbook's command runs on a host: the call is
# left behind, and its result record says so.
if command -v tmux >/dev/null 2>&1; then
	mkdir -p "$XDG_CONFIG_HOME/vdeck/runbooks"
	cat >"$XDG_CONFIG_HOME/vdeck/runbooks/sleep-test.lua" <<'LUA'
return vdeck.runbook { name = "sleep-test", description = "sleeps on a host (test)", params = {},
  run = function() vdeck.host("cna01"):run("sleep 10") end }
LUA
	: >"$AUDIT"
	ls "$TMPDIR" | sort >"$tmp/demos.before"
	sock=vdeck-audit-quit-$$   # not the first session's: its server may still be going
	pane() { tmux -L "$sock" capture-pane -p; }
	until_screen() { n=0; while ! pane | grep -Eq "$1" && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done; }
	tmux -L "$sock" -f /dev/null new-session -d -x 200 -y 40 \
		"env LANG=C.UTF-8 XDG_STATE_HOME='$XDG_STATE_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$VDECK' $DEMO 2>'$tmp/tui.err'; echo \$? >'$tmp/tui.rc'; sleep 30"
	until_screen 'hosts: 2 up'
	mine=$(ls "$TMPDIR" | sort | comm -13 "$tmp/demos.before" - | grep '^vdeck-demo-')   # this console's demo
	tmux -L "$sock" send-keys 3
	until_screen RUNBOOK
	tmux -L "$sock" send-keys /
	tmux -L "$sock" send-keys -l '^sleep-test'
	tmux -L "$sock" send-keys Enter
	sleep 0.2
	tmux -L "$sock" send-keys Enter
	until_screen 'Runbook sleep-test'
	tmux -L "$sock" send-keys r
	until_screen 'Run sleep-test\?'
	tmux -L "$sock" send-keys y
	n=0
	while ! grep -q '"record":"started".*"operation":"run"' "$AUDIT" 2>/dev/null && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
	check "console: the runbook's h:run has its started record" grep -q '"record":"started".*"operation":"run"' "$AUDIT"
	# and the terminal closes while it exits (a SIGHUP during the half
	# second it gives the left-behind worker): the exit is not cut short
	vpid=$(pgrep -P "$(tmux -L "$sock" list-panes -F '#{pane_pid}' | head -n 1)" | head -n 1)
	t0=$(date +%s)
	tmux -L "$sock" send-keys q
	sleep 0.15
	[ -n "$vpid" ] && kill -HUP "$vpid" 2>/dev/null
	n=0
	while [ ! -s "$tmp/tui.rc" ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
	check "console: q exits 0 at once, not after the command" test "$(cat "$tmp/tui.rc" 2>/dev/null)" = 0 -a $(($(date +%s) - t0)) -lt 8
	contains "console: the left-behind call is recorded abandoned" "$(grep '"record":"result"' "$AUDIT")" \
		'"result":"abandoned","error":"run: cna01: vdeck stopped waiting for the host'"'"'s answer; the outcome is not recorded"'
	check "console: with the started record's id" test "$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$AUDIT" | sort -u | wc -l)" = 1
	check "console: the demo's files are removed though a call was left behind (and a SIGHUP came)" \
		test -n "$mine" -a ! -e "$TMPDIR/$mine"
	tmux -L "$sock" kill-server 2>/dev/null
else
	skip "console quit mid-call: tmux is not installed"
fi

finish
