#!/bin/sh
# test_tui_actions.sh — the TUI really runs things, on --demo, in tmux:
# the vcpu-set runbook through its form, dry-run preview (shows the call,
# changes nothing), confirmation, a job that ends done and a changed vCPU
# count; a slow runbook (h:run "sleep") while the UI keeps answering keys;
# three marked VMs and a snapshot from the action menu (3 jobs, 3 audit
# records); --readonly refusing both.
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/tui_lib.sh
tui_setup

AUDIT=$XDG_STATE_HOME/vdeck/audit.jsonl
mkdir -p "$XDG_CONFIG_HOME/vdeck/runbooks"
cat > "$XDG_CONFIG_HOME/vdeck/runbooks/slow-test.lua" <<'EOF'
return vdeck.runbook {
  name = "slow-test",
  description = "sleeps on a host (test)",
  params = { { name = "secs", type = "integer", default = 2 } },
  run = function(ctx, p)
    local h = vdeck.hosts()[1]
    print("sleeping on " .. h.name)
    ctx.progress(0.5, "half way")
    local out, err, status = h:run("sleep " .. p.secs .. "; echo slept")
    print("status " .. status .. " " .. out)
    return { slept = p.secs }
  end,
}
EOF


# open_runbook NAME: Runbooks view, filter to NAME, open its form.
open_runbook() {
	keys 3
	sleep 0.2
	screen | grep -q '^Runbook ' && keys Escape   # a form left open: back to the list
	wait_for 'RUNBOOK' 5
	keys /
	literal "^$1"
	keys Enter
	sleep 0.2
	keys Enter
	wait_for "Runbook $1" 5
}

# The action menu's operation names, top to bottom.
menu_names() { screen | grep -o '│ [a-z_]\+  ' | awk '{print $2}'; }

vcpus_of() { # VM: the VCPU column in the VMs view
	screen | awk -v vm="$1" '$1 == vm { print $4; exit }'
}

TUI_ENV="LANG=C.UTF-8" tui_start 160 48 --demo
check "demo up" '8 hosts: 8 up'

# A running VM with at least 2 vCPUs (hot-unplug one).
keys 2
wait_for 'NAME' 5
VM=$(screen | awk 'NR > 2 && $3 == "running" && $4 >= 2 { print $1; exit }')
BEFORE=$(vcpus_of "$VM")
NEW=$((BEFORE - 1))
[ -n "$VM" ] && ok "picked $VM ($BEFORE vCPUs)" || bad "no running VM with 2+ vCPUs" "$(screen)"

open_runbook vcpu-set
form_set 0 "$VM"
# a bad value is said when typed, and a preview of it runs nothing
form_set 1 "2.5"
check "the form refuses count=2.5 at once" "count: '2\\.5' is not an integer" 5
keys d
check "dry-run of count=2.5 is refused, naming the parameter" "parameter count: '2\\.5' is not an integer" 5
form_set 1 "$NEW"
keys d
check "dry-run preview shows the call" "virDomainSetVcpusFlags\\(\"$VM\", $NEW" 10
check "dry-run preview ran with dry_run" 'dry_run=true'
lines_before=$(cat "$AUDIT" 2>/dev/null | grep -c '"record":"result".*"dry_run":false')
keys 2
wait_for 'NAME' 5
if [ "$(vcpus_of "$VM")" = "$BEFORE" ]; then ok "dry-run changed nothing"; else bad "dry-run changed nothing" "$(screen)"; fi

keys 3
wait_for "Runbook vcpu-set" 5
keys r
check "r asks for confirmation" 'Run vcpu-set\? This may change the cluster'
keys n
check "any other key: not run" 'not run'
keys r
wait_for 'Run vcpu-set\?' 5
keys y
check "confirmed run: a job in the Jobs view" 'runbook .*(running|done)' 10
check "the job ends done" "runbook +done .*vcpu-set vm=$VM count=$NEW" 10
keys 2
wait_for 'NAME' 5
n=0
while [ "$(vcpus_of "$VM")" != "$NEW" ] && [ $n -lt 40 ]; do sleep 0.1; n=$((n + 1)); done
if [ "$(vcpus_of "$VM")" = "$NEW" ]; then ok "VMs view shows $VM with $NEW vCPUs"; else bad "vCPU count changed" "$(screen)"; fi
lines_after=$(grep -c '"record":"result".*"dry_run":false' "$AUDIT" 2>/dev/null)
[ "$lines_after" -eq $((lines_before + 1)) ] && ok "one audit result record for the run" || bad "audit records: $lines_before -> $lines_after"

# A slow runbook: the UI answers keys while it runs.
open_runbook slow-test
form_set 0 3
keys r
wait_for 'Run slow-test\?' 5
keys y
check "slow job running" 'runbook +running .*slow-test' 5
t0=$(date +%s%N)
keys 1
check "Cluster view while the job runs" 'cna01 +up' 2
keys 2
check "VMs view while the job runs" 'NAME▲' 2
keys 4
check "Jobs view, still running" 'runbook +running .*slow-test' 2
t1=$(date +%s%N)
[ $(( (t1 - t0) / 1000000 )) -lt 2500 ] && ok "three view switches answered in $(( (t1 - t0) / 1000000 )) ms" || bad "UI slow during the job"
keys g Enter
check "Enter shows the live log" 'sleeping on cna01' 3
check "progress from ctx.progress" 'half way' 3
check "the log follows to the end" 'status 0 slept' 8
check "slow job done" 'Job [0-9]+ +runbook +done' 5
keys Escape

# x cancels a running job: the sleep already sent is let finish, the
# runbook is not resumed after it.
open_runbook slow-test
form_set 0 2
keys r
wait_for 'Run slow-test\?' 5
keys y
check "second slow job running" 'runbook +running .*slow-test secs=2' 5
keys x
check "x: cancelling" 'cancelling' 2
check "cancelled job ends cancelled" 'runbook +cancelled .*slow-test secs=2' 8
keys Enter
check "its log stops before the end" 'cancelling' 3
if screen | grep -q 'status 0 slept'; then bad "cancelled job was resumed" "$(screen)"; else ok "cancelled job not resumed"; fi
keys Escape

# Three marked VMs, snapshot from the action menu.
keys 2
wait_for 'NAME' 5
keys g Space Space Space
check "three VMs marked" '3 marked'
MARKED=$(screen | awk '$1 == "●" { print $2 }' | head -3 | tr '\n' ' ')
audit_n=$(wc -l < "$AUDIT")
keys a
check "action menu lists the operations" 'Operations on 3 marked VMs'
check "action menu shows snapshot" 'snapshot +take a snapshot'
# move the selection onto "snapshot"
pos=$(menu_names | grep -n '^snapshot$' | cut -d: -f1)
keys g
n=1
while [ $n -lt "${pos:-1}" ]; do keys j; n=$((n + 1)); done
keys Enter
check "argument prompt" 'snapshot \(name=value \.\.\.\): name=' 3
literal "tuitest"
keys Enter
check "confirmation names the targets" 'Apply snapshot name=tuitest to 3 VMs' 3
keys y
check "three jobs" 'snapshot .*done' 10
n=0
while [ "$(screen | grep -c 'snapshot .* done ')" -lt 3 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
done_n=$(screen | grep -c 'snapshot .* done ')
[ "$done_n" -eq 3 ] && ok "3 snapshot jobs done" || bad "3 snapshot jobs done ($done_n)" "$(screen)"
new_audit=$(( $(wc -l < "$AUDIT") - audit_n ))
[ "$new_audit" -eq 6 ] && ok "3 audit record pairs" || bad "3 audit record pairs ($new_audit lines)" "$(tail -n 6 "$AUDIT")"
[ "$(tail -n 6 "$AUDIT" | grep -c '"record":"started".*"operation":"snapshot"')" -eq 3 ] &&
[ "$(tail -n 6 "$AUDIT" | grep -c '"record":"result".*"operation":"snapshot".*"result":"ok"')" -eq 3 ] &&
	ok "audit records say snapshot started, then ok" || bad "audit content" "$(tail -n 6 "$AUDIT")"

# A destructive operation wants "yes" typed.
keys 2
wait_for 'NAME' 5
keys g a
check "action menu on the selected VM" 'Operations on the selected VM' 3
pos=$(menu_names | grep -n '^revert$' | cut -d: -f1)
keys g
n=1
while [ $n -lt "${pos:-1}" ]; do keys j; n=$((n + 1)); done
keys Enter
wait_for 'revert \(name=value' 3
literal "nothere"
keys Enter
check "destructive: asks to type yes" 'revert is destructive .* type yes' 3
literal "y"
keys Enter
check "destructive: anything but yes does not run" 'revert not run' 3
keys q
wait_file "$TMP/rc" 5

# --readonly: the menu and r refuse, saying why.
TUI_ENV="LANG=C.UTF-8" tui_start 160 48 --demo --readonly
check "readonly demo up" 'READONLY'
keys 2
wait_for 'NAME' 5
keys a
check "readonly: action menu refused" 'read-only session'
check_not "readonly: no menu" 'Operations on' 1
open_runbook vcpu-set
check "readonly: form hint" 'read-only session'
form_set 0 "$VM"
form_set 1 1
keys r
check "readonly: r refused" 'read-only session: vcpu-set changes the cluster' 3
keys 4
check_not "readonly: no job started" 'runbook +(running|done)' 1
keys q
wait_file "$TMP/rc" 5

tui_summary
