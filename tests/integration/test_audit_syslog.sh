#!/bin/sh
# test_audit_syslog.sh — audit records copied to syslog, against a real
# receiver on a local unix datagram socket (tests/lib/syslog_sink.py):
#   - `defaults { audit = { syslog = true } }` sends both records of an
#     operation (started, result) as RFC 5424 messages: PRI (authpriv),
#     version 1, RFC 3339 timestamp, host, APP-NAME vdeck, PROCID the pid,
#     MSGID the record kind, [vdeck@32473 ...] structured data whose params
#     match the audit file's record, and the record's JSON line as MSG;
#   - --audit-syslog turns it on when the inventory does not;
#   - the audit file stays primary: with no receiver the operation runs,
#     the file has both records, and the loss is said once;
#   - a receiver that never reads (its queue full) never stalls vdeck:
#     600 dry-run records finish in seconds, and the loss is said once.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/harness.sh
VDECK=${VDECK:-$PWD/vdeck}
tmp=$(mktemp -d)
sink_pid=
stop_sink() { [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null && wait "$sink_pid" 2>/dev/null; sink_pid=; }
trap 'stop_sink; rm -rf "$tmp"' EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run"
AUDIT=$XDG_STATE_HOME/vdeck/audit.jsonl
SOCK=$tmp/log.sock
# start_sink [--stuck]: a receiver on $SOCK, ready when the socket exists.
start_sink() {
	rm -f "$SOCK"
	python3 tests/lib/syslog_sink.py "$SOCK" "$tmp/received" "$@" &
	sink_pid=$!
	i=0
	while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
inventory() { # inventory SYSLOG(true|false)
	cat >"$tmp/inv.lua" <<EOF
defaults { audit = { syslog = $1, syslog_socket = "$SOCK" } }
host { name = "hv", transport = "none", libvirt = "test:///default" }
EOF
}
op='local d = vdeck.domain("test") d:set_vcpus(1)'

# --- both records, RFC 5424 ------------------------------------------------------
inventory true
start_sink
"$VDECK" -c "$tmp/inv.lua" -e "$op" >"$tmp/out" 2>&1; rc=$?
check "the operation runs with syslog on (exit $rc)" test $rc = 0
sleep 0.2
stop_sink
cat >"$tmp/check.py" <<'EOF'
import json, re, socket, sys
msgs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
records = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
want = int(sys.argv[3])
assert len(msgs) == want == len(records), f"{len(msgs)} messages, {len(records)} records, want {want}"
head = re.compile(r'^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\S+) vdeck (\d+) (started|result) '
                  r'\[vdeck@32473((?: [^ ="\]]{1,32}="(?:[^"\\\]]|\\["\\\]])*")+)\] \ufeff(.*)$', re.S)
param = re.compile(r' ([^ ="\]]{1,32})="((?:[^"\\\]]|\\["\\\]])*)"')
for m, r in zip(msgs, records):
    h = head.match(m)
    assert h, f"not RFC 5424 as vdeck writes it: {m[:200]!r}"
    pri, ts, host, pid, msgid, sd, msg = h.groups()
    assert int(pri) // 8 == 10, f"facility {int(pri) // 8}, want authpriv (10)"
    assert int(pri) % 8 == (5 if r["result"] in (None, "ok", "dry-run") else 4), f"severity of {pri}"
    assert host == socket.gethostname(), f"hostname {host}"
    assert int(pid) == r["pid"] and msgid == r["record"], (pid, msgid)
    assert ts == r["time"], (ts, r["time"])
    params = {k: re.sub(r'\\(["\\\]])', r'\1', v) for k, v in param.findall(sd)}
    for k in ("id", "record", "user", "host", "domain", "operation", "result", "error"):
        want_v = r[k]
        assert params.get(k) == want_v, f"SD param {k}={params.get(k)!r}, record has {want_v!r}"
    assert json.loads(params["arguments"]) == r["arguments"]
    assert params["dry_run"] == ("true" if r["dry_run"] else "false")
    assert json.loads(msg) == r, "MSG is not the audit file's record"
print("ok")
EOF
got=$(python3 "$tmp/check.py" "$tmp/received" "$AUDIT" 2 2>&1)
check "started and result reach syslog as RFC 5424 with the record's SD params ($got)" test "$got" = ok
kinds=$(grep -o '"record":"[a-z]*"' "$AUDIT" | tr '\n' ' ')
check "the audit file still has both records ($kinds)" test "$kinds" = '"record":"started" "record":"result" '

# --- --audit-syslog when the inventory does not ask -------------------------------
rm -f "$tmp/received" "$AUDIT"
inventory false
start_sink
"$VDECK" -c "$tmp/inv.lua" -e "$op" >/dev/null 2>&1
sleep 0.2
n=$(wc -l <"$tmp/received" 2>/dev/null || echo 0)
check "syslog = false sends nothing ($n)" test "$n" -eq 0
"$VDECK" -c "$tmp/inv.lua" --audit-syslog -e "$op" >/dev/null 2>&1
sleep 0.2
stop_sink
n=$(wc -l <"$tmp/received")
check "--audit-syslog sends both records ($n)" test "$n" -eq 2

# --- no receiver: the file is primary -------------------------------------------
rm -f "$tmp/received" "$AUDIT" "$SOCK"
inventory true
"$VDECK" -c "$tmp/inv.lua" -e "$op; d:set_vcpus(2)" >"$tmp/out" 2>&1; rc=$?
check "with no syslog receiver the operations run (exit $rc)" test $rc = 0
n=$(grep -c '"record"' "$AUDIT")
check "the audit file has all 4 records ($n)" test "$n" -eq 4
n=$(grep -c 'audit to syslog' "$tmp/out")
check "the loss is said once ($n)" test "$n" -eq 1

# --- a receiver that never reads --------------------------------------------------
rm -f "$AUDIT"
start_sink --stuck
start=$(date +%s)
timeout 60 "$VDECK" -c "$tmp/inv.lua" --dry-run \
	-e 'local d = vdeck.domain("test") for i = 1, 600 do d:set_vcpus(1) end' >"$tmp/out" 2>&1; rc=$?
secs=$(( $(date +%s) - start ))
stop_sink
check "600 records to a stuck receiver do not stall vdeck (exit $rc, ${secs}s)" test $rc = 0 -a $secs -lt 20
n=$(grep -c '"record"' "$AUDIT")
check "the audit file has all 600 ($n)" test "$n" -eq 600
contains "the full queue is said" "$(cat "$tmp/out")" "not reading (queue full)"
n=$(grep -c 'audit to syslog' "$tmp/out")
check "once ($n)" test "$n" -eq 1
finish
