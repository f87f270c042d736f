#!/bin/sh
# test_audit_lab.sh — the audit trail of live migrations on real QEMU (TCG)
# behind two private libvirtd daemons (tests/lib/lab-libvirtd.sh), each
# migration held at 1 MiB/s so that it is still running when:
#   - t:abort() is called: the result record says "aborted";
#   - the script ends with the task still running: vdeck asks it to abort
#     on its way out and records it "abandoned";
#   - vdeck is killed with SIGKILL: only the started record exists.  The
#     next start lists that migration (--check, --check --json,
#     vdeck.unfinished()) with where the VM is now, and that agrees with
#     what virsh says on both daemons.
# Every started record has a result except the killed one.
# Skips with a reason where the machine cannot run it.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
VDECK=${VDECK:-$(cd "$(dirname "$0")/../.." && pwd)/vdeck}

lab_pair_or_skip auditlab "audit lab"
lab_vm_define "$LAB_MIG_SRC_URI" avm || { lab_fail "VM started"; lab_summary; exit 1; }
export XDG_STATE_HOME="$LAB_ROOT/state"
AUDIT=$XDG_STATE_HOME/vdeck/audit.jsonl
cat >"$LAB_ROOT/cluster.lua" <<EOF
host { name = "src", transport = "none", libvirt = "$LAB_MIG_SRC_URI", interval = 1 }
host { name = "dst", transport = "none", libvirt = "$LAB_MIG_DST_URI", interval = 1 }
EOF
run_vdeck() { timeout 60 "$VDECK" -c "$LAB_ROOT/cluster.lua" --connect-timeout 5 --no-lock "$@"; }
virsh_state() { timeout 10 virsh -q -c "$1" domstate avm 2>/dev/null | head -n 1; }
src_idle() { ! timeout 10 virsh -q -c "$LAB_MIG_SRC_URI" domjobinfo avm 2>/dev/null | grep -q Unbounded; }
# the migration's job is under way on the source
src_migrating() { timeout 10 virsh -q -c "$LAB_MIG_SRC_URI" domjobinfo avm 2>/dev/null | grep -q Unbounded; }
results_of() { grep '"record":"result"' "$AUDIT" | grep -c "\"result\":\"$1\""; }

# --- t:abort() -----------------------------------------------------------------
cat >"$LAB_ROOT/abort.lua" <<'EOF'
local d = vdeck.domain("avm")
local t = d:migrate { to = "dst", unsafe = true, bandwidth = 1, async = true }
for _ = 1, 200 do
  if t:progress().phase == "migrating" or t:done() then break end
  os.execute("sleep 0.05")
end
t:abort()
print("wait", pcall(t.wait, t))
EOF
t=$(lab_now)
run_vdeck --exec "$LAB_ROOT/abort.lua" >"$LAB_ROOT/abort.out" 2>&1
rc=$?
echo "# t:abort() run: $(lab_elapsed "$t") s, exit $rc"
sed 's/^/#   /' "$LAB_ROOT/abort.out"
lab_check "t:abort(): the result record says aborted" test "$(results_of aborted)" = 1
lab_wait 30 src_idle
lab_check "after the abort the VM still runs on src (virsh)" test "$(virsh_state "$LAB_MIG_SRC_URI")" = running

# --- the script ends while its task runs -----------------------------------------
cat >"$LAB_ROOT/leave.lua" <<'EOF'
local d = vdeck.domain("avm")
local t = d:migrate { to = "dst", unsafe = true, bandwidth = 1, async = true }
for _ = 1, 200 do
  if t:progress().phase == "migrating" or t:done() then break end
  os.execute("sleep 0.05")
end
print("leaving with the task", t:done() and "done" or "running")
EOF
t=$(lab_now)
run_vdeck --exec "$LAB_ROOT/leave.lua" >"$LAB_ROOT/leave.out" 2>&1
rc=$?
echo "# leaving run: $(lab_elapsed "$t") s, exit $rc"
sed 's/^/#   /' "$LAB_ROOT/leave.out"
lab_check "a task left running at exit: the result record says abandoned" test "$(results_of abandoned)" = 1
lab_check "the abandoned record says it was asked to abort" \
	grep -q '"result":"abandoned","error":"migrate: src/avm: vdeck exited while the task ran; it was asked to abort' "$AUDIT"
lab_wait 30 src_idle
lab_check "after vdeck left, the VM still runs on src (virsh)" test "$(virsh_state "$LAB_MIG_SRC_URI")" = running

# --- SIGKILL in the middle of a migration ----------------------------------------
"$VDECK" -c "$LAB_ROOT/cluster.lua" --connect-timeout 5 --no-lock \
	-e 'vdeck.domain("avm"):migrate { to = "dst", unsafe = true, bandwidth = 1 }' >"$LAB_ROOT/killed.out" 2>&1 &
killed=$! killed_alive=1
lab_defer '[ -n "$killed_alive" ] && kill -9 "$killed"'
if lab_wait 30 src_migrating && grep '"record":"started"' "$AUDIT" | grep -q "\"pid\":$killed,"; then
	lab_pass "the migration runs and its started record is on disk"
else
	lab_fail "the migration runs and its started record is on disk"
fi
kill -9 "$killed"
wait "$killed" 2>/dev/null
killed_alive=
id=$(grep '"record":"started"' "$AUDIT" | grep "\"pid\":$killed," | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
lab_check "no result record for the killed run" sh -c "! grep '\"record\":\"result\"' '$AUDIT' | grep -q '\"id\":\"$id\"'"
# libvirt cancels a migration whose client went away; wait for it to settle
lab_wait 30 src_idle
src_now=$(virsh_state "$LAB_MIG_SRC_URI")
dst_now=$(virsh_state "$LAB_MIG_DST_URI")
echo "# virsh after the kill: src '${src_now:-none}', dst '${dst_now:-none}'"
case $src_now in running) want="now: running on src" ;; *) want="now: ${dst_now:-?} on dst" ;; esac

# --- the next start lists it -----------------------------------------------------
run_vdeck --check >"$LAB_ROOT/check" 2>&1
sed 's/^/#   /' "$LAB_ROOT/check"
lab_check "--check lists the killed migration" grep -q "UNFINISHED .*  migrate src/avm .*id $id " "$LAB_ROOT/check"
lab_check "--check lists only that one" sh -c "test \$(grep -c '^UNFINISHED' '$LAB_ROOT/check') = 1"
lab_check "--check shows where virsh says the VM is ($want)" grep -q "id $id  $want\$" "$LAB_ROOT/check"
run_vdeck --check --json >"$LAB_ROOT/check.json" 2>&1
lab_check "--check --json: the unfinished migration" grep -qF "\"unfinished\":[{\"id\":\"$id\"," "$LAB_ROOT/check.json"
lab_check "--check --json: its arguments" grep -qF '"operation":"migrate","arguments":{"to":"dst"' "$LAB_ROOT/check.json"
run_vdeck -e 'for _, u in ipairs(vdeck.unfinished()) do print(u.id, u.operation, u.host, u.domain, u.now.domain_host, u.now.domain_state) end' \
	>"$LAB_ROOT/unfinished" 2>&1
sed 's/^/#   /' "$LAB_ROOT/unfinished"
if [ "$src_now" = running ]; then
	lab_check "vdeck.unfinished(): the migration, the VM running on src" \
		grep -qx "$id	migrate	src	avm	src	running" "$LAB_ROOT/unfinished"
else
	lab_check "vdeck.unfinished(): the migration, the VM on dst" grep -q "^$id	migrate	src	avm	dst	" "$LAB_ROOT/unfinished"
fi
# every other operation of the lab ended in the trail
lab_check "every started record but the killed one has its result" sh -c "
	for i in \$(grep '\"record\":\"started\"' '$AUDIT' | sed -n 's/.*\"id\":\"\\([^\"]*\\)\".*/\\1/p'); do
		[ \"\$i\" = '$id' ] && continue
		grep '\"record\":\"result\"' '$AUDIT' | grep -q \"\\\"id\\\":\\\"\$i\\\"\" || { echo \"no result for \$i\"; exit 1; }
	done"
echo "# total $(lab_elapsed "$T0") s"
lab_summary
