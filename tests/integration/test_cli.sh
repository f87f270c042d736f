#!/bin/sh
# test_cli.sh — the command line contract: help, exit codes, inventory
# errors, --json, --hosts, locking, interruption, install.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
VDECK=${VDECK:-$root/vdeck}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run"
export VDECK_TEST_FIXTURES="$root/tests/fixtures"
unset VDECK_CONFIG

out=$("$VDECK" --help); rc=$?
[ $rc -eq 0 ] && ok "--help exits 0" || fail "--help exits 0"
for opt in --demo --exec --repl --json --dry-run --hosts --list-runbooks --check -c -e --lock; do
	contains "--help documents $opt" "$out" "$opt"
done
contains "--version" "$("$VDECK" --version)" "vdeck 0."
expect_rc "unknown option exits 2" 2 "$VDECK" --frobnicate
expect_rc "two modes exit 2" 2 "$VDECK" --repl --check
expect_rc "stray argument exits 2" 2 "$VDECK" -e 'print(1)' extra
expect_rc "bad demo size exits 2" 2 "$VDECK" --demo=0x5 -e 'print(1)'
expect_rc "missing inventory exits 2" 2 "$VDECK" -c "$tmp/nope.lua" -e 'print(1)'
expect_rc "missing script exits 2" 2 "$VDECK" --demo --exec "$tmp/nope.lua"

# Inventory errors name FILE:LINE.
printf 'host { name = "a", address = "10.0.0.1" }\nhost { name = "b", adress = "x" }\n' > "$tmp/bad.lua"
err=$("$VDECK" -c "$tmp/bad.lua" -e 'print(1)' 2>&1); rc=$?
[ $rc -eq 2 ] && ok "inventory error exits 2" || fail "inventory error exits 2" "rc=$rc"
contains "inventory error names FILE:LINE" "$err" "$tmp/bad.lua:2: host: unknown field 'adress'"

# Inventory from $VDECK_CONFIG and from $XDG_CONFIG_HOME/vdeck/cluster.lua.
printf 'host { name = "only", transport = "none", libvirt = "test:///default" }\n' > "$tmp/one.lua"
contains "\$VDECK_CONFIG is read" "$(VDECK_CONFIG=$tmp/one.lua "$VDECK" -e 'print(vdeck.hosts()[1].name)')" "only"
mkdir -p "$tmp/config/vdeck" && cp "$tmp/one.lua" "$tmp/config/vdeck/cluster.lua"
contains "XDG inventory is read" "$("$VDECK" -e 'print(#vdeck.domains())')" "1"
rm "$tmp/config/vdeck/cluster.lua"

# Scripts: output on stdout, errors on stderr, exit 1 on failure.
# os.exit ends the run in order, not the process at once (the hosts'
# threads may be inside OpenSSL): the status is kept, output flushed, and
# the demo's files are removed (TMPDIR here, to count them).
export TMPDIR="$tmp/shm"; mkdir -p "$TMPDIR"
out=$("$VDECK" --demo=4x20 -e 'io.write("partial "); print(#vdeck.domains()); os.exit(7)'); rc=$?
[ $rc -eq 7 ] && ok "os.exit(7) exits 7 while hosts are polled" || fail "os.exit(7) exits 7 while hosts are polled" "rc=$rc"
contains "os.exit flushes what the script wrote" "$out" "partial 20"
out=$("$VDECK" --demo=2x4 -e 'io.write("no newline"); os.exit(false)'); rc=$?
[ $rc -eq 1 ] && [ "$out" = "no newline" ] && ok "os.exit(false) exits 1, output flushed" ||
	fail "os.exit(false) exits 1, output flushed" "rc=$rc out=$out"
check "os.exit leaves no demo files behind" test -z "$(ls "$TMPDIR")"
# caught by pcall, it still ends the run; from a vdeck.each task, it ends
# them all; in the REPL it quits with the status
out=$(timeout 20 "$VDECK" --demo=2x4 -e 'pcall(os.exit, 5) print("caught") while true do end'); rc=$?
[ $rc -eq 5 ] && [ "$out" = "caught" ] && ok "os.exit caught by pcall still ends the run" ||
	fail "os.exit caught by pcall still ends the run" "rc=$rc out=$out"
out=$(timeout 20 "$VDECK" --demo=2x4 -e 'vdeck.each(vdeck.domains(), function() os.exit(9) end) print("after")'); rc=$?
[ $rc -eq 9 ] && [ -z "$out" ] && ok "os.exit in a vdeck.each task ends the run" ||
	fail "os.exit in a vdeck.each task ends the run" "rc=$rc out=$out"
printf 'print(1)\nos.exit(4)\nprint(2)\n' | timeout 20 "$VDECK" --demo=1x1 --repl >"$tmp/repl.out" 2>&1; rc=$?
[ $rc -eq 4 ] && ! grep -q '^2$' "$tmp/repl.out" && ok "os.exit quits the REPL with its status" ||
	fail "os.exit quits the REPL with its status" "rc=$rc $(cat "$tmp/repl.out")"
check "nor do the runs after it" test -z "$(ls "$TMPDIR")"
unset TMPDIR

out=$("$VDECK" --demo -e 'vdeck.domain("no-such-vm")' 2>"$tmp/err"); rc=$?
[ $rc -eq 1 ] && ok "uncaught vdeck error exits 1" || fail "uncaught vdeck error exits 1" "rc=$rc"
contains "error names the domain" "$(cat "$tmp/err")" "no-such-vm: no such domain"
[ -z "$out" ] && ok "nothing on stdout on error" || fail "nothing on stdout on error"
expect_rc "syntax error in -e exits 2" 2 "$VDECK" --demo -e 'this is not lua'
printf 'error("boom")\n' > "$tmp/boom.lua"
expect_rc "script error exits 1" 1 "$VDECK" --demo --exec "$tmp/boom.lua"
printf 'x = = 1\n' > "$tmp/syntax.lua"
expect_rc "script syntax error exits 2" 2 "$VDECK" --demo --exec "$tmp/syntax.lua"
printf 'os.exit(0)\n' > "$tmp/stdin.lua"
expect_rc "--exec reads nothing from stdin" 0 sh -c "yes | timeout 10 '$VDECK' --demo --exec '$tmp/stdin.lua'"

# --json: one object per line that parses back.
"$VDECK" --demo --json -e 'for _, d in ipairs(vdeck.domains()) do vdeck.emit(d:info()) end' > "$tmp/json"
n=$(python3 -c 'import json,sys; rows=[json.loads(l) for l in open(sys.argv[1])]; assert all("uuid" in r and r["memory"]>0 for r in rows); print(len(rows))' "$tmp/json" 2>&1)
[ "$n" = 120 ] && ok "--json emits 120 parseable objects" || fail "--json emits 120 parseable objects" "$n"
out=$("$VDECK" --demo -e 'vdeck.emit{ name = "a b", n = 3, ok = true }')
[ "$out" = 'n=3 name="a b" ok=true' ] && ok "text emit is key=value" || fail "text emit is key=value" "$out"
contains "returned values are emitted" "$("$VDECK" --demo -e 'return { hosts = #vdeck.hosts() }')" "hosts=8"
# The demo's hosts are live: its transport moves their counters between polls.
# (A refresh is one poll begun after it was asked; the host's first poll may
# be that one, so two refreshes make sure of two polls.)
contains "--demo has NIC rates after two polls" "$("$VDECK" --demo=2x4 -e 'vdeck.refresh() vdeck.refresh()
	local bps = 0
	for _, n in ipairs(vdeck.hosts()[1]:nics()) do bps = math.max(bps, n.rx_bps or 0) end
	return { live = bps > 0 }')" "live=true"

# k=v arguments reach the script.
printf 'local a = ...\nprint(a, arg[1], select("#", ...))\n' > "$tmp/args.lua"
contains "--exec passes k=v arguments" "$("$VDECK" --demo --exec "$tmp/args.lua" x=1 y=2)" "x=1	x=1	2"
expect_rc "non k=v argument exits 2" 2 "$VDECK" --demo --exec "$tmp/args.lua" bare

# A runbook's result is emitted once, and nothing else (no params, no ctx).
out=$("$VDECK" --demo --dry-run --exec vcpu-set vm=web-004 count=4 2>/dev/null)
case $out in *function:*|*emit=*) fail "runbook output is its result only" "$out" ;; *) ok "runbook output is its result only" ;; esac
contains "runbook result emitted" "$out" "dry_run=true host=cna01 vm=web-004"

# --hosts narrows by name and tag.
contains "--hosts by glob" "$("$VDECK" --demo --hosts 'cna0[12]' -e 'print(#vdeck.hosts())')" "2"
contains "--hosts by tag" "$("$VDECK" --demo --hosts rack1 -e 'print(#vdeck.hosts())')" "2"
expect_rc "--hosts matching nothing exits 2" 2 "$VDECK" --demo --hosts zzz -e 'print(1)'

# Scale: --demo=128x3000.  The first poll of 128 hosts on 2 cores takes
# ~2 s, ~15 s under ASan: a host not heard from within the connect timeout
# is an error (never an empty list), so this run allows 60 s.
contains "--demo=128x3000 has 3000 domains on 128 hosts" \
	"$("$VDECK" --demo=128x3000 --connect-timeout 60 -e 'return { hosts = #vdeck.hosts(), vms = #vdeck.domains() }')" \
	"hosts=128 vms=3000"

# A host that cannot be opened is down; the others work; --check exits 3.
out=$("$VDECK" -c "$root/tests/fixtures/inventory/fixture-cluster.lua" --check); rc=$?
[ $rc -eq 3 ] && ok "--check exits 3 when a host is down" || fail "--check exits 3 when a host is down" "rc=$rc"
contains "--check shows the down host" "$out" "hv-dead"
expect_rc "--check exits 0 when all are up" 0 "$VDECK" --demo --check

# Locking: a second run of the same script exits 4 while the first holds it.
printf 'local f = io.open(os.getenv("VDECK_TEST_TMP") .. "/started", "w") f:close()\nlocal t = os.time() while os.time() - t < 3 do end\n' > "$tmp/slow.lua"
VDECK_TEST_TMP=$tmp "$VDECK" --demo=1x1 --exec "$tmp/slow.lua" & first=$!
i=0; while [ ! -f "$tmp/started" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
err=$("$VDECK" --demo=1x1 --exec "$tmp/slow.lua" 2>&1); rc=$?
[ $rc -eq 4 ] && ok "second run exits 4 (lock held)" || fail "second run exits 4 (lock held)" "rc=$rc $err"
contains "lock message names the script" "$err" "slow.lua"
expect_rc "--no-lock runs anyway" 0 env VDECK_TEST_TMP="$tmp" "$VDECK" --demo=1x1 --no-lock --exec "$tmp/slow.lua"
wait $first

# SIGINT stops a script with 130.
printf 'local f = io.open(os.getenv("VDECK_TEST_TMP") .. "/spin", "w") f:close()\nwhile true do end\n' > "$tmp/spin.lua"
VDECK_TEST_TMP=$tmp "$VDECK" --demo=1x1 --exec "$tmp/spin.lua" 2>/dev/null & spin=$!
i=0; while [ ! -f "$tmp/spin" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT $spin; wait $spin; rc=$?
[ $rc -eq 130 ] && ok "SIGINT exits 130" || fail "SIGINT exits 130" "rc=$rc"

# Runbooks are listed (lua/runbooks ships them).
out=$("$VDECK" --demo --list-runbooks 2>&1); rc=$?
[ $rc -eq 0 ] && ok "--list-runbooks exits 0" || fail "--list-runbooks exits 0" "$out"
names=$(echo "$out" | grep -v '^ ' | awk '{print $1}')
[ -n "$names" ] && [ "$names" = "$(echo "$names" | LC_ALL=C sort)" ] && ok "runbooks listed by name" ||
	fail "runbooks listed by name" "$names"
contains "parameters shown with types" "$out" "vm:domain count:integer"
n=$("$VDECK" --demo --json --list-runbooks | python3 -c 'import json,sys; print(sum(1 for l in sys.stdin if json.loads(l)["params"] is not None))')
[ "$n" = "$(echo "$names" | wc -l)" ] && ok "--json --list-runbooks parses" || fail "--json --list-runbooks parses" "$n"

# make install puts binary, Lua, themes and the man page under PREFIX.
if make -C "$root" -s install PREFIX="$tmp/prefix" >/dev/null 2>&1; then
	[ -x "$tmp/prefix/bin/vdeck" ] && [ -f "$tmp/prefix/share/man/man1/vdeck.1" ] && [ -d "$tmp/prefix/share/vdeck/lua" ] \
		&& ok "make install PREFIX=" || fail "make install PREFIX=" "missing files"
	contains "installed binary runs" "$("$tmp/prefix/bin/vdeck" --version)" "vdeck"
	contains "installed binary finds its runbooks under PREFIX/share" \
		"$(cd / && "$tmp/prefix/bin/vdeck" --demo=1x1 --list-runbooks 2>&1)" "snapshot-create"
	warnings=$(groff -man -ww -z -Tutf8 "$tmp/prefix/share/man/man1/vdeck.1" 2>&1); rc=$?
	[ $rc -eq 0 ] && [ -z "$warnings" ] && ok "installed man page renders without a warning" ||
		fail "installed man page renders without a warning" "rc=$rc $warnings"
else
	fail "make install PREFIX="
fi
finish
