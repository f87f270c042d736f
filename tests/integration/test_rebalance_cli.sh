#!/bin/sh
# test_rebalance_cli.sh — the rebalance runbook through the real binary on
# the skewed demo: --dry-run prints the whole plan as a table and changes
# nothing; applying it meets the test driver, which cannot migrate, and
# stops at the first failure with a report (the other moves not started),
# exit 1.
VDECK=${VDECK:-./vdeck}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config"
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; [ -n "$2" ] && sed 's/^/#   /' "$2"; }
check() { # name command...
	name=$1; shift
	if "$@"; then ok "$name"; else no "$name" "$tmp/out"; fi
}
run() { "$VDECK" --demo=8x120:skewed --no-lock "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc"; cat "$tmp/err" >>"$tmp/out"; }
rc() { [ "$(cat "$tmp/rc")" = "$1" ]; }
has() { grep -qF -- "$1" "$tmp/out"; }
audit="$XDG_STATE_HOME/vdeck/audit.jsonl"

run --dry-run --exec rebalance max_moves=3
check "dry-run runs" rc 0
check "dry-run prints the plan's header" has "plan_balance by memory (best): imbalance"
check "and its table" grep -Eq '^STEP +VM +MEM +FROM +TO +NODE +IMBALANCE +REASON' "$tmp/out"
check "three moves" grep -Eq '^3 +[a-z0-9-]+ +[0-9.]+G +cna0[1-8] +cna0[1-8] ' "$tmp/out"
check "the summary" has "moves=3"
check "nothing was sent" sh -c "! grep -q '\"dry_run\":false' '$audit' 2>/dev/null"

run --exec rebalance max_moves=3 concurrency=1
check "apply stops at the first failure (exit 1)" rc 1
check "it says which move failed and why" grep -Eq 'stopped at the first failure: [a-z0-9-]+ cna0[1-8] -> cna0[1-8]: .*virDomainMigrate3' "$tmp/out"
check "the report counts the moves not started" has "not_started=2"
check "nothing moved" has "moved=0"
check "the failed migration is audited" grep -q '"operation":"migrate".*"result":"failed"' "$audit"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
