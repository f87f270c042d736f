#!/bin/sh
# run-all.sh — runs the test suites and prints one "N passed, N failed,
# N skipped" total.
#
# Every test (a unit binary, a Lua script run by the real vdeck, a shell
# integration script) ends with its own "N passed, N failed[, N skipped]"
# line; this sums them.  A test that ends without such a line, exits
# non-zero with no failure counted, or checks nothing (0 passed, 0 skipped)
# counts as one failure; so does a suite with no test.  A "SKIP ..." line
# that the test's own count missed still counts as a skip.
#
# Strict mode (VDECK_STRICT=1 or CI=true; .ci/run sets it): every skip is a
# failure unless the test is listed, with its reason, in tests/allowed-skips
# (VDECK_ALLOWED_SKIPS names another file).  Outside strict mode a skip
# passes, and the total says how many would fail.
#
# Usage: run-all.sh [layers|unit|lua|integration|asan|fuzz|FILE ...]
# (default: the six suites).  FILE, from the repository root, runs one test:
# build/tests/test_x, build/tests-asan/test_x, tests/lua/test_x.lua or
# tests/integration/test_x.sh.  Logs: build/test-logs (VDECK_TEST_LOGS).
cd "$(dirname "$0")/.." || exit 2
suites=${*:-"layers unit lua integration asan fuzz"}
total_pass=0 total_fail=0 total_skip=0 unlisted_skips=0
log_dir=${VDECK_TEST_LOGS:-build/test-logs}
allowed=${VDECK_ALLOWED_SKIPS:-tests/allowed-skips}
strict=0
if [ "${VDECK_STRICT:-}" = 1 ] || [ "${CI:-}" = true ]; then strict=1; fi
mkdir -p "$log_dir"

# Every line of the allowed file is "TEST: reason" (TEST as the status
# column below prints it), a comment or blank: anything else is refused.
if [ -r "$allowed" ]; then
	bad=$(grep -nvE '^[[:space:]]*(#.*)?$|^[^[:space:]:#]+: *[^[:space:]].*$' "$allowed")
	if [ -n "$bad" ]; then
		echo "run-all.sh: $allowed: want \"TEST: reason\" lines:" >&2
		echo "$bad" | sed 's/^/    /' >&2
		exit 2
	fi
elif [ -n "${VDECK_ALLOWED_SKIPS:-}" ]; then
	echo "run-all.sh: $allowed: no such file" >&2
	exit 2
fi

# allowed_reason NAME: prints why NAME may skip; fails when it is not listed.
allowed_reason() {
	[ -r "$allowed" ] || return 1
	awk -v name="$1" 'index($0, name ":") == 1 { r = substr($0, length(name) + 2); sub(/^ +/, "", r); print r; found = 1; exit }
		END { exit !found }' "$allowed"
}

# count_result NAME PASSED FAILED SKIPPED SECONDS [NOTE]: adds to the
# totals and prints the status line.
count_result() {
	total_pass=$((total_pass + $2)); total_fail=$((total_fail + $3)); total_skip=$((total_skip + $4))
	if [ "$3" -eq 0 ]; then status=ok; else status=FAIL; fi
	printf '%-4s %-44s %4d passed %3d failed %3d skipped  %6ss\n' "$status" "$1" "$2" "$3" "$4" "$5"
	[ -n "${6:-}" ] && echo "    $6"
	return 0
}

run_one() { # name command...
	name=$1; shift
	log="$log_dir/$(echo "$name" | tr '/ ' '__').log"
	start=$(date +%s.%N)
	"$@" >"$log" 2>&1
	rc=$?
	secs=$(echo "$(date +%s.%N) $start" | awk '{printf "%.1f", $1-$2}')
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(echo "$line" | sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p')
	s=$(echo "$line" | sed -n 's/.* \([0-9][0-9]*\) skipped.*/\1/p')
	p=${p:-0} f=${f:-0} s=${s:-0}
	k=$(grep -c '^SKIP' "$log")
	[ "$k" -gt "$s" ] && s=$k
	note=
	if [ -z "$line" ]; then
		f=$((f + 1)); note="no \"N passed, N failed\" line (exit $rc)"
	elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1; note="exit $rc with no failure counted"
	elif [ "$p" -eq 0 ] && [ "$s" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1; note="checked nothing"
	fi
	if [ "$s" -gt 0 ]; then
		if reason=$(allowed_reason "$name"); then
			note="${note:+$note; }skips allowed by $allowed: $reason"
		elif [ $strict -eq 1 ]; then
			f=$((f + s)); note="${note:+$note; }strict mode: $s skip(s) fail, $name is not in $allowed"; s=0
		else
			unlisted_skips=$((unlisted_skips + s))
		fi
	fi
	count_result "$name" "$p" "$f" "$s" "$secs" "$note"
	if [ "$f" -ne 0 ]; then
		sed 's/^/    | /' "$log" | grep -Ev '^    \| (ok|PASS)' | tail -n 40
	else
		grep -h '^SKIP' "$log" | sed 's/^/    /'
	fi
}

# no_tests SUITE GLOB: a suite whose glob found nothing is a failure.
no_tests() { count_result "$1" 0 1 0 0.0 "no test found ($2)"; }

# run_units DIR PREFIX: one binary per tests/unit/test_*.c; a source whose
# binary is missing fails (a stale binary of a removed test is not run).
run_units() {
	for c in tests/unit/test_*.c; do
		[ -f "$c" ] || { no_tests "$2" "tests/unit/test_*.c"; return; }
		t=$1/$(basename "$c" .c)
		if [ -x "$t" ]; then run_one "$2/${t##*/}" "$t"
		else count_result "$2/${t##*/}" 0 1 0 0.0 "$t not built (make check builds it)"; fi
	done
}

sanitizer_options() {
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp
}

for suite in $suites; do
	case $suite in
	layers)
		run_one layers sh tools/check-layers.sh ;;
	unit)
		run_units build/tests unit ;;
	lua)
		for t in tests/lua/test_*.lua; do
			[ -f "$t" ] || { no_tests lua "tests/lua/test_*.lua"; break; }
			run_one "lua/${t##*/}" sh tests/lib/run-lua-test.sh ./vdeck "$t"
		done ;;
	integration)
		for t in tests/integration/test_*.sh; do
			[ -f "$t" ] || { no_tests integration "tests/integration/test_*.sh"; break; }
			run_one "integration/${t##*/}" env VDECK="$PWD/vdeck" sh "$t"
		done ;;
	asan)
		sanitizer_options
		run_units build/tests-asan asan/unit
		for t in tests/lua/test_*.lua; do
			[ -f "$t" ] || { no_tests asan/lua "tests/lua/test_*.lua"; break; }
			run_one "asan/lua/${t##*/}" sh tests/lib/run-lua-test.sh build/vdeck-asan "$t"
		done
		# The command line, operations, SSH, the console, exiting while hosts
		# hang and shell completion, under the sanitizers too.
		for t in test_cli test_ops_cli test_ssh_metrics test_tui test_clean_exit test_completion; do
			run_one "asan/integration/$t.sh" env VDECK="$PWD/build/vdeck-asan" sh "tests/integration/$t.sh"
		done ;;
	fuzz)
		run_one fuzz-smoke sh tests/fuzz/run.sh 3 ;;
	*/test_*.sh)
		run_one "integration/${suite##*/}" env VDECK="$PWD/vdeck" sh "$suite" ;;
	*/test_*.lua)
		run_one "lua/${suite##*/}" sh tests/lib/run-lua-test.sh ./vdeck "$suite" ;;
	build/tests-asan/test_*)
		sanitizer_options
		run_one "asan/unit/${suite##*/}" "$suite" ;;
	*/test_*)
		run_one "unit/${suite##*/}" "$suite" ;;
	*)
		echo "run-all.sh: '$suite' is neither a suite nor a test file" >&2
		exit 2 ;;
	esac
done
echo
if [ $strict -eq 1 ]; then
	echo "strict mode: a skip fails unless $allowed lists its test"
elif [ $unlisted_skips -gt 0 ]; then
	echo "not strict: $unlisted_skips skip(s) would fail with VDECK_STRICT=1 (as in CI)"
fi
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ $total_fail -eq 0 ]
