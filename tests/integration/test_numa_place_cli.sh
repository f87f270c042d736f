#!/bin/sh
# test_numa_place_cli.sh — the numa-place runbook through the real binary
# on a skewed demo host (libvirt's test driver): --dry-run prints the plan
# and changes nothing; by default (libvirt's "current", which the test
# driver takes) every planned VM is pinned and bound, each step audited;
# live=true meets the test driver's refusal of live vCPU pins and stops at
# the first VM with a report naming VM, host and cause, exit 1.
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
run() { "$VDECK" --demo=3x24:skewed --no-lock "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc"; cat "$tmp/err" >>"$tmp/out"; }
rc() { [ "$(cat "$tmp/rc")" = "$1" ]; }
has() { grep -qF -- "$1" "$tmp/out"; }
audit="$XDG_STATE_HOME/vdeck/audit.jsonl"

run --dry-run --exec numa-place host=cna02
check "dry-run runs" rc 0
check "it prints the plan's header" has "plan_numa cna02: mean locality"
check "and its table" grep -Eq '^VM +MEM +ACTION +NODE +CPUS +BEFORE +AFTER +REASON' "$tmp/out"
check "with VMs to pin on both nodes" sh -c "grep -Eq ' pin +0 ' '$tmp/out' && grep -Eq ' pin +1 ' '$tmp/out'"
check "the summary" grep -Eq 'dry_run=true .*to_place=[1-9]' "$tmp/out"
check "nothing was sent" sh -c "! grep -q '\"dry_run\":false' '$audit' 2>/dev/null"
n=$(grep -Ec ' pin +[01] ' "$tmp/out")

run --exec numa-place host=cna02
check "apply runs (exit 0)" rc 0
check "every planned VM placed" grep -Eq "placed=$n to_place=$n" "$tmp/out"
check "pins audited ok, as libvirt's current" sh -c \
	"[ \$(grep -c '\"record\":\"result\".*\"operation\":\"pin_vcpus\".*VIR_DOMAIN_AFFECT_CURRENT.*\"result\":\"ok\"' '$audit') = $n ]"
check "numatune audited ok" sh -c \
	"[ \$(grep -c '\"record\":\"result\".*\"operation\":\"set_numatune\".*\"result\":\"ok\"' '$audit') = $n ]"

run --exec numa-place host=cna02 live=true
check "live=true: stops at the first failure (exit 1)" rc 1
check "naming VM, host and cause" grep -Eq \
	"stopped at the first failure: [a-z0-9-]+ on cna02: .*testDomainPinVcpuFlags.* \(0 of $n placed\)" "$tmp/out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
