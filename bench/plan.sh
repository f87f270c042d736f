#!/bin/sh
# plan.sh — the placement planners on the skewed demo (default 128 hosts ×
# 3000 VMs): plan_balance{ by = "memory" } beside the greedy baseline (the
# largest VM of the most loaded host that helps, to the least loaded host),
# the planner's moves to reach the greedy end, by = "cpu" and "both", and
# plan_numa's locality of spanning VMs on every host.  Writes
# bench/results/plan.json and prints a short table.
#   BENCH_HOSTS=128 BENCH_VMS=3000 BENCH_PLAN_OUT=bench/results/plan.json VDECK=./vdeck
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
VDECK=${VDECK:-$root/vdeck}
HOSTS=${BENCH_HOSTS:-128}
VMS=${BENCH_VMS:-3000}
OUT=${BENCH_PLAN_OUT:-$root/bench/results/plan.json}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
XDG_STATE_HOME="$tmp/state" "$VDECK" --demo="${HOSTS}x${VMS}:skewed" --connect-timeout=60 --no-lock \
	--exec "$root/bench/plan.lua" >"$tmp/out.json"
python3 - "$tmp/out.json" "$OUT" "${HOSTS}x${VMS}:skewed" <<'PY'
import json, sys, time
r = json.load(open(sys.argv[1]))
r["demo"] = sys.argv[3]
r["date"] = time.strftime("%Y-%m-%d")
json.dump(r, open(sys.argv[2], "w"), indent=1, sort_keys=True)
m = r["memory"]
row = lambda k, s: print("%-34s %6d moves  imbalance %.3f -> %.3f" % (k, s["moves"], s["before"], s["after"]))
print("demo %s, %d hosts, %d VMs; memory threshold %.2f" % (r["demo"], r["cluster"]["hosts"], r["cluster"]["vms"], m["threshold"]))
row("planner (by memory)", m["planner"])
row("greedy baseline", m["greedy"])
row("planner to the greedy end", m["planner_to_greedy_end"])
row("greedy while it helps (no margin)", m["greedy_while_it_helps"])
row("planner to that end (no margin)", m["planner_while_it_helps"])
for by in ("cpu", "both"):
    row("planner (by %s)" % by, r[by]["planner"])
    row("greedy (by %s)" % by, r[by]["greedy"])
n = r["numa"]
print("plan_numa: %d spanning VMs on %d hosts, locality %.3f -> %.3f; raised on %d of %d hosts"
      % (n["spanning_vms"], n["hosts_with_spanning"], n["mean_before"], n["mean_after"], n["hosts_raised"], n["hosts_with_spanning"]))
print("planning CPU: balance %.1f ms, greedy %.1f ms, numa (all hosts) %.1f ms"
      % (m["planner"]["plan_cpu_ms"], m["greedy"]["plan_cpu_ms"], n["plan_cpu_ms_all_hosts"]))
PY
