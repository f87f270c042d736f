#!/bin/sh
# run.sh — `make bench`: vdeck against a simulated 128-host × 3000-VM cluster
# reached the way production reaches it (SSH per host, libvirt's RPC to a
# daemon), side by side with OpenSSH + virsh doing the same work, in one run;
# then per-VM statistics on real QEMU guests.  Prints a table; writes
# bench/results/latest.json (and README.md's table from it, bench/readme_table.py);
# exits non-zero when any phase failed.
#
# Environment (defaults are the product's scale):
#   BENCH_HOSTS=128 BENCH_VMS=3000   cluster size
#   BENCH_CYCLES=20                  timed poll cycles of vdeck (per libvirt path)
#   BENCH_BASELINE_CYCLES=5          timed cycles of the OpenSSH+virsh script (~1 min each
#                                    at 128 hosts on 2 cores: 256 processes a cycle)
#   BENCH_PARALLEL=16                hosts the baseline script runs at once
#   BENCH_KEYS=200                   filter keystrokes timed in the TUI
#   BENCH_PATHS="rpc-ssh tunnel tunnel-libvirt"   libvirt paths measured; the faster of
#                                    rpc-ssh and tunnel is used after (tunnel-libvirt: the
#                                    tunnel with libvirt's client making the stats call,
#                                    reported beside them)
#   BENCH_QEMU_VMS=16                QEMU guests of the second stage (0: off)
#   BENCH_HOST_POLLS=200             polls and node_exporter scrapes of the host-side measure
#   BENCH_OUT=bench/results/latest.json
#   BENCH_TMP=/dev/shm               where the cluster is generated (tmpfs)
#   BENCH_FAIL_PHASE=NAME            (tests) feed phase NAME a broken input, so
#                                    that the run must report it failed
#   VDECK=./vdeck
# Phases, each recorded as ok / failed / n/a (with why) / off in DIR/phases:
#   collect-PATH  vdeck collection over libvirt path PATH (bench/collect.py)
#   baseline      OpenSSH ControlMaster + virsh collection (bench/baseline.py)
#   hostcost      host side per poll vs node_exporter (bench/hostcost.py)
#   tui           first frame, complete frame, filter keystrokes, RSS (bench/tui.py)
#   snap          bulk snapshot, vdeck vs a sequential virsh loop (bench/snap.py)
#   qemu          bulk stats vs virsh domstats on QEMU guests (bench/qemu.sh)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
VDECK=${VDECK:-$root/vdeck}
HOSTS=${BENCH_HOSTS:-128}
VMS=${BENCH_VMS:-3000}
CYCLES=${BENCH_CYCLES:-20}
BCYCLES=${BENCH_BASELINE_CYCLES:-5}
PARALLEL=${BENCH_PARALLEL:-16}
KEYS=${BENCH_KEYS:-200}
PATHS=${BENCH_PATHS:-rpc-ssh tunnel tunnel-libvirt}
QEMU_VMS=${BENCH_QEMU_VMS:-16}
HOST_POLLS=${BENCH_HOST_POLLS:-200}
FAIL=${BENCH_FAIL_PHASE:-}
OUT=${BENCH_OUT:-$root/bench/results/latest.json}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
unset SSH_AUTH_SOCK   # key files only, for vdeck and the baseline alike

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
# phase NAME STATUS [WHY]: the record report.py reads
phase() { printf '%s %s %s\n' "$1" "$2" "${3:-}" >>"$work/phases"; [ "$2" = failed ] && say "$1 FAILED: ${3:-}"; return 0; }
# broken NAME GOOD BAD: BAD when BENCH_FAIL_PHASE names this phase
broken() { if [ "$FAIL" = "$1" ]; then echo "$3"; else echo "$2"; fi; }

[ -x "$VDECK" ] || die "no vdeck binary at $VDECK (make vdeck)"
tmpbase=${BENCH_TMP:-/dev/shm}
[ -w "$tmpbase" ] || tmpbase=${TMPDIR:-/tmp}
work=$(mktemp -d "$tmpbase/vdeck-bench.XXXXXX") || die "cannot create a work directory"
chmod 755 "$work"
: >"$work/phases"
mover_pid=
cleanup() {
	[ -n "$mover_pid" ] && kill "$mover_pid" 2>/dev/null
	libvirtd_private_stop >/dev/null 2>&1
	[ -n "${SSHD_DIR:-}" ] && sshd_stop >/dev/null 2>&1
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The hosts: one private sshd (a dedicated user with a plain /bin/sh) and one
# private libvirtd serving every host's test:/// file over RPC.
SSHD_NO_TRAP=1
SSHD_LIFETIME=${SSHD_LIFETIME:-3600}
export SSHD_LIFETIME
. "$root/tests/lib/sshd.sh"
. "$root/tests/lib/libvirtd-private.sh"
TMPDIR=$work sshd_start >/dev/null 2>&1 || die "sshd cannot run here"
TMPDIR=$work LIBVIRTD_PRIVATE_LIFETIME=$SSHD_LIFETIME libvirtd_private_start ||
	die "the private libvirtd cannot run here"
BENCH_LV_SOCK=$LIBVIRTD_PRIVATE_SOCK BENCH_LV_PID=$LIBVIRTD_PRIVATE_PID
export BENCH_LV_SOCK BENCH_LV_PID
command -v nc >/dev/null || die "nc missing (netcat-openbsd: libvirt's ssh transport needs it on the host)"

say "generating ${HOSTS}x${VMS} (sshd on 127.0.0.1:$SSHD_PORT as $SSHD_USER, libvirtd $BENCH_LV_SOCK)"
# Does this vdeck know libvirt_via?  Then rpc-ssh says "uri" (the tunnel
# would otherwise be its default) and the tunnel is measured too.
printf 'host { name = "probe", transport = "none", libvirt = "test:///default", libvirt_via = "uri" }\n' \
	>"$work/probe.lua"
if "$VDECK" -c "$work/probe.lua" -e 'return 1' >/dev/null 2>&1; then BENCH_VIA=1; else BENCH_VIA=; fi
export BENCH_VIA
VDECK=$VDECK sh "$root/bench/gen-cluster.sh" "$work/c" "$HOSTS" "$VMS" || die "gen-cluster failed"

# The counter mover: the demo generator's own demo_tick(), once a second.
if [ ! -f "$root/build/libvdeck.a" ]; then
	make -C "$root" --no-print-directory -s build/libvdeck.a >&2 || die "cannot build build/libvdeck.a"
fi
# build_tool SRC OUT: a bench tool linked with vdeck's own library.
build_tool() {
	cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$root/src" -o "$2" "$1" "$root/build/libvdeck.a" \
		$(pkg-config --libs libvirt lua5.4 ncursesw libssh2 libxml-2.0) -lreadline -lpthread -lm
}
build_tool "$root/bench/mover.c" "$work/mover" || die "cannot build bench/mover.c"
"$work/mover" "$work/c" 1 "$work/mover.out" &
mover_pid=$!

# (1) vdeck: one vdeck.refresh() per cycle over all hosts, per libvirt path.
for via in $PATHS; do
	inv=$(broken "collect-$via" "$work/c/cluster-$via.lua" "$work/c/no-such-inventory.lua")
	if [ "$via" != rpc-ssh ] && [ -z "$BENCH_VIA" ]; then
		phase "collect-$via" n/a "this vdeck has no libvirt_via (inventory key of the SSH tunnel)"
		continue
	fi
	say "(1) vdeck collection over $via: $CYCLES cycles"
	if "$PY" "$root/bench/collect.py" "$VDECK" "$inv" cycles="$CYCLES" warmup=2 \
		out="$work/collect-$via.out" 2>"$work/collect-$via.log"; then
		phase "collect-$via" ok
	else
		phase "collect-$via" failed "$(tail -3 "$work/collect-$via.log" | tr '\n' ' ')"
	fi
done
# The floor under the client's figure: libvirt's client alone, the call
# vdeck makes per host, from one thread, straight to the daemon (no SSH).
say "libvirt's client alone: $((CYCLES * 5)) cycles of the bulk-statistics call per host"
if build_tool "$root/bench/libvirt_floor.c" "$work/libvirt_floor" 2>"$work/libvirt-floor.log" &&
	"$work/libvirt_floor" "$(broken libvirt-floor "$work/c/hosts.tsv" "$work/none")" "$BENCH_LV_SOCK" \
		$((CYCLES * 5)) >"$work/libvirt-floor.out" 2>>"$work/libvirt-floor.log"; then
	phase libvirt-floor ok
else
	phase libvirt-floor failed "$(tail -3 "$work/libvirt-floor.log" | tr '\n' ' ')"
fi

# The faster path carries on: the console, the snapshot run.
best=$("$PY" "$root/bench/report.py" --best-path "$work")
[ -n "$best" ] || best=rpc-ssh
echo "$best" >"$work/libvirt_path"
inv=$work/c/cluster-$best.lua

# (2) the same collection with OpenSSH ControlMaster + virsh.
say "(2) OpenSSH+virsh collection: $BCYCLES cycles, $PARALLEL hosts at a time"
if "$PY" "$root/bench/baseline.py" "$(broken baseline "$work/c" "$work/none")" cycles="$BCYCLES" \
	parallel="$PARALLEL" out="$work/baseline.out" 2>"$work/baseline.log"; then
	phase baseline ok
else
	phase baseline failed "$(tail -3 "$work/baseline.log" | tr '\n' ' ')"
fi

# Host side: the poll's cost on one bench host beside node_exporter's per
# scrape of the same tree (bench/hostcost.py measure, its own sshd).
if grep -q '"measure"' "$root/bench/hostcost.py" 2>/dev/null; then
	say "host side: bench/hostcost.py measure, $HOST_POLLS polls"
	if "$PY" "$root/bench/hostcost.py" measure vdeck="$VDECK" \
		sysroot="$(cut -f3 "$work/c/hosts.tsv" | head -1)" polls="$HOST_POLLS" scrapes="$HOST_POLLS" \
		out="$work/hostcost.json" >"$work/hostcost.log" 2>&1; then
		phase hostcost ok
	else
		phase hostcost failed "$(tail -3 "$work/hostcost.log" | tr '\n' ' ')"
	fi
else
	phase hostcost n/a "bench/hostcost.py has no measure (the host-side reader's own bench)"
fi

# (3)+(4) the console in tmux, on the faster path.
say "(3)(4) TUI over $best: first frame, $KEYS filter keystrokes at $VMS rows"
if "$PY" "$root/bench/tui.py" "$VDECK" "$(broken tui "$inv" "$work/c/no-such-inventory.lua")" \
	hosts="$HOSTS" keys="$KEYS" out="$work/tui.out" 2>"$work/tui.log"; then
	phase tui ok
else
	phase tui failed "$(tail -3 "$work/tui.log" | tr '\n' ' ')"
fi

# (5) bulk snapshot of every VM: the runbook vs the sequential virsh loop.
say "(5) bulk snapshot over $best: runbook snapshot-create, then a sequential virsh loop"
if "$PY" "$root/bench/snap.py" "$VDECK" "$work/c" "$inv" vms="$VMS" tag="$(broken snap bench no-such-tag)" \
	out="$work/snap.out" 2>"$work/snap.log"; then
	phase snap ok
else
	phase snap failed "$(tail -3 "$work/snap.log" | tr '\n' ' ')"
fi

kill "$mover_pid" 2>/dev/null
wait "$mover_pid" 2>/dev/null
mover_pid=
libvirtd_private_stop

# Stage 2: per-VM statistics on real QEMU guests (a lab libvirtd, under the lab lock).
if [ "$QEMU_VMS" -gt 0 ]; then
	say "stage 2: $QEMU_VMS QEMU guests, vdeck's bulk stats vs virsh domstats"
	if flock /tmp/vdeck-lab.lock sh "$root/bench/qemu.sh" "$VDECK" "$work/q" "$(broken qemu "$QEMU_VMS" -1)" \
		"$work/qemu.out" 2>"$work/qemu.log"; then
		phase qemu ok
	else
		phase qemu failed "$(tail -3 "$work/qemu.log" | tr '\n' ' ')"
	fi
else
	phase qemu off "BENCH_QEMU_VMS=0"
fi

mkdir -p "$(dirname "$OUT")"
"$PY" "$root/bench/report.py" "$work" "$OUT" hosts="$HOSTS" vms="$VMS"
rc=$?
# The README's table is this file's, rewritten, never typed.
if [ "$OUT" = "$root/bench/results/latest.json" ]; then
	"$PY" "$root/bench/readme_table.py" "$OUT" "$root/README.md" && say "README.md's table rewritten from $OUT"
fi
exit $rc
