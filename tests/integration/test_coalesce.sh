#!/bin/sh
# test_coalesce.sh — h:set_coalesce on real interfaces (issue 15), in a
# private network namespace: a tap accepts `ethtool -C … rx-frames` and the
# previous value lands in the result and the audit record; rx-usecs, which
# the tap reports as n/a, is refused naming rx-usecs; a veth refuses
# coalescing altogether ("Operation not supported"); --dry-run prints the
# command and changes nothing; --readonly refuses.  Needs root, iproute2 and
# ethtool; the namespace is removed on exit.
VDECK=${VDECK:-./vdeck}
pass=0 fail=0
tmp=$(mktemp -d)
ns=vdk-coal-$$
cleanup() { ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config"
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; [ -n "$2" ] && sed 's/^/#   /' "$2"; }
check() { # name command...
	name=$1; shift
	if "$@"; then ok "$name"; else no "$name" "$tmp/out"; fi
}
skip() { echo "SKIP test_coalesce: $1"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
command -v ethtool >/dev/null 2>&1 || skip "ethtool not installed (tools/deps.sh test)"
ip netns add "$ns" || skip "cannot create a network namespace"
ip -n "$ns" tuntap add dev tap0 mode tap &&
	ip -n "$ns" link add veth0 type veth peer name veth1 || { no "namespace set-up"; exit 1; }

cat >"$tmp/inv.lua" <<'X'
host { name = "netns", transport = "local", libvirt = "test:///default" }
X
run() {
	ip netns exec "$ns" "$VDECK" -c "$tmp/inv.lua" --no-lock "$@" >"$tmp/out" 2>"$tmp/err"
	echo $? >"$tmp/rc"; cat "$tmp/err" >>"$tmp/out"
}
rc() { [ "$(cat "$tmp/rc")" = "$1" ]; }
has() { grep -qF -- "$1" "$tmp/out"; }
audit="$tmp/state/vdeck/audit.jsonl"
nsethtool() { ip netns exec "$ns" ethtool "$@" 2>&1; }

# dry-run: the command, nothing changed
run --dry-run -e 'vdeck.host("netns"):set_coalesce("tap0", { rx_frames = 16 })'
check "dry-run exits 0" rc 0
q="'\\''"   # how sh -c quoting prints a quote inside the quoted command
check "dry-run prints ethtool -C" has "ethtool -C ${q}tap0${q} rx-frames 16"
check "dry-run reads the values first" has "ethtool -c ${q}tap0${q} 2>&1 || exit 3"
check "dry-run changed nothing" sh -c "ip netns exec $ns ethtool -c tap0 | grep -qx 'rx-frames: 0'"

# --readonly refuses
run --readonly -e 'vdeck.host("netns"):set_coalesce("tap0", { rx_frames = 16 })'
check "--readonly refuses" has "--readonly: refusing to set a host NIC's interrupt coalescing"
check "--readonly changed nothing" sh -c "ip netns exec $ns ethtool -c tap0 | grep -qx 'rx-frames: 0'"

# the tap takes rx-frames; the previous value comes back and is audited
run -e 'local r = vdeck.host("netns"):set_coalesce("tap0", { rx_frames = 16 })
print("ok", r.ok, r.message, "previous", r.previous.rx_frames, r.previous.rx_usecs)'
check "tap0 accepts rx-frames" has "ok	true	tap0: coalescing set	previous	0	nil"
nsethtool -c tap0 >"$tmp/out"
check "ethtool -c tap0 shows rx-frames 16" grep -qx 'rx-frames: 16' "$tmp/out"
check "the audit record keeps the previous value" \
	grep -q '"operation":"set_coalesce".*"result":"ok".*"previous":{"rx_frames":0}' "$audit"
cp "$audit" "$tmp/out"
check "a started record first" grep -q '"record":"started".*"operation":"set_coalesce"' "$audit"

# and back, from the previous values
run -e 'local h = vdeck.host("netns")
local r = h:set_coalesce("tap0", { rx_frames = 32 })
local back = h:set_coalesce("tap0", r.previous)
print("back", back.previous.rx_frames)'
check "rolled back with previous" has "back	32"
check "rx-frames 16 again" sh -c "ip netns exec $ns ethtool -c tap0 | grep -qx 'rx-frames: 16'"

# what the tap does not have is refused, naming it
run -e 'vdeck.host("netns"):set_coalesce("tap0", { rx_usecs = 50 })'
check "rx-usecs refused: exit 1" rc 1
check "the error names rx-usecs" has "the driver of tap0 refused rx-usecs"
check "and says ethtool's reason" has "cannot modify an unsupported parameter"
check "the refusal is audited as failed" grep -q '"operation":"set_coalesce".*"result":"failed".*refused rx-usecs' "$audit"

# a veth has no coalescing at all
run -e 'vdeck.host("netns"):set_coalesce("veth0", { rx_frames = 16 })'
check "veth refused: exit 1" rc 1
check "veth: Operation not supported" has "the driver of veth0 does not support interrupt coalescing"
check "veth: ethtool's words" has "Operation not supported"

# pcall sees the error as a table
run -e 'local ok, e = pcall(vdeck.host("netns").set_coalesce, vdeck.host("netns"), "nope0", { rx_frames = 1 })
print("caught", ok, e.host, e.op)'
check "a missing NIC fails with host and operation" has "caught	false	netns	set_coalesce"
run -e 'vdeck.host("netns"):set_coalesce("tap0", {})'
check "nothing to set is refused" has "nothing to set"

# the coalesce-tune runbook: measured, applied, rolled back (nothing flows
# through this tap: nothing to compare; test_coalesce_traffic.sh measures a
# tap that carries traffic)
nsethtool -C tap0 rx-frames 4 >/dev/null
run --exec coalesce-tune host=netns nic=tap0 rx_frames=24 seconds=1
check "coalesce-tune exits 0" rc 0
check "coalesce-tune prints before and after" has "after:  "
check "and rolls back without traffic" has "rolled back (no packets through tap0 before the change: nothing to compare)"
check "tap0 has its previous rx-frames again" sh -c "ip netns exec $ns ethtool -c tap0 | grep -qx 'rx-frames: 4'"
check "set_coalesce records of the apply and the roll back" \
	test "$(grep -c '"operation":"set_coalesce".*"result":"ok"' "$audit")" -ge 4
run --dry-run --exec coalesce-tune host=netns nic=tap0 rx_frames=24 seconds=1
check "coalesce-tune --dry-run prints the change" has "ethtool -C ${q}tap0${q} rx-frames 24"
check "and changes nothing" sh -c "ip netns exec $ns ethtool -c tap0 | grep -qx 'rx-frames: 4'"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
