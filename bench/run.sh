#!/bin/sh
# run.sh — `make bench`: vdeck against a simulated 128-host × 3000-VM cluster
# on loopback, side by side with OpenSSH + virsh doing the same work, in one
# run.  Prints a table; writes bench/results/latest.json.
#
# Environment (defaults are the product's scale):
#   BENCH_HOSTS=128 BENCH_VMS=3000   cluster size
#   BENCH_CYCLES=20                  timed poll cycles of vdeck
#   BENCH_BASELINE_CYCLES=20         timed cycles of the OpenSSH+virsh script
#   BENCH_PARALLEL=16                hosts the baseline script runs at once
#   BENCH_KEYS=200                   filter keystrokes timed in the TUI
#   BENCH_OUT=bench/results/latest.json
#   BENCH_TMP=/dev/shm               where the cluster is generated (tmpfs)
#   VDECK=./vdeck
# Phases: (1) vdeck collection, (2) baseline collection, (3) first full TUI
# frame, (4) filter keystroke to screen at 3000 rows, (5) bulk snapshot vs a
# sequential virsh loop.  A phase whose prerequisite is missing is reported
# as null and listed under "pending".
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
VDECK=${VDECK:-$root/vdeck}
HOSTS=${BENCH_HOSTS:-128}
VMS=${BENCH_VMS:-3000}
CYCLES=${BENCH_CYCLES:-20}
BCYCLES=${BENCH_BASELINE_CYCLES:-$CYCLES}
PARALLEL=${BENCH_PARALLEL:-16}
KEYS=${BENCH_KEYS:-200}
OUT=${BENCH_OUT:-$root/bench/results/latest.json}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
unset SSH_AUTH_SOCK   # key files only, for vdeck and the baseline alike

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ -x "$VDECK" ] || die "no vdeck binary at $VDECK (make vdeck)"
tmpbase=${BENCH_TMP:-/dev/shm}
[ -w "$tmpbase" ] || tmpbase=${TMPDIR:-/tmp}
work=$(mktemp -d "$tmpbase/vdeck-bench.XXXXXX") || die "cannot create a work directory"
chmod 755 "$work"
mover_pid=
cleanup() {
	[ -n "$mover_pid" ] && kill "$mover_pid" 2>/dev/null
	[ -n "${SSHD_DIR:-}" ] && sshd_stop >/dev/null 2>&1
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The hosts: one private sshd, a dedicated user with a plain /bin/sh.
SSHD_NO_TRAP=1
SSHD_LIFETIME=${SSHD_LIFETIME:-1800}
export SSHD_LIFETIME
. "$root/tests/lib/sshd.sh"
TMPDIR=$work sshd_start >/dev/null 2>&1 || die "sshd cannot run here"

say "generating ${HOSTS}x${VMS} (sshd on 127.0.0.1:$SSHD_PORT as $SSHD_USER)"
VDECK=$VDECK sh "$root/bench/gen-cluster.sh" "$work/c" "$HOSTS" "$VMS" || die "gen-cluster failed"

# The counter mover: the demo generator's own demo_tick(), once a second.
if [ ! -f "$root/build/libvdeck.a" ]; then
	make -C "$root" --no-print-directory -s build/libvdeck.a >&2 || die "cannot build build/libvdeck.a"
fi
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$root/src" -o "$work/mover" \
	"$root/bench/mover.c" "$root/build/libvdeck.a" \
	$(pkg-config --libs libvirt lua5.4 ncursesw libssh2 libxml-2.0) -lreadline -lpthread -lm ||
	die "cannot build bench/mover.c"
"$work/mover" "$work/c" 1 "$work/mover.out" &
mover_pid=$!
mark="$PY $root/bench/hostcost.py $SSHD_PID $work/hostcost.txt"

# (1) vdeck: one vdeck.refresh() per cycle over all hosts.
say "(1) vdeck collection: $CYCLES cycles"
t=$(date +%s.%N)
"$VDECK" -c "$work/c/cluster.lua" --exec "$root/bench/collect.lua" cycles="$CYCLES" warmup=2 \
	out="$work/collect.out" mark="$mark vdeck" >"$work/collect.log" 2>&1 ||
	{ cat "$work/collect.log" >&2; die "vdeck collection failed"; }
echo "total_s=$(awk "BEGIN { print $(date +%s.%N) - $t }")" >>"$work/collect.out"

# (2) the same collection with OpenSSH ControlMaster + virsh.
say "(2) OpenSSH+virsh collection: $BCYCLES cycles, $PARALLEL hosts at a time"
"$PY" "$root/bench/baseline.py" "$work/c" cycles="$BCYCLES" parallel="$PARALLEL" \
	out="$work/baseline.out" mark="$mark baseline" >&2 ||
	die "baseline collection failed"

# (3)+(4) the TUI in tmux, when this vdeck can log its frames.
if grep -q VDECK_BENCH_FRAMES "$VDECK" 2>/dev/null && command -v tmux >/dev/null; then
	say "(3)(4) TUI: first full frame, $KEYS filter keystrokes at $VMS rows"
	"$PY" "$root/bench/tui.py" "$VDECK" "$work/c/cluster.lua" keys="$KEYS" out="$work/tui.out" >&2 ||
		say "TUI phase failed"
else
	say "(3)(4) TUI: pending (this vdeck has no VDECK_BENCH_FRAMES)"
fi

# (5) bulk snapshot of every VM: the runbook vs the sequential virsh loop.
if "$VDECK" --list-runbooks 2>/dev/null | grep -q '^snapshot-create'; then
	say "(5) bulk snapshot: runbook snapshot-create"
	"$PY" "$root/bench/snap.py" "$VDECK" "$work/c" out="$work/snap.out" >&2 ||
		say "runbook snapshot phase failed"
else
	say "(5) bulk snapshot: runbook pending (no snapshot-create runbook in this vdeck)"
fi
say "(5) bulk snapshot: sequential virsh loop"
t=$(date +%s.%N)
r=$(sh "$root/bench/snap-baseline.sh" "$work/c/hosts.tsv" bench-seq)
printf 'baseline_s=%s\nbaseline_vms=%s\nbaseline_failed=%s\n' \
	"$(awk "BEGIN { print $(date +%s.%N) - $t }")" "${r% *}" "${r#* }" >>"$work/snap.out"

kill "$mover_pid" 2>/dev/null
wait "$mover_pid" 2>/dev/null
mover_pid=

mkdir -p "$(dirname "$OUT")"
"$PY" "$root/bench/report.py" "$work" "$OUT" hosts="$HOSTS" vms="$VMS"
