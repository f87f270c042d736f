#!/bin/sh
# test_ksm_ssh.sh — h:set_ksm over a real OpenSSH sshd on 127.0.0.1, writing
# the KSM files of a sysroot tree: dry-run prints the writes and changes
# nothing, --readonly refuses, the values land in the files and in the next
# poll, a change of merge_across_nodes that the host refuses puts run back,
# and the audit record keeps the previous values.
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
cp -R "$root/tests/fixtures/sysroot-placement" "$tmp/sr"
chmod -R a+rX "$tmp"
[ "$(id -u)" = 0 ] && chown -R "$SSHD_USER" "$tmp/sr/sys/kernel/mm/ksm"
cp "$SSHD_KEY" "$tmp/id" && chmod 600 "$tmp/id"
K=$tmp/sr/sys/kernel/mm/ksm
ksm() { echo "$(cat "$K/run") $(cat "$K/pages_to_scan") $(cat "$K/sleep_millisecs") $(cat "$K/merge_across_nodes")"; }
cat > "$tmp/cluster.lua" <<LUA
defaults { ssh = { user = "$SSHD_USER", port = $SSHD_PORT, identity = "$tmp/id",
                   known_hosts = "$SSHD_KNOWN_HOSTS" } }
host { name = "k1", address = "127.0.0.1", libvirt = "test:///default", sysroot = "$tmp/sr" }
LUA
v() { "$VDECK" -c "$tmp/cluster.lua" --no-lock --connect-timeout 5 "$@" >"$tmp/out" 2>&1; echo $? >"$tmp/rc"; }
set_ksm='local r = vdeck.host("k1"):set_ksm { pages_to_scan = 250, sleep_millisecs = 50, merge_across_nodes = 0 }
print("message", r.message)
local k = vdeck.host("k1"):mem().ksm
print("polled", k.pages_to_scan, k.sleep_millisecs, k.merge_across_nodes)'

v --dry-run -e "$set_ksm"
contains "dry-run exits 0" "$(cat "$tmp/rc")" 0
contains "dry-run prints the unmerge" "$(cat "$tmp/out")" "w run 2"
contains "dry-run prints the write" "$(cat "$tmp/out")" "0 >\"\$K/merge_across_nodes\""
contains "dry-run prints the previous values" "$(cat "$tmp/out")" "before (last poll): run=1 pages_to_scan=100 sleep_millisecs=20 merge_across_nodes=1"
contains "dry-run changed nothing" "$(ksm)" "1 100 20 1"

v --readonly -e "$set_ksm"
[ "$(cat "$tmp/rc")" != 0 ] && ok "--readonly: refused" || fail "--readonly: refused" "$(cat "$tmp/out")"
contains "--readonly says why" "$(cat "$tmp/out")" "--readonly"
contains "--readonly changed nothing" "$(ksm)" "1 100 20 1"

v -e "$set_ksm"
contains "set_ksm exits 0" "$(cat "$tmp/rc")" 0
contains "the files hold the new values, run back to 1" "$(ksm)" "1 250 50 0"
contains "the message has the values found" "$(cat "$tmp/out")" "before: run=1 pages_to_scan=100 sleep_millisecs=20 merge_across_nodes=1"
contains "and those left" "$(cat "$tmp/out")" "after: run=1 pages_to_scan=250 sleep_millisecs=50 merge_across_nodes=0"
contains "the answer waited for the next poll" "$(cat "$tmp/out")" "polled	250	50	0"
audit=$tmp/state/vdeck/audit.jsonl
contains "audit: dry-run, refused, started, ok" "$(grep -c '"operation":"set_ksm"' "$audit") $(grep -c '"result":"ok"' "$audit")" "4 1"
contains "audit: previous values" "$(grep '"result":"ok"' "$audit")" "before (last poll): run=1 pages_to_scan=100 sleep_millisecs=20 merge_across_nodes=1"

# The host refuses merge_across_nodes (as the kernel does while pages are
# shared): the script stops, run is put back, the operation fails.
chmod 444 "$K/merge_across_nodes"
v -e 'vdeck.host("k1"):set_ksm { run = 1, merge_across_nodes = 1 }'
[ "$(cat "$tmp/rc")" != 0 ] && ok "refused write: the operation fails" || fail "refused write: the operation fails" "$(cat "$tmp/out")"
contains "the error says what and that run was put back" "$(cat "$tmp/out")" "cannot write 1 to $K/merge_across_nodes (run put back to 1)"
contains "run is back to 1, merge_across_nodes unchanged" "$(ksm)" "1 250 50 0"
contains "audit: failed" "$(tail -n 1 "$audit")" '"result":"failed"'

v -e 'local r = vdeck.host("k1"):set_ksm { run = 2 }; print(r.notes)'
contains "run=2 written" "$(ksm)" "2 250 50 0"
finish
