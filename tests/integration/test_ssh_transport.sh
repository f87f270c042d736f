#!/bin/sh
# test_ssh_transport.sh — the sshd harness used the way shell tests use it:
# sourced, started, reached with the OpenSSH client under strict host-key
# checking as the dedicated test user, stopped (port closed, files gone).
# The transport itself is tested by build/tests/test_ssh_transport.
cd "$(dirname "$0")/../.." || exit 2
pass=0 fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL: $*"; }

. tests/lib/sshd.sh
errf=$(mktemp)
sshd_start 2>"$errf"
rc=$?
why=$(cat "$errf"); rm -f "$errf"
if [ $rc -eq 77 ]; then
	echo "SKIP sshd cannot run here: $why"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
[ $rc -eq 0 ] || { no "sshd_start failed ($rc): $why"; echo "$pass passed, $fail failed"; exit 1; }

for v in SSHD_PORT SSHD_USER SSHD_KEY SSHD_KNOWN_HOSTS SSHD_DIR SSHD_PID; do
	eval "val=\$$v"
	[ -n "$val" ] && ok || no "$v not exported"
done
grep -q "^\[127.0.0.1\]:$SSHD_PORT ssh-ed25519 " "$SSHD_KNOWN_HOSTS" && ok || no "known_hosts entry"

# (ssh keeps the first value of an option: the known_hosts file is given once per call)
ssh_opts="-o BatchMode=yes -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes \
-o ConnectTimeout=5 -i $SSHD_KEY -p $SSHD_PORT"
out=$(timeout 10 ssh $ssh_opts -o UserKnownHostsFile="$SSHD_KNOWN_HOSTS" "$SSHD_USER@127.0.0.1" 'echo "$(id -un) $0"; exit 4' 2>/dev/null)
rc=$?
[ "$rc" -eq 4 ] && ok || no "remote exit status $rc, want 4"
want=$(id -un); [ "$(id -u)" = 0 ] && want=vdeck-test   # root logs in as the dedicated user
[ "$out" = "$want sh" ] && ok || no "logged in as '$out', want '$want sh'"

# a wrong known_hosts entry is refused by OpenSSH too (the fixture is sane)
printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(cut -d' ' -f1,2 "$SSHD_KEY.pub")" >"$SSHD_DIR/wrong_kh"
timeout 10 ssh $ssh_opts -o UserKnownHostsFile="$SSHD_DIR/wrong_kh" "$SSHD_USER@127.0.0.1" true 2>/dev/null &&
	no "changed key accepted by ssh" || ok

dir=$SSHD_DIR port=$SSHD_PORT
sshd_stop
sshd__listening "$port" && no "port $port still listening" || ok
[ -d "$dir" ] && no "$dir not removed" || ok
trap - EXIT
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
