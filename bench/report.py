#!/usr/bin/env python3
"""report.py — the benchmark's table and bench/results/latest.json.

    python3 bench/report.py WORKDIR OUT.json hosts=N vms=N

Reads the key=value files the phases left in WORKDIR (collect.out,
baseline.out, tui.out, snap.out, mover.out, hostcost.txt).  A measurement
whose phase did not run is null and named in "pending".
"""
import datetime
import json
import os
import platform
import sys


def kv(path):
    d = {}
    try:
        for line in open(path):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                d[k] = v
    except OSError:
        pass
    return d


def num(d, k):
    try:
        v = float(d[k])
    except (KeyError, ValueError):
        return None
    return int(v) if v.is_integer() and "." not in d[k] else v


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def ratio(a, b):
    return round(a / b, 1) if a is not None and b else None


def main():
    work, out = sys.argv[1], sys.argv[2]
    args = dict(a.split("=", 1) for a in sys.argv[3:])
    col = kv(os.path.join(work, "collect.out"))
    base = kv(os.path.join(work, "baseline.out"))
    tui = kv(os.path.join(work, "tui.out"))
    snap = kv(os.path.join(work, "snap.out"))
    host = {}
    try:
        for line in open(os.path.join(work, "hostcost.txt")):
            who, label, ms = line.split()
            host[(who, label)] = float(ms)
    except (OSError, ValueError):
        pass
    mover = None
    try:
        ticks, cpu, wall = open(os.path.join(work, "mover.out")).read().split()
        mover = {"ticks": int(ticks), "cpu_ms_per_tick": round(float(cpu) / max(int(ticks), 1), 2),
                 "cpu_share": round(float(cpu) / 1000 / max(float(wall), 1e-9), 4)}
    except (OSError, ValueError):
        pass

    def host_ms(who, cycles):
        if (who, "begin") in host and (who, "end") in host and cycles:
            return round((host[(who, "end")] - host[(who, "begin")]) / cycles, 1)
        return None

    r = {
        "hosts": num(col, "hosts") if "hosts" in col else int(args["hosts"]),
        "vms": num(col, "vms") if "vms" in col else int(args["vms"]),
        "hosts_up": num(col, "hosts_up"),
        "cycles": num(col, "cycles"),
        "vdeck_cpu_ms_per_cycle": num(col, "cpu_ms_per_cycle"),
        "vdeck_wall_ms_per_cycle": num(col, "wall_ms_per_cycle"),
        "baseline_cycles": num(base, "cycles"),
        "baseline_cpu_ms_per_cycle": num(base, "cpu_ms_per_cycle"),
        "baseline_ssh_cpu_ms_per_cycle": num(base, "ssh_clients_cpu_ms_per_cycle"),
        "baseline_virsh_cpu_ms_per_cycle": num(base, "virsh_cpu_ms_per_cycle"),
        "baseline_masters_cpu_ms_per_cycle": num(base, "masters_cpu_ms_per_cycle"),
        "baseline_wall_ms_per_cycle": num(base, "wall_ms_per_cycle"),
        "baseline_parallel": num(base, "parallel"),
        "baseline_failures": num(base, "failures"),
        "hosts_cpu_ms_per_cycle_vdeck": host_ms("vdeck", num(col, "cycles")),
        "hosts_cpu_ms_per_cycle_baseline": host_ms("baseline", num(base, "cycles")),
        "first_frame_ms": num(tui, "first_frame_ms"),
        "filter_ms_median": num(tui, "filter_ms_median"),
        "filter_ms_p99": num(tui, "filter_ms_p99"),
        "filter_frame_ms_median": num(tui, "frame_ms_median"),
        "filter_screen_ms_median": num(tui, "screen_ms_median"),
        "filter_rows": num(tui, "rows"),
        "filter_keys": num(tui, "keys"),
        "filter_screen_misses": num(tui, "screen_misses"),
        "peak_rss_mib": num(col, "peak_rss_mib"),
        "bulk_snapshot_s": num(snap, "vdeck_s"),
        "bulk_snapshot_failed": num(snap, "vdeck_failed"),
        "bulk_snapshot_vms": num(snap, "vdeck_snapshots"),
        "bulk_snapshot_startup_s": num(snap, "vdeck_startup_s"),
        "bulk_snapshot_run_s": num(snap, "vdeck_run_s"),
        "baseline_bulk_snapshot_s": num(snap, "baseline_s"),
        "baseline_bulk_snapshot_vms": num(snap, "baseline_vms"),
        "baseline_bulk_snapshot_failed": num(snap, "baseline_failed"),
        "mover": mover,
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model(),
        "kernel": platform.release(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    r["cpu_ratio"] = ratio(r["baseline_cpu_ms_per_cycle"], r["vdeck_cpu_ms_per_cycle"])
    r["bulk_snapshot_speedup"] = ratio(r["baseline_bulk_snapshot_s"], r["bulk_snapshot_s"])
    r["pending"] = [k for k in ("first_frame_ms", "filter_ms_median", "filter_ms_p99", "bulk_snapshot_s")
                    if r[k] is None]
    targets = [
        ("collection CPU per cycle", "vdeck_cpu_ms_per_cycle", "<=", 25, "ms"),
        ("CPU ratio OpenSSH+virsh / vdeck", "cpu_ratio", ">=", 20, "x"),
        ("first full frame", "first_frame_ms", "<=", 1000, "ms"),
        ("filter to screen, median", "filter_ms_median", "<=", 10, "ms"),
        ("peak RSS", "peak_rss_mib", "<=", 64, "MiB"),
        ("bulk snapshot speed-up", "bulk_snapshot_speedup", ">=", 10, "x"),
    ]
    r["targets"] = {}
    for name, key, op, limit, unit in targets:
        v = r[key]
        met = None if v is None else (v <= limit if op == "<=" else v >= limit)
        r["targets"][key] = {"target": "%s %s %s" % (op, limit, unit), "met": met}

    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(r, f, indent=2)
        f.write("\n")
    os.replace(tmp, out)

    def show(v, unit=""):
        if v is None:
            return "pending"
        return ("%.1f" % v if isinstance(v, float) else str(v)) + unit

    print("vdeck benchmark: %s hosts, %s VMs (%s up) — %s, %d cores, %s" %
          (r["hosts"], r["vms"], show(r["hosts_up"]), r["cpu_model"], r["nproc"], r["date"]))
    print()
    print("%-44s %14s %16s %8s" % ("measure", "vdeck", "OpenSSH+virsh", "ratio"))
    print("%-44s %14s %16s %8s" % ("-" * 44, "-" * 14, "-" * 16, "-" * 8))
    rows = [
        ("collection CPU per cycle, console (ms)", r["vdeck_cpu_ms_per_cycle"], r["baseline_cpu_ms_per_cycle"]),
        ("collection wall per cycle (ms)", r["vdeck_wall_ms_per_cycle"], r["baseline_wall_ms_per_cycle"]),
        ("hosts' CPU per cycle, sshd+sh (ms)", r["hosts_cpu_ms_per_cycle_vdeck"], r["hosts_cpu_ms_per_cycle_baseline"]),
        ("bulk snapshot of all VMs (s)", r["bulk_snapshot_s"], r["baseline_bulk_snapshot_s"]),
    ]
    for name, a, b in rows:
        print("%-44s %14s %16s %8s" % (name, show(a), show(b), show(ratio(b, a), "x")))
    print("%-44s %14s" % ("peak RSS (MiB)", show(r["peak_rss_mib"])))
    print("%-44s %14s" % ("first full frame in tmux (ms)", show(r["first_frame_ms"])))
    print("%-44s %14s" % ("filter keystroke to screen, median (ms)", show(r["filter_ms_median"])))
    print("%-44s %14s" % ("filter keystroke to screen, p99 (ms)", show(r["filter_ms_p99"])))
    if mover:
        print("%-44s %14s" % ("counter mover, per tick of all hosts (ms)", show(mover["cpu_ms_per_tick"])))
    print()
    for key, t in r["targets"].items():
        state = "pending" if t["met"] is None else ("met" if t["met"] else "MISSED")
        print("target %-28s %-12s %s" % (key, t["target"], state))
    print("\nwritten: %s" % out)


if __name__ == "__main__":
    main()
