#!/bin/sh
# test_fault_audit_lab.sh — the fault matrix's rows about the audit trail and
# the console itself, on two private libvirtd + QEMU (TCG) daemons in network
# namespaces (tests/lib/lab-libvirtd.sh) and two in-process test:/// hosts:
#   1. the audit file on a full filesystem (a 64 KiB tmpfs, filled);
#   2. the audit file on a read-only filesystem;
#      (each in a private mount namespace: no mount outlives the test)
#   3. two --exec runs of one runbook started by cron at the same moment
#      (cron's bare environment; one names the runbook, one its path);
#   4. the console killed with SIGKILL in the middle of a live migration,
#      then started again.
# Each states what the operator is told, that the other hosts kept updating
# (data age at most 2 poll intervals; tests/lib/fault_watch.lua) and that the
# audit trail and the VMs (virsh) agree afterwards.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
ROOT=$(cd "$LAB_LIB/../.." && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
. "$LAB_LIB/fault-lib.sh"
. "$ROOT/tests/integration/tui_lib.sh"   # screen, keys, wait_for, tui_start (its counters unused)
VDECK=${VDECK:-$ROOT/vdeck}
CT=3
# FAULT_ONLY="3 4" runs only those faults (when working on one).
want() { case " ${FAULT_ONLY:-1 2 3 4} " in *" $1 "*) return 0 ;; esac; return 1; }

if ! lab_have tmux; then
	lab_skip "audit fault lab: tmux missing"
	lab_summary; exit $?
fi
lab_pair_or_skip faultau "audit fault lab"
# cvm and kvm carry 6 MiB of random data in RAM: their migrations at 1 MiB/s
# last seconds (a guest without OS has only zero pages, sent at once)
lab_vm_define "$LAB_MIG_SRC_URI" avm && lab_vm_define "$LAB_MIG_SRC_URI" cvm 6 &&
	lab_vm_define "$LAB_MIG_SRC_URI" kvm 6 || { lab_fail "VMs started"; lab_summary; exit 1; }
export XDG_RUNTIME_DIR="$LAB_ROOT/run" XDG_CONFIG_HOME="$LAB_ROOT/config" XDG_STATE_HOME="$LAB_ROOT/state" CT
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"
TMP=$LAB_ROOT/tui SOCK=vdeck-faultau-$$
mkdir -p "$TMP"
lab_defer "tmux -L $SOCK kill-server"
inventory() {
	cat <<EOF
host { name = "src", transport = "none", libvirt = "$LAB_MIG_SRC_URI", interval = 1 }
host { name = "dst", transport = "none", libvirt = "$LAB_MIG_DST_URI", interval = 1 }
host { name = "clock", transport = "none", libvirt = "test:///default", interval = 1 }
host { name = "quiet", transport = "none", libvirt = "test:///default", interval = 1 }
EOF
}
inventory >"$LAB_ROOT/cluster.lua"
vcpus_live() { timeout 20 virsh -q -c "$LAB_MIG_SRC_URI" vcpucount "$1" --live --active 2>/dev/null; }
virsh_where() {
	_w=
	for _h in src dst; do
		_s=$(timeout 20 virsh -q -c "$(lab_libvirtd_uri $_h)" domstate "$1" 2>/dev/null | head -n 1)
		[ -n "$_s" ] && [ "$_s" != "shut off" ] && _w="${_w:+$_w,}$_h:$_s"
	done
	echo "$_w"
}
# A runbook that moves a VM slowly (1 MiB/s) and watches the other hosts
# meanwhile; used by the cron runs and the console.
mkdir -p "$LAB_ROOT/runbooks"
cat >"$LAB_ROOT/runbooks/fault-move.lua" <<EOF
return vdeck.runbook {
  name = "fault-move",
  description = "live-migrate a VM at 1 MiB/s, watching the other hosts (fault matrix)",
  params = { { name = "vm", type = "domain", required = true }, { name = "to", type = "host", required = true } },
  run = function(ctx, p)
    local W = dofile("$FAULT_WATCH").setup { clock = "clock", others = { "quiet" }, interval = 1,
                                             marks = "$LAB_ROOT/marks-move" }
    local d = vdeck.domain(p.vm)
    local t = d:migrate { to = p.to, unsafe = true, bandwidth = 1, async = true }
    W.until_(function() return t:progress().phase == "migrating" or t:done() end, 60)
    W.mark("migrating")
    ctx.progress(0.5, "migrating")
    W.until_(function() return t:done() end, 120)
    t:wait()
    W.report()
    return { vm = d.name, host = d.host }
  end,
}
EOF
mkdir -p "$LAB_ROOT/marks-move"
chmod -R a+rX "$LAB_ROOT/runbooks"

# ---- 1 and 2. the audit file on a full and on a read-only filesystem ----------
cat >"$LAB_ROOT/audit.lua" <<'EOF'
local W = dofile(os.getenv("FAULT_WATCH")).setup { clock = "clock", others = { "dst", "quiet" }, interval = 1 }
local file, cause = os.getenv("AUDIT_FILE"), os.getenv("AUDIT_CAUSE")
W.ready()
local d = vdeck.domain("avm")
local before = d.vcpus
local good, err = pcall(d.set_vcpus, d, before + 1)
W.note("the operator reads: " .. (good and "(nothing: it ran)" or tostring(err)))
W.ok(not good, "set_vcpus is refused when its audit record cannot be written", "it ran")
W.ok(not good and tostring(err):find(file, 1, true) ~= nil and tostring(err):find(cause, 1, true) ~= nil,
     "the refusal names the audit file and the cause (" .. cause .. ")", err)
d:refresh()
W.ok(d.vcpus == before, "vdeck shows avm unchanged", d.vcpus)
W.ok(#vdeck.host("src"):domains() >= 3, "reading needs no audit trail: src's VMs listed")
W.until_(function() return false end, 3)
W.report()
-- unprotected: the run ends as cron would see it
d:set_vcpus(before + 1)
EOF
# audit_fault KIND (full | ro): vdeck in a private mount namespace whose
# $XDG_STATE_HOME/vdeck is a tmpfs holding one earlier audit record, then
# made full or read-only.  The trail is copied out for the checks.
audit_fault() {
	kind=$1
	dir=$LAB_ROOT/state-$kind/vdeck
	mkdir -p "$dir"
	# one page exactly: any append needs a new page of the tmpfs
	rec='{"time":"2026-01-01T00:00:00.000Z","user":"seed","host":"src","domain":"avm","operation":"seed","arguments":{},"call":null,"dry_run":false,"result":"ok","error":null,"duration":0.000,"pad":"'
	printf '%s' "$rec" >"$LAB_ROOT/seed-$kind"
	n=$((4096 - ${#rec} - 3))
	head -c "$n" /dev/zero | tr '\0' x >>"$LAB_ROOT/seed-$kind"
	printf '"}\n' >>"$LAB_ROOT/seed-$kind"
	cat >"$LAB_ROOT/ns-$kind.sh" <<EOF
mount -t tmpfs -o size=64k,mode=0755 vdeck-audit-$kind '$dir' || exit 90
cp '$LAB_ROOT/seed-$kind' '$dir/audit.jsonl'
if [ $kind = full ]; then
	dd if=/dev/zero of='$dir/filler' bs=4096 2>/dev/null
	sync
else
	mount -o remount,ro '$dir' || exit 91
fi
XDG_STATE_HOME='$LAB_ROOT/state-$kind' AUDIT_FILE='$dir/audit.jsonl' AUDIT_CAUSE='$2' \\
	'$VDECK' -c '$LAB_ROOT/cluster.lua' --no-lock --connect-timeout $CT --exec '$LAB_ROOT/audit.lua'
rc=\$?
cp '$dir/audit.jsonl' '$LAB_ROOT/after-$kind.jsonl'
exit \$rc
EOF
	fault_begin "audit-$kind"
	before=$(vcpus_live avm)
	t=$(lab_now)
	timeout -k 5 90 unshare -m --propagation private sh "$LAB_ROOT/ns-$kind.sh" >"$LAB_ROOT/audit-$kind.out" 2>&1
	rc=$?
	lab_tap_results "$LAB_ROOT/audit-$kind.out"
	echo "# the $kind-audit run took $(lab_elapsed "$t") s, exit $rc"
	lab_check "$kind: the tmpfs was set up" test "$rc" -lt 90 -o "$rc" -gt 91
	lab_check "$kind: the run exits 1" test "$rc" = 1
	lab_check "$kind: stderr names the audit file and the cause ($2)" \
		grep -q "$dir/audit.jsonl.*$2" "$LAB_ROOT/audit-$kind.out"
	lab_check "$kind: virsh shows avm's vCPUs unchanged ($before)" test "$(vcpus_live avm)" = "$before"
	lab_check "$kind: the audit file holds the earlier record, whole, and nothing else" \
		cmp -s "$LAB_ROOT/seed-$kind" "$LAB_ROOT/after-$kind.jsonl"
}
if want 1; then audit_fault full "No space left on device"; fi
if want 2; then audit_fault ro "Read-only file system"; fi

# ---- 3. two cron runs of one runbook at once ----------------------------------
if want 3; then
# cron: a bare environment, the working directory $HOME, the default
# inventory, state and runbook directories under $HOME.
CRON_HOME=$LAB_ROOT/home
mkdir -p "$CRON_HOME/.config/vdeck/runbooks"
inventory >"$CRON_HOME/.config/vdeck/cluster.lua"
cp "$LAB_ROOT/runbooks/fault-move.lua" "$CRON_HOME/.config/vdeck/runbooks/"
cron_run() { # NAME RUNBOOK
	(cd "$CRON_HOME" && exec env -i HOME="$CRON_HOME" LOGNAME=root USER=root SHELL=/bin/sh PATH=/usr/bin:/bin \
		timeout -k 5 120 "$VDECK" --connect-timeout $CT --exec "$2" vm=cvm to=dst) \
		>"$LAB_ROOT/$1.out" 2>&1
	echo $? >"$LAB_ROOT/$1.rc"
}
FAULT_MARKS=$LAB_ROOT/marks-move
rm -f "$FAULT_MARKS"/*
t=$(lab_now)
cron_run cron1 fault-move &
p1=$!
cron_run cron2 "$CRON_HOME/.config/vdeck/runbooks/fault-move.lua" &
p2=$!
# the loser ends at once; the winner after its migration
lab_wait 10 sh -c "test -s '$LAB_ROOT/cron1.rc' || test -s '$LAB_ROOT/cron2.rc'"
first=$(lab_elapsed "$t")
wait $p1 $p2
rc1=$(cat "$LAB_ROOT/cron1.rc") rc2=$(cat "$LAB_ROOT/cron2.rc")
echo "# cron runs: exit $rc1 and $rc2; the first ended after $first s, both after $(lab_elapsed "$t") s"
if [ "$rc1" = 4 ]; then loser=cron1 winner=cron2; else loser=cron2 winner=cron1; fi
lab_tap_results "$LAB_ROOT/$winner.out"
lab_check "cron: one run exits 0, the other 4 (lock held)" sh -c "[ '$rc1 $rc2' = '0 4' ] || [ '$rc1 $rc2' = '4 0' ]"
lab_check "cron: the loser ended at once (first exit after $first s)" sh -c "echo '$first' | awk '{ exit !(\$1 < 10) }'"
lab_check "cron: the loser's stderr says another run holds the lock, with its pid" \
	grep -Eq 'another run of .*fault-move.lua holds .*\(pid [0-9]+\)' "$LAB_ROOT/$loser.out"
WHERE=$(virsh_where cvm)
lab_check "cron: virsh: cvm moved once, runs on dst ($WHERE)" test "$WHERE" = dst:running
AUDIT=$CRON_HOME/.local/state/vdeck/audit.jsonl
lab_check "cron: the audit holds exactly one migration result for cvm, ok" \
	sh -c "[ \"\$(grep -F '\"operation\":\"migrate\"' '$AUDIT' | grep -F '\"domain\":\"cvm\"' | grep -c '\"result\":\"[a-z-]*\"')\" = 1 ] &&
		[ '$(fault_audit_result "$AUDIT" migrate cvm)' = ok ]"
lab_check "cron: ... and one started record (two-phase audit)" test "$(fault_audit_count "$AUDIT" migrate cvm started)" = 1
fi

# ---- 4. the console killed with SIGKILL in the middle of a migration ------------
if want 4; then
mkdir -p "$XDG_CONFIG_HOME/vdeck/runbooks"
cp "$LAB_ROOT/runbooks/fault-move.lua" "$XDG_CONFIG_HOME/vdeck/runbooks/"
AUDIT=$XDG_STATE_HOME/vdeck/audit.jsonl
FAULT_MARKS=$LAB_ROOT/marks-move
rm -f "$FAULT_MARKS"/*
form_set() { # FIELD_INDEX VALUE: edits the n-th (0-based) field of the open form
	keys g
	_n=0
	while [ $_n -lt "$1" ]; do keys j; _n=$((_n + 1)); done
	keys Enter
	_n=0
	while [ $_n -lt 16 ]; do keys BSpace; _n=$((_n + 1)); done
	literal "$2"
	keys Enter
	sleep 0.1
}
row() { screen | grep -E "^ *$1 " | head -n 1; }
age_of() { row "$1" | grep -oE ' [0-9]+s( |$)' | tail -n 1 | tr -d ' s'; }
TUI_ENV="LANG=C.UTF-8" tui_start 200 30 -c "$LAB_ROOT/cluster.lua" --connect-timeout "$CT"
if wait_for '4 hosts: 4 up' 30; then lab_pass "console: 4 hosts up"; else lab_fail "console: 4 hosts up" "$(screen | head -n 3)"; fi
keys 3
wait_for 'RUNBOOK' 5
keys /
literal '^fault-move'
keys Enter Enter
wait_for 'Runbook fault-move' 5
form_set 0 kvm
form_set 1 dst
keys r
wait_for 'Run fault-move\?' 5
keys y
if fault_wait_mark migrating 60; then
	lab_pass "console: the migration of kvm runs as a job"
else
	lab_fail "console: the migration of kvm runs as a job" "$(screen | head -n 12)"
fi
keys 1
wait_for '^ *HOST' 5
worst=0 n=0
while [ $n -lt 6 ]; do
	for h in quiet dst; do
		a=$(age_of $h)
		[ -z "$a" ] && a=99
		[ "$a" -gt "$worst" ] && worst=$a
	done
	sleep 0.3
	n=$((n + 1))
done
lab_check "console: dst and quiet kept updating during the migration (AGE at most ${worst} s, bound 2 s)" test "$worst" -le 2
pane=$(tmux -L "$SOCK" list-panes -F '#{pane_pid}' | head -n 1)
vpid=$(ps -o pid= --ppid "$pane" | head -n 1 | tr -d ' ')
DURING=$(timeout 20 virsh -q -c "$LAB_MIG_SRC_URI" domjobinfo kvm 2>/dev/null | awk -F: '/Job type/ { gsub(/ /, "", $2); print $2 }')
echo "# virsh domjobinfo on src before the kill: ${DURING:-?}"
kill -KILL "$vpid"
lab_wait 5 lab_pid_gone "$vpid"
lab_check "console killed with SIGKILL while the migration ran (job: ${DURING:-?})" test "$DURING" = Unbounded
tmux -L "$SOCK" kill-server 2>/dev/null
# libvirt ends (or finishes) the migration its client left: wait for one copy
lab_wait 60 sh -c "w=\$(for h in '$LAB_MIG_SRC_URI' '$LAB_MIG_DST_URI'; do virsh -q -c \"\$h\" domstate kvm 2>/dev/null; done | grep -c running); [ \"\$w\" = 1 ]"
WHERE=$(virsh_where kvm)
echo "# virsh: kvm at $WHERE"
lab_check "kvm runs on exactly one host ($WHERE)" sh -c "case '$WHERE' in src:running|dst:running) exit 0 ;; esac; exit 1"
lab_check "the audit holds the migration's started record, with no result (nobody saw its end)" \
	sh -c "[ \"\$(grep -F '\"domain\":\"kvm\"' '$AUDIT' | grep -F '\"operation\":\"migrate\"' | grep -c '\"record\":\"started\"')\" = 1 ] &&
		[ -z '$(fault_audit_result "$AUDIT" migrate kvm)' ]"
# the next start: --check and vdeck.unfinished() list it, beside where kvm is now
timeout 60 "$VDECK" -c "$LAB_ROOT/cluster.lua" --connect-timeout "$CT" --check >"$LAB_ROOT/check.out" 2>&1
lab_check "next start: --check lists the unfinished migration of kvm" \
	grep -Eqi 'unfinished.*migrate.*kvm|migrate.*kvm.*unfinished|migrate +kvm' "$LAB_ROOT/check.out"
sed 's/^/# check: /' "$LAB_ROOT/check.out" | tail -n 6
HOST=${WHERE%%:*}
cat >"$LAB_ROOT/unfinished.lua" <<'EOF'
local W = dofile(os.getenv("FAULT_WATCH"))
local l = vdeck.unfinished and vdeck.unfinished() or {}
local u
for _, x in ipairs(l) do if x.operation == "migrate" and x.domain == "kvm" then u = x end end
W.ok(u ~= nil, "vdeck.unfinished() lists the migration of kvm", vdeck.unfinished and #l .. " entries" or "no vdeck.unfinished")
W.ok(u and u.now and u.now.domain_host == os.getenv("HOST") and u.now.domain_state == "running",
     "... beside where kvm runs now, as virsh says (" .. os.getenv("HOST") .. ")",
     u and u.now and (tostring(u.now.domain_host) .. " " .. tostring(u.now.domain_state)))
W.ok(u and u.running == false, "... and says the vdeck that started it is gone", u and tostring(u.running))
EOF
HOST=$HOST timeout 60 "$VDECK" -c "$LAB_ROOT/cluster.lua" --connect-timeout "$CT" --no-lock \
	--exec "$LAB_ROOT/unfinished.lua" >"$LAB_ROOT/unfinished.out" 2>&1
lab_tap_results "$LAB_ROOT/unfinished.out"
# and the console's Log view
TUI_ENV="LANG=C.UTF-8" tui_start 200 30 -c "$LAB_ROOT/cluster.lua" --connect-timeout "$CT"
wait_for '4 hosts' 30
keys 5
if wait_for 'migrate.*kvm|kvm.*migrate' 15; then
	lab_pass "next start: the console's Log view shows the unfinished migration: $(screen | grep -E 'migrate.*kvm|kvm.*migrate' | head -n 1 | tr -s ' ' | cut -c1-150)"
else
	lab_fail "next start: the console's Log view shows the unfinished migration" "$(screen | head -n 10)"
fi
keys q
wait_file "$TMP/rc" 10
fi

echo "# total $(lab_elapsed "$T0") s"
lab_summary
