#!/bin/sh
# test_rebalance_lab.sh — the rebalance and evacuate-host runbooks applied
# with real live migrations between two private libvirtd + QEMU (TCG)
# daemons in two network namespaces (tests/lib/lab-libvirtd.sh), hosts hv-a
# and hv-b of an inventory; six tiny guests without OS start on hv-a, so
# hv-a is overloaded by memory.
#   - dry-run prints the plan table (three moves hv-a -> hv-b), moves nothing;
#   - apply with per_host=1 concurrency=2: while the first move runs the
#     test starts a guest on hv-b, so after that move the planner sees a
#     changed cluster and plans again (fewer moves); the VMs run where
#     virsh says; the audit trail shows no two migrations at once;
#   - evacuate-host hv-a with one guest that has a snapshot: every other VM
#     leaves hv-a (two at once: per_host=2), that one stays, named with
#     the reason, exit 1;
#   - rebalance back (per_host=2 concurrency=1) while hv-a's daemon is
#     killed mid-migration: the run stops at the first failure with a
#     report naming VM, hosts and cause, exit 1, the VM still runs on hv-b
#     and the second move never starts.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
VDECK=${VDECK:-$(cd "$(dirname "$0")/../.." && pwd)/vdeck}
LAB_VM_MEM_MIB=128
export LAB_VM_MEM_MIB

lab_pair_or_skip rebal "rebalance lab"
A=$LAB_MIG_SRC_URI B=$LAB_MIG_DST_URI
export XDG_STATE_HOME="$LAB_ROOT/state" XDG_CONFIG_HOME="$LAB_ROOT/config"
AUDIT=$XDG_STATE_HOME/vdeck/audit.jsonl
cat >"$LAB_ROOT/cluster.lua" <<EOF
host { name = "hv-a", transport = "none", libvirt = "$A", interval = 1 }
host { name = "hv-b", transport = "none", libvirt = "$B", interval = 1 }
EOF

t=$(lab_now)
pids=""
for v in v1 v2 v3 v4 v5 v6; do
	lab_vm_define "$A" "$v" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || { lab_fail "six guests started on hv-a"; lab_summary; exit 1; }
done
# y: defined on hv-b, started by the test while a migration runs
timeout 30 qemu-img create -q -f qcow2 "$LAB_ROOT/images/y.qcow2" 64M &&
	lab_vm_xml y "$LAB_ROOT/images/y.qcow2" >"$LAB_ROOT/images/y.xml" &&
	timeout 30 virsh -q -c "$B" define "$LAB_ROOT/images/y.xml" >/dev/null ||
	{ lab_fail "guest y defined on hv-b"; lab_summary; exit 1; }
lab_pass "six guests run on hv-a, y defined on hv-b ($(lab_elapsed "$t") s)"

running() { # URI: the names of its running domains, sorted, on one line
	timeout 10 virsh -q -c "$1" list --name 2>/dev/null | sed '/^$/d' | sort | tr '\n' ' '
}
count() { # URI
	running "$1" | wc -w
}
vd() { # ARGS...: vdeck on the lab inventory; output in $LAB_ROOT/out, exit code in $rc
	_t=$(lab_now)
	timeout 150 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock "$@" >"$LAB_ROOT/out" 2>&1
	rc=$?
	echo "# vdeck $* : exit $rc, $(lab_elapsed "$_t") s"
	sed 's/^/#   /' "$LAB_ROOT/out"
}
has() { grep -qF -- "$1" "$LAB_ROOT/out"; }
audit_from() { # the audit line a run starts at
	echo $(( $(cat "$AUDIT" 2>/dev/null | wc -l) + 1 ))
}
# incoming URI EXCEPT: waits (bounded) until a domain other than EXCEPT
# appears on URI: a migration towards it has begun
incoming() {
	_d=$(( $(date +%s) + 90 ))
	while [ "$(date +%s)" -lt "$_d" ]; do
		timeout 5 virsh -q -c "$1" list --all --name 2>/dev/null | grep -v "^${2:-}\$" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# ---- dry run ----
vd --dry-run --exec rebalance by=memory per_host=1 concurrency=2 unsafe=true
lab_check "dry-run exits 0" test "$rc" = 0
lab_check "it prints the plan's header" grep -Eq \
	'^plan_balance by memory \(best\): imbalance 1\.000 -> 0\.000 over 2 host\(s\), 3 move\(s\)' "$LAB_ROOT/out"
lab_check "and three moves hv-a -> hv-b in a table" sh -c \
	"grep -Eq '^STEP +VM +MEM +FROM +TO ' '$LAB_ROOT/out' &&
	 [ \$(grep -Ec '^[123] +v[1-6] +0\\.1G +hv-a +hv-b ' '$LAB_ROOT/out') = 3 ]"
lab_check "nothing moved" test "$(count "$B")" = 0

# ---- apply; the cluster changes under the first move ----
from=$(audit_from)
( incoming "$B" y && timeout 60 virsh -q -c "$B" start y >/dev/null && touch "$LAB_ROOT/y-started" ) &
watcher=$!
vd --exec rebalance by=memory per_host=1 concurrency=2 unsafe=true
wait "$watcher"
lab_check "the test started y on hv-b during the run" test -e "$LAB_ROOT/y-started"
lab_check "apply exits 0" test "$rc" = 0
lab_check "it planned again after a completed move, with fewer moves" grep -Eq \
	're-planned after v[1-6]: [01] move\(s\) left \(was [12]\)' "$LAB_ROOT/out"
lab_check "two VMs moved, one re-plan" sh -c "grep -Eq ' moved=2( |\$)' '$LAB_ROOT/out' && grep -Eq ' replans=1( |\$)' '$LAB_ROOT/out'"
echo "# hv-a runs: $(running "$A")"
echo "# hv-b runs: $(running "$B")"
lab_check "virsh: four guests on hv-a, three on hv-b (two moved and y)" sh -c \
	"[ $(count "$A") = 4 ] && [ $(count "$B") = 3 ]"
moved=$(running "$B" | tr ' ' '\n' | grep '^v' | tr '\n' ' ')
lab_check "the moved guests left hv-a" sh -c "for v in $moved; do ! echo ' $(running "$A")' | grep -q \" \$v \" || exit 1; done"
python3 "$LAB_LIB/audit_intervals.py" "$AUDIT" migrate "$from" >"$LAB_ROOT/iv"
sed 's/^/# migrate /' "$LAB_ROOT/iv"
lab_check "audit: two migrations, both ok" test "$(grep -c ' ok$' "$LAB_ROOT/iv")" = 2
lab_check "audit: never two at once (per_host=1)" grep -qx 'max_at_once 1' "$LAB_ROOT/iv"

# ---- evacuate hv-a; one guest there has a snapshot ----
snap=$(running "$A" | awk '{print $1}')
lab_check "snapshot of $snap" timeout 60 virsh -q -c "$A" snapshot-create-as "$snap" s1
from=$(audit_from)
vd --exec evacuate-host host=hv-a unsafe=true
lab_check "evacuate-host exits 1 (a VM cannot leave)" test "$rc" = 1
lab_check "it names that VM and why" grep -Eq "^$snap +hv-a +has snapshots" "$LAB_ROOT/out"
lab_check "and says the host is not empty" has "1 VM(s) cannot leave hv-a"
lab_check "three VMs moved" has "moved=3"
echo "# hv-a runs: $(running "$A")"
echo "# hv-b runs: $(running "$B")"
lab_check "virsh: only $snap left on hv-a" test "$(running "$A")" = "$snap "
lab_check "virsh: six guests on hv-b" test "$(count "$B")" = 6
python3 "$LAB_LIB/audit_intervals.py" "$AUDIT" migrate "$from" >"$LAB_ROOT/iv"
sed 's/^/# migrate /' "$LAB_ROOT/iv"
lab_check "audit: three migrations ok" test "$(grep -c ' ok$' "$LAB_ROOT/iv")" = 3
lab_check "audit: two at once (per_host=2)" grep -qx 'max_at_once 2' "$LAB_ROOT/iv"

# ---- rebalance back; hv-a's daemon is killed under the first move ----
# (per_host=2 concurrency=1: the cluster limit alone keeps the second
# move from starting beside the first)
from=$(audit_from)
( incoming "$A" "$snap" && lab_libvirtd_signal "$LAB_MIG_SRC" KILL && touch "$LAB_ROOT/a-stopped" ) &
watcher=$!
vd --exec rebalance by=memory per_host=2 concurrency=1 unsafe=true
wait "$watcher"
lab_check "the test stopped hv-a's daemon during the run" test -e "$LAB_ROOT/a-stopped"
lab_check "the run exits 1" test "$rc" = 1
lab_check "it stops at the first failure naming VM, hosts and cause" grep -Eq \
	'stopped at the first failure: (v[1-6]|y) hv-b -> hv-a: .+ \(0 of [0-9]+ moved\)' "$LAB_ROOT/out"
vm=$(sed -n 's/.*stopped at the first failure: \([^ ]*\) hv-b -> hv-a.*/\1/p' "$LAB_ROOT/out" | head -1)
lab_check "the plan had two moves; the second never started" sh -c \
	"grep -Eq '^2 +(v[1-6]|y) +0\\.1G +hv-b +hv-a ' '$LAB_ROOT/out' && grep -Eq ' not_started=1( |\$)' '$LAB_ROOT/out'"
lab_check "virsh: $vm still runs on hv-b" sh -c "[ -n '$vm' ] && timeout 10 virsh -q -c '$B' domstate '$vm' | grep -qx running"
python3 "$LAB_LIB/audit_intervals.py" "$AUDIT" migrate "$from" >"$LAB_ROOT/iv"
sed 's/^/# migrate /' "$LAB_ROOT/iv"
lab_check "audit: one migration, failed" sh -c "[ \$(grep -c ' failed$' '$LAB_ROOT/iv') = 1 ] && [ \$(grep -c ' ok$' '$LAB_ROOT/iv') = 0 ]"

echo "# total $(lab_elapsed "$T0") s"
lab_summary
