#!/bin/sh
# test_tui_plan.sh — the Plan view and the NUMA locality columns on the
# skewed demo: the VMs view's LOC% column sorts, the Host view shows the
# host's NUMA imbalance and VM locality, a rebalance dry-run from the
# Runbooks view publishes its plan, and the Plan view (7) shows it.
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/tui_lib.sh
tui_setup

check() { # NAME REGEX [SECONDS]
	if wait_for "$2" "${3:-10}"; then ok "$1"; else bad "$1" "$(screen)"; fi
}

open_runbook() {
	keys 3
	sleep 0.2
	wait_for 'RUNBOOK' 5
	keys /
	literal "^$1"
	keys Enter
	sleep 0.2
	keys Enter
	wait_for "Runbook $1" 5
}

TUI_ENV="LANG=C.UTF-8" tui_start 200 50 --demo=8x120:skewed
check "demo up" '8 hosts: 8 up' 20

keys 7
check "7 opens the Plan view" '\[7 Plan\]'
check "no plan yet" 'No plan yet'

keys 2
check "the VMs view has a LOC% column" 'LOC%'
literal ':sort LOC%'
keys Enter
# ascending: VMs without a figure (not running) first, then the least local
check "sorted by locality" 'LOC%▲'
check "spanning VMs show their share" '^ +[a-z0-9-]+ +cna0[1-8] +running .* [4-9][0-9] +[0-9]+ +[0-9.]+[GT] ' 10

keys 1
wait_for 'cna02' 5
literal ':host cna02'
keys Enter
check "the Host view shows NUMA imbalance and VM locality" 'NUMA map: .* imbalance [0-9.]+ +VM locality [0-9]+%'

open_runbook rebalance
keys d
check "a rebalance dry-run prints the plan" 'plan_balance by memory \(best\)' 20
keys 7
check "the Plan view shows the published plan" 'plan_balance by memory: imbalance 0\.[0-9]+ -> 0\.0[0-9]+'
check "with its moves, planned" '^ +1 planned +1 +[a-z0-9-]+ +[0-9.]+G +cna02 '

keys q
tui_summary
