#!/bin/sh
# test_strict_skips.sh — a skip is not a pass: tests/run-all.sh in strict
# mode (VDECK_STRICT=1 or CI=true) fails a test that skips unless
# tests/allowed-skips lists it, and counts it as skipped when listed.  Fake
# tests skip through each harness (harness.sh, tui_lib.sh, lab-common.sh,
# the unit tests' check.h); a SKIP line a test forgot to count, a test
# without its summary line and a test that checked nothing fail too.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fake NAME BODY: a shell test at $tmp/NAME; $root is the repository.
fake() { printf 'root=%s\n%s\n' "$root" "$2" >"$tmp/$1"; }
fake test_skip_harness.sh '. "$root/tests/lib/harness.sh"
check "a real check" true
skip "harness: this machine cannot"
finish'
fake test_skip_tui.sh '. "$root/tests/integration/tui_lib.sh"
ok "a real check"
skip "tui: this machine cannot"
tui_summary'
fake test_skip_lab.sh 'LAB_LIB=$root/tests/lib; . "$LAB_LIB/lab-common.sh"
lab_pass "a real check"
lab_skip "lab: this machine cannot"
lab_summary'
fake test_uncounted.sh 'echo "SKIP uncounted: printed, not counted"; echo "1 passed, 0 failed"'
fake test_no_summary.sh 'echo "ok - but no summary line"'
fake test_nothing.sh 'echo "0 passed, 0 failed, 0 skipped"'
printf '#include "check.h"\nint main(void)\n{\n\tCHECK_INT(2 + 2, 4);\n\tSKIP("unit: %%s", "this machine cannot");\n\treturn check_summary();\n}\n' >"$tmp/unit.c"
if cc -std=c11 -Wall -Wextra -Werror -I"$root/tests/unit" -o "$tmp/test_skip_unit" "$tmp/unit.c" 2>"$tmp/cc.err"; then
	ok "a unit test with SKIP builds"
else
	fail "a unit test with SKIP builds" "$(cat "$tmp/cc.err")"
fi
: >"$tmp/none"

# run ENV... -- TESTS...: run-all.sh on the fakes, neither CI nor
# VDECK_STRICT inherited; output in $out, exit status in $rc.
run() {
	vars=
	while [ "$1" != -- ]; do vars="$vars $1"; shift; done
	shift
	# shellcheck disable=SC2086
	out=$(env -u CI -u VDECK_STRICT VDECK_TEST_LOGS="$tmp/logs" $vars sh "$root/tests/run-all.sh" "$@" 2>&1)
	rc=$?
}
# last LINE NAME: the total line run-all.sh ends with is LINE.
last() {
	got=$(echo "$out" | tail -n 1)
	[ "$got" = "$1" ] && ok "$2" || fail "$2" "total '$got', want '$1'; output: $(echo "$out" | tail -n 12)"
}
skippers="$tmp/test_skip_harness.sh $tmp/test_skip_tui.sh $tmp/test_skip_lab.sh $tmp/test_skip_unit"

run VDECK_STRICT=1 VDECK_ALLOWED_SKIPS="$tmp/none" -- $skippers
[ $rc -ne 0 ] && ok "strict: unlisted skips fail the run" || fail "strict: unlisted skips fail the run" "$out"
last "4 passed, 4 failed, 0 skipped" "strict: each skip counted as a failure"
for n in integration/test_skip_harness.sh integration/test_skip_tui.sh integration/test_skip_lab.sh unit/test_skip_unit; do
	echo "$out" | grep -q "^FAIL $n " && ok "strict: $n fails" || fail "strict: $n fails" "$out"
done
contains "strict: says which test and why" "$out" "strict mode: 1 skip(s) fail, integration/test_skip_harness.sh is not in $tmp/none"
contains "strict: shows the test's SKIP line" "$out" "SKIP unit: this machine cannot"

printf '%s\n' "# reviewed" "integration/test_skip_harness.sh: the fake's reason" \
	"integration/test_skip_tui.sh: tui reason" "integration/test_skip_lab.sh: lab reason" \
	"unit/test_skip_unit: unit reason" >"$tmp/allowed"
run VDECK_STRICT=1 VDECK_ALLOWED_SKIPS="$tmp/allowed" -- $skippers
[ $rc -eq 0 ] && ok "strict: listed skips pass" || fail "strict: listed skips pass" "$out"
last "4 passed, 0 failed, 4 skipped" "strict: listed skips counted as skipped"
contains "strict: the listed reason is shown" "$out" "skips allowed by $tmp/allowed: the fake's reason"

run CI=true VDECK_ALLOWED_SKIPS="$tmp/none" -- "$tmp/test_skip_harness.sh"
[ $rc -ne 0 ] && ok "CI=true is strict" || fail "CI=true is strict" "$out"

run VDECK_ALLOWED_SKIPS="$tmp/none" -- $skippers
[ $rc -eq 0 ] && ok "not strict: skips pass" || fail "not strict: skips pass" "$out"
last "4 passed, 0 failed, 4 skipped" "not strict: counted as skipped"
contains "not strict: says they would fail in CI" "$out" "4 skip(s) would fail with VDECK_STRICT=1"

run VDECK_STRICT=1 VDECK_ALLOWED_SKIPS="$tmp/none" -- "$tmp/test_uncounted.sh"
last "1 passed, 1 failed, 0 skipped" "a SKIP line the summary did not count still fails"
run VDECK_ALLOWED_SKIPS="$tmp/none" -- "$tmp/test_no_summary.sh"
last "0 passed, 1 failed, 0 skipped" "a test without its summary line fails"
run VDECK_ALLOWED_SKIPS="$tmp/none" -- "$tmp/test_nothing.sh"
last "0 passed, 1 failed, 0 skipped" "a test that checked nothing fails"

printf 'integration/test_skip_harness.sh:\n' >"$tmp/no-reason"
run VDECK_STRICT=1 VDECK_ALLOWED_SKIPS="$tmp/no-reason" -- "$tmp/test_skip_harness.sh"
[ $rc -eq 2 ] && ok "an allowed skip without a reason is refused" || fail "an allowed skip without a reason is refused" "rc=$rc $out"
run VDECK_ALLOWED_SKIPS="$tmp/none" -- nosuchsuite
[ $rc -eq 2 ] && ok "an unknown suite is refused" || fail "an unknown suite is refused" "rc=$rc $out"

# The project's own list: every entry names a test run-all.sh runs.
while IFS= read -r entry; do
	case $entry in ''|'#'*) continue ;; esac
	name=${entry%%:*} base=${entry%%:*}; base=${base##*/}
	if [ -e "$root/tests/unit/$base.c" ] || [ -e "$root/tests/lua/$base" ] || [ -e "$root/tests/integration/$base" ]; then
		ok "tests/allowed-skips: $name exists"
	else
		fail "tests/allowed-skips: $name exists" "no such test"
	fi
done <"$root/tests/allowed-skips"
finish
