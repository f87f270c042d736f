#!/bin/sh
# run.sh SECONDS — builds every libFuzzer target in tests/fuzz (clang,
# -fsanitize=fuzzer,address,undefined, only src/core + src/metrics) and runs
# each for SECONDS seconds on a seed corpus made from tests/fixtures/metrics.
# Objects and binaries are cached in build/fuzz.  core/strbuf.c is built
# with -include stdlib.h (it calls free() without including it).
# Prints "N passed, N failed" (one per target); SKIP when clang or its
# libFuzzer runtime is missing.
cd "$(dirname "$0")/../.." || exit 2
secs=${1:-5}
out=build/fuzz
targets=$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_\(.*\)\.c|\1|')
ntargets=$(echo "$targets" | wc -w)
skip() { echo "SKIP fuzz: $1"; echo "0 passed, 0 failed, $ntargets skipped"; exit 0; }
command -v clang >/dev/null 2>&1 || skip "clang not installed"
mkdir -p "$out/obj" "$out/seeds"
probe="$out/probe.c"
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe"
clang -fsanitize=fuzzer "$probe" -o "$out/probe" >/dev/null 2>&1 || skip "clang libFuzzer runtime missing"

CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -Isrc -fno-omit-frame-pointer $(pkg-config --cflags libxml-2.0)"
XML_LIBS=$(pkg-config --libs libxml-2.0)
SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
objs=""
for src in src/core/err.c src/core/xalloc.c src/core/strbuf.c src/metrics/*.c; do
	obj="$out/obj/$(echo "$src" | tr / _).o"
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find src/core src/metrics -name '*.h' -newer "$obj")" ]; then
		clang $CFLAGS $SAN -c "$src" -o "$obj" || { echo "build of $src failed"; echo "0 passed, 1 failed"; exit 1; }
	fi
	objs="$objs $obj"
done

# seeds: every fixture file, for every target (cheap and gives structure)
seeds="$out/seeds"
rm -rf "$seeds"; mkdir -p "$seeds"
for f in tests/fixtures/metrics/* tests/fixtures/metrics/ovs/* tests/fixtures/libvirt/*; do [ -f "$f" ] && cp "$f" "$seeds/"; done

pass=0 fail=0 built=""
for t in $targets; do
	bin="$out/fuzz_$t"
	stale=1
	if [ -f "$bin" ] && [ ! "tests/fuzz/fuzz_$t.c" -nt "$bin" ]; then
		stale=0
		for o in $objs; do [ "$o" -nt "$bin" ] && stale=1; done
	fi
	if [ $stale -eq 1 ] && ! clang $CFLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		"tests/fuzz/fuzz_$t.c" $objs $XML_LIBS -o "$bin" 2>"$out/$t.build.log"; then
		echo "FAIL fuzz_$t: build"; cat "$out/$t.build.log"; fail=$((fail + 1)); continue
	fi
	built="$built $t"
done

# Run two targets at a time (the budget is per target, not in total).
run_one() { # target
	work="$out/corpus_$1"
	rm -rf "$work"; mkdir -p "$work"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$out/fuzz_$1" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=1024 -timeout=10 \
		-artifact_prefix="$out/crash_${1}_" "$work" "$seeds" >"$out/$1.log" 2>&1
	echo $? >"$out/$1.rc"
}
set -- $built
while [ $# -gt 0 ]; do
	a=$1; shift; b=${1:-}; [ $# -gt 0 ] && shift
	run_one "$a" & pa=$!
	[ -n "$b" ] && run_one "$b"
	wait $pa
	for t in $a $b; do
		if [ "$(cat "$out/$t.rc")" = 0 ]; then
			echo "ok   fuzz_$t ($(grep -c '' "$out/$t.log") log lines)"; pass=$((pass + 1))
		else
			echo "FAIL fuzz_$t"; tail -n 30 "$out/$t.log"; fail=$((fail + 1))
		fi
	done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
