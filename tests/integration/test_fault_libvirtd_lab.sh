#!/bin/sh
# test_fault_libvirtd_lab.sh — the fault matrix's libvirtd rows, on two
# private libvirtd + QEMU (TCG) daemons in network namespaces
# (tests/lib/lab-libvirtd.sh), with two in-process test:/// hosts beside
# them ("clock" keeps time, "quiet" only has to keep updating):
#   1. libvirtd frozen during a poll (SIGSTOP), killed, restarted;
#   2. the source's libvirtd killed during a live migration, restarted;
#   3. libvirtd killed during a live block commit (a merge), restarted.
# A vdeck script (tests/lib/fault_watch.lua) watches while this shell breaks
# the daemon.  Each fault states what the operator is told, that the other
# hosts kept updating (data age at most 2 poll intervals) and vdeck kept
# answering, and that the audit trail and the VMs (virsh, QEMU) agree
# afterwards: the VMs kept running in the same QEMU, no data was lost.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
. "$LAB_LIB/fault-lib.sh"
VDECK=${VDECK:-$(cd "$(dirname "$0")/../.." && pwd)/vdeck}
CT=3   # --connect-timeout

lab_pair_or_skip faultlv "libvirtd fault lab"
# mvm carries 6 MiB of random data in RAM: its migration at 1 MiB/s lasts
# seconds (a guest without OS has only zero pages, sent at once)
lab_vm_define "$LAB_MIG_SRC_URI" pvm && lab_vm_define "$LAB_MIG_SRC_URI" mvm 6 &&
	lab_vm_define "$LAB_MIG_SRC_URI" cvm || { lab_fail "VMs started"; lab_summary; exit 1; }
export XDG_STATE_HOME="$LAB_ROOT/state" XDG_RUNTIME_DIR="$LAB_ROOT/run" CT
mkdir -p "$XDG_RUNTIME_DIR"
AUDIT=$XDG_STATE_HOME/vdeck/audit.jsonl
cat >"$LAB_ROOT/cluster.lua" <<EOF
host { name = "src", transport = "none", libvirt = "$LAB_MIG_SRC_URI", interval = 1 }
host { name = "dst", transport = "none", libvirt = "$LAB_MIG_DST_URI", interval = 1 }
host { name = "clock", transport = "none", libvirt = "test:///default", interval = 1 }
host { name = "quiet", transport = "none", libvirt = "test:///default", interval = 1 }
EOF
qemu_pid() { cat "$LAB_LV_DIR_src/run/qemu/$1.pid" 2>/dev/null; }
vsrc() { timeout 20 virsh -q -c "$LAB_MIG_SRC_URI" "$@" 2>&1; }
# where VM runs, as virsh sees it: "src:running", "src:running,dst:paused", ""
virsh_where() {
	_w=
	for _h in src dst; do
		_s=$(timeout 20 virsh -q -c "$(lab_libvirtd_uri $_h)" domstate "$1" 2>/dev/null | head -n 1)
		[ -n "$_s" ] && [ "$_s" != "shut off" ] && _w="${_w:+$_w,}$_h:$_s"
	done
	echo "$_w"
}
restart_src() {
	rt=$(lab_now)
	if lab_libvirtd_restart src; then
		lab_pass "libvirtd src restarted ($(lab_elapsed "$rt") s)"
	else
		lab_fail "libvirtd src restarted"
	fi
	fault_mark restarted
}
VDECK_ARGS="${FAULT_VDECK_FLAGS:-} -c $LAB_ROOT/cluster.lua --no-lock --connect-timeout $CT --exec"
# FAULT_ONLY="2 3" runs only those faults, FAULT_VDECK_FLAGS=-vv adds vdeck's
# diagnostics to its output (when working on one).
want() { case " ${FAULT_ONLY:-1 2 3} " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- 1. frozen during a poll, killed, restarted ---------------------------
if want 1; then
cat >"$LAB_ROOT/poll.lua" <<'EOF'
local W = dofile(os.getenv("FAULT_WATCH")).setup { clock = "clock", others = { "dst", "quiet" }, interval = 1 }
local CT = tonumber(os.getenv("CT"))
local src = vdeck.host("src")
local function vms()
  local l = {}
  for _, d in ipairs(src:domains()) do l[#l + 1] = d.name .. "=" .. d.state end
  table.sort(l)
  return table.concat(l, " ")
end
W.ready()
W.track("src")
local before = vms()
W.until_(function() return W.seen("frozen") end, 60)
local frozen = W.now()
W.until_(function() return W.seen("killed") end, 60)
W.note(string.format("src's last poll applied %.1f s after the freeze; killed %.1f s after it",
       (src.last_poll or 0) - frozen, W.now() - frozen))
-- A libvirtd that answers nothing is not "up" once the connect timeout passed.
local shown = W.state_at("src", frozen + CT + W.interval)
W.ok(shown ~= "up", string.format("frozen libvirtd: src no longer shown up %d s after the freeze "
     .. "(--connect-timeout %d + 1 interval)", CT + 1, CT), "still " .. tostring(shown))
local down = W.until_(function() return src.state == "down" end, 5)
W.ok(down and (src.error or "") ~= "", "killed libvirtd: src shown down, with libvirt's reason",
     src.state .. " " .. tostring(src.error))
W.note("the operator reads: " .. tostring(src.error))
-- An operator asks again and again while the daemon is down: each refresh
-- fails at once, and must not push vdeck's next try far past its return.
local refused = 0
for _ = 1, 5 do
  local good, err = pcall(src.refresh, src)
  if not good and type(err) == "table" and err.code == "unreachable" then refused = refused + 1 end
end
W.ok(refused == 5, "h:refresh() of the dead host raises 'unreachable' at once, 5 times out of 5", refused)
W.mark("refreshed")
W.until_(function() return W.seen("restarted") end, 90)
local restarted = W.now()
local back = W.until_(function() return src.state == "up" end, 15)
W.ok(back, string.format("restarted libvirtd: src up again %.1f s later by itself (bound 15 s)", W.now() - restarted),
     src.state)
local after = vms()
W.ok(after == before, "src lists the same VMs in the same states as before the fault", before .. " -> " .. after)
W.fact("src_vms", after)
W.report()
EOF
fault_begin poll
QPIDS_BEFORE="$(qemu_pid pvm) $(qemu_pid mvm) $(qemu_pid cvm)"
t=$(lab_now)
fault_vdeck poll 150 $VDECK_ARGS "$LAB_ROOT/poll.lua"
if fault_wait_mark ready 60; then
	lab_libvirtd_signal src STOP
	fault_mark frozen
	sleep $((CT + 2))     # polls hang on the frozen daemon
	lab_libvirtd_signal src KILL
	fault_mark killed
	# after the script's refreshes, one scheduled poll that fails too
	fault_wait_mark refreshed 30
	sleep 2
	restart_src
fi
fault_vdeck_end poll
echo "# fault 1 (poll) took $(lab_elapsed "$t") s"
lab_check "1: vdeck exited 0" test "$FAULT_RC" = 0
VIRSH_VMS=$(for vm in $(vsrc list --all --name); do echo "$vm=$(vsrc domstate "$vm")"; done | sort | tr '\n' ' ' | sed 's/ $//')
lab_check "1: vdeck's list of src's VMs is virsh's ($VIRSH_VMS)" test "$(fault_fact src_vms)" = "$VIRSH_VMS"
lab_check "1: the VMs kept running in the same QEMU processes" \
	test "$QPIDS_BEFORE" = "$(qemu_pid pvm) $(qemu_pid mvm) $(qemu_pid cvm)"
lab_check "1: no operation ran, the audit trail holds no record" test ! -s "$AUDIT"

fi

# ---- 2. the source's libvirtd killed during a live migration -----------------
if want 2; then
cat >"$LAB_ROOT/migrate.lua" <<'EOF'
-- dst takes part: when the source comes back and cancels, dst's libvirtd
-- holds the incoming VM for a moment (~2 s) while it tears it down.  Polls
-- that waited for its migration job held dst's whole table for 6-7 s.
local W = dofile(os.getenv("FAULT_WATCH")).setup { clock = "clock", others = { "dst", "quiet" }, interval = 1,
  slack = { dst = { 2, "2 intervals + 2 s: dst's libvirtd tears the incoming VM down" } } }
W.ready()
W.track("src")
local d = vdeck.domain("mvm")
-- 1 MiB/s: the migration runs for seconds, however busy the machine is
local t = d:migrate { to = "dst", unsafe = true, bandwidth = 1, async = true }
W.until_(function() return t:progress().phase == "migrating" or t:done() end, 40)
W.ok(not t:done() and t:progress().phase == "migrating", "migration under way", t:progress().phase)
W.mark("migrating")
W.until_(function() return W.seen("killed") end, 30)
local killed = W.now()
local ended = W.until_(function() return t:done() end, 60)
W.ok(ended, string.format("the migration task ended %.1f s after the source's libvirtd died", W.now() - killed),
     t:progress().phase)
local good, err = pcall(t.wait, t)
W.note("the operator reads: " .. tostring(err))
W.ok(not good and tostring(err) ~= "", "the migration is reported failed, with the reason", err)
local job
for _, j in ipairs(vdeck.jobs()) do
  if j.kind == "migrate" and j.domain == "mvm" then job = j end
end
W.ok(job and job.state == "failed", "the Jobs list shows it failed", job and job.state)
W.until_(function() return W.seen("restarted") end, 90)
local restarted = W.now()
W.ok(W.until_(function() return vdeck.host("src").state == "up" end, 20),
     string.format("src up again %.1f s after the restart (bound 20 s)", W.now() - restarted), vdeck.host("src").state)
local function where()
  local at = {}
  for _, n in ipairs { "src", "dst" } do
    for _, x in ipairs(vdeck.host(n):domains()) do
      if x.name == "mvm" and x.state ~= "shutoff" then at[#at + 1] = n .. ":" .. x.state end
    end
  end
  return table.concat(at, ",")
end
-- the restarted daemon recovers the interrupted migration: give it time
W.until_(function() local w = where() return w == "src:running" or w == "dst:running" end, 30)
W.fact("mvm", where())
W.report()
EOF
fault_begin migrate
QPID=$(qemu_pid mvm)
t=$(lab_now)
fault_vdeck migrate 180 $VDECK_ARGS "$LAB_ROOT/migrate.lua"
if fault_wait_mark migrating 90; then
	lab_libvirtd_signal src KILL
	fault_mark killed
	sleep 1
	restart_src
fi
fault_vdeck_end migrate
echo "# fault 2 (migration) took $(lab_elapsed "$t") s"
lab_check "2: vdeck exited 0" test "$FAULT_RC" = 0
lab_wait 30 sh -c "[ \"\$(virsh -q -c '$LAB_MIG_SRC_URI' domstate mvm 2>/dev/null)\" = running ] ||
	[ \"\$(virsh -q -c '$LAB_MIG_DST_URI' domstate mvm 2>/dev/null)\" = running ]"
WHERE=$(virsh_where mvm)
echo "# virsh: mvm at $WHERE; vdeck: $(fault_fact mvm)"
lab_check "2: exactly one running copy of mvm (virsh: $WHERE)" sh -c "case '$WHERE' in src:running|dst:running) exit 0 ;; esac; exit 1"
lab_check "2: vdeck shows mvm where virsh does" test "$(fault_fact mvm)" = "$WHERE"
RESULT=$(fault_audit_result "$AUDIT" migrate mvm)
case $RESULT in
ok) WANT=dst:running ;;
'') WANT=none ;;
*) WANT=src:running ;;
esac
lab_check "2: the audit's result ($RESULT) agrees with where mvm runs ($WHERE)" test "$WANT" = "$WHERE"
lab_check "2: the audit holds a started record for the migration (two-phase audit)" \
	test "$(fault_audit_count "$AUDIT" migrate mvm started)" -ge 1
[ "$WHERE" = src:running ] &&
	lab_check "2: mvm kept running in the same QEMU process on src" test "$QPID" = "$(qemu_pid mvm)"

fi

# ---- 3. libvirtd killed during a block commit ---------------------------------
if want 3; then
cat >"$LAB_ROOT/merge.lua" <<'EOF'
local W = dofile(os.getenv("FAULT_WATCH")).setup { clock = "clock", others = { "dst", "quiet" }, interval = 1 }
W.ready()
W.track("src")
local d = vdeck.domain("cvm")
local base = d:disks()[1].source
d:snapshot { name = "s1", disk_only = true }
W.fact("base", base)
W.fact("overlay", d:disks()[1].source)
W.mark("snapshot")
W.until_(function() return W.seen("written") end, 60)
-- 16 MiB in the overlay at 1 MiB/s: the commit runs for seconds
local t = d:merge { disk = "vda", bandwidth = 1, async = true }
W.until_(function() return t:progress().phase == "committing" or t:done() end, 40)
W.ok(not t:done() and t:progress().phase == "committing", "block commit under way", t:progress().phase)
W.mark("committing")
W.until_(function() return W.seen("killed") end, 30)
local killed = W.now()
local ended = W.until_(function() return t:done() end, 60)
W.ok(ended, string.format("the merge task ended %.1f s after libvirtd died", W.now() - killed), t:progress().phase)
local good, err = pcall(t.wait, t)
W.note("the operator reads: " .. tostring(good and "merged" or err))
W.ok(good or tostring(err) ~= "", "the merge's outcome is reported (failed with the reason, or done)", err)
W.until_(function() return W.seen("restarted") end, 90)
local restarted = W.now()
W.ok(W.until_(function() return vdeck.host("src").state == "up" end, 20),
     string.format("src up again %.1f s after the restart (bound 20 s)", W.now() - restarted), vdeck.host("src").state)
d:refresh()
W.fact("vda", d:disks()[1].source)
W.fact("state", d.state)
W.report()
EOF
fault_begin merge
QPID=$(qemu_pid cvm)
t=$(lab_now)
fault_vdeck merge 180 $VDECK_ARGS "$LAB_ROOT/merge.lua"
QEMU_IO="/machine/peripheral/virtio-disk0/virtio-backend"
if fault_wait_mark snapshot 90; then
	# data only the overlay holds, until the commit copies it into the base
	out=$(vsrc qemu-monitor-command cvm --hmp "qemu-io -d $QEMU_IO \"write -P 0xab 0 16M\"")
	case $out in *rror*) lab_fail "16 MiB written into cvm's overlay" "$out" ;; esac
	fault_mark written
fi
if fault_wait_mark committing 90; then
	sleep 1
	lab_libvirtd_signal src KILL
	fault_mark killed
	sleep 1
	restart_src
fi
fault_vdeck_end merge
echo "# fault 3 (block commit) took $(lab_elapsed "$t") s"
lab_check "3: vdeck exited 0" test "$FAULT_RC" = 0
VDA=$(vsrc domblklist cvm | awk '$1 == "vda" { print $2 }')
echo "# virsh: vda on $VDA; vdeck: $(fault_fact vda); base $(fault_fact base), overlay $(fault_fact overlay)"
lab_check "3: vdeck shows vda on the file virsh does" test "$(fault_fact vda)" = "$VDA"
RESULT=$(fault_audit_result "$AUDIT" merge cvm)
if [ "$RESULT" = ok ]; then WANT=$(fault_fact base); else WANT=$(fault_fact overlay); fi
lab_check "3: the audit's result (${RESULT:-none}) agrees with the disk vda is on" test "$WANT" = "$VDA"
lab_check "3: the audit holds a started record for the merge (two-phase audit)" \
	test "$(fault_audit_count "$AUDIT" merge cvm started)" -ge 1
lab_check "3: cvm kept running in the same QEMU process" \
	sh -c "[ '$QPID' = '$(qemu_pid cvm)' ] && [ \"\$(virsh -q -c '$LAB_MIG_SRC_URI' domstate cvm)\" = running ]"
# the guest's view of its disk, through the file it is on now (-U: the VM runs)
out=$(timeout 30 qemu-io -r -U -f qcow2 -c "read -P 0xab 0 16M" "$VDA" 2>&1)
pattern_read() { echo "$1" | grep -q 'read 16777216/16777216 bytes' && ! echo "$1" | grep -qi 'fail'; }
lab_check "3: no data lost: the 16 MiB written before the fault read back" pattern_read "$out"
echo "$out" | head -n 3 | sed 's/^/# qemu-io: /'

fi

echo "# total $(lab_elapsed "$T0") s"
lab_summary
