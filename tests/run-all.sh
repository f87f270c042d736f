#!/bin/sh
# run-all.sh — runs the test suites and prints one "N passed, N failed" total.
#
# Every test (a unit binary, a Lua script run by the real vdeck, a shell
# integration script) ends with its own "N passed, N failed" line; this sums
# them.  A test that exits non-zero without such a line counts as one failure.
# Usage: run-all.sh [layers|unit|lua|integration|asan|fuzz ...]  (default: all)
cd "$(dirname "$0")/.." || exit 2
suites=${*:-"layers unit lua integration asan fuzz"}
total_pass=0 total_fail=0 total_skip=0
log_dir=build/test-logs
mkdir -p "$log_dir"

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
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + s))
	if [ "$f" -eq 0 ]; then status=ok; else status=FAIL; fi
	printf '%-4s %-44s %4d passed %3d failed %3d skipped  %6ss\n' "$status" "$name" "$p" "$f" "$s" "$secs"
	if [ "$f" -ne 0 ]; then
		sed 's/^/    | /' "$log" | grep -Ev '^    \| (ok|PASS)' | tail -n 40
	fi
	grep -h '^SKIP' "$log" | sed 's/^/    /'
}

for suite in $suites; do
	case $suite in
	layers)
		run_one layers sh tools/check-layers.sh ;;
	unit)
		for t in build/tests/test_*; do [ -x "$t" ] && run_one "unit/${t##*/}" "$t"; done ;;
	lua)
		for t in tests/lua/test_*.lua; do
			[ -f "$t" ] && run_one "lua/${t##*/}" sh tests/lib/run-lua-test.sh ./vdeck "$t"
		done ;;
	integration)
		for t in tests/integration/test_*.sh; do
			[ -f "$t" ] && run_one "integration/${t##*/}" env VDECK="$PWD/vdeck" sh "$t"
		done ;;
	asan)
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp
		for t in build/tests-asan/test_*; do [ -x "$t" ] && run_one "asan/unit/${t##*/}" "$t"; done
		for t in tests/lua/test_*.lua; do
			[ -f "$t" ] && run_one "asan/lua/${t##*/}" sh tests/lib/run-lua-test.sh build/vdeck-asan "$t"
		done
		# The command line, operations, SSH, the console and exiting while hosts
		# hang, under the sanitizers too.
		for t in test_cli test_ops_cli test_ssh_metrics test_tui test_clean_exit; do
			run_one "asan/integration/$t.sh" env VDECK="$PWD/build/vdeck-asan" sh "tests/integration/$t.sh"
		done ;;
	fuzz)
		[ -x tests/fuzz/run.sh ] || [ -f tests/fuzz/run.sh ] && run_one fuzz-smoke sh tests/fuzz/run.sh 3 ;;
	esac
done
echo
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ $total_fail -eq 0 ]
