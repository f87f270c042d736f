# harness.sh — shared helpers for shell integration tests (source it).
# ok/fail/skip count results; finish prints "N passed, N failed, N skipped"
# and sets the exit status.  A skip passes here: tests/run-all.sh fails it
# in strict mode unless tests/allowed-skips lists the test.
PASS=0 FAIL=0 SKIPPED=0
ok()   { PASS=$((PASS + 1)); echo "ok - $1"; }
fail() { FAIL=$((FAIL + 1)); echo "not ok - $1${2:+: $2}"; }
skip() { SKIPPED=$((SKIPPED + 1)); echo "SKIP $1"; }
check() { # check NAME CMD... : passes when CMD succeeds
	name=$1; shift
	if "$@"; then ok "$name"; else fail "$name"; fi
}
expect_rc() { # expect_rc NAME WANT CMD...
	name=$1 want=$2; shift 2
	"$@" >/dev/null 2>&1; got=$?
	if [ "$got" = "$want" ]; then ok "$name"; else fail "$name" "exit $got, want $want"; fi
}
contains() { # contains NAME HAYSTACK NEEDLE
	case $2 in *"$3"*) ok "$1" ;; *) fail "$1" "output lacks '$3': $(echo "$2" | head -c 300)" ;; esac
}
finish() {
	echo "$PASS passed, $FAIL failed, $SKIPPED skipped"
	[ "$FAIL" -eq 0 ]
}
