#!/usr/bin/env python3
"""report.py — the benchmark's table and bench/results/latest.json.

    python3 bench/report.py WORKDIR OUT.json hosts=N vms=N   table + JSON; exit 1
                                                            when a phase failed
    python3 bench/report.py --best-path WORKDIR              the faster libvirt path

Reads what the phases left in WORKDIR: phases (one "NAME STATUS WHY" line
each), collect-PATH.out, libvirt-floor.out, baseline.out, hostcost.json,
tui.out, snap.out, qemu.out, mover.out, libvirt_path.  A figure whose phase
did not give it is null, and null_reasons says why; a target missed says so
with its ratio.
"""
import datetime
import json
import os
import platform
import sys

PATHS = ("rpc-ssh", "tunnel")


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


def machine():
    model = platform.processor() or "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = open("/proc/loadavg").read().split()[:3]
    except OSError:
        load = []
    return {"cpu_model": model, "nproc": os.cpu_count(), "kernel": platform.release(),
            "loadavg_at_report": [float(x) for x in load]}


def best_path(work):
    """The path whose vdeck client CPU per cycle was lowest."""
    got = {}
    for p in PATHS:
        v = num(kv(os.path.join(work, "collect-%s.out" % p)), "cpu_ms_per_cycle")
        if v is not None:
            got[p] = v
    return min(got, key=got.get) if got else ""


def phases(work):
    out = {}
    try:
        for line in open(os.path.join(work, "phases")):
            name, status, why = (line.rstrip("\n").split(" ", 2) + ["", ""])[:3]
            out[name] = {"status": status, "why": why.strip()}
    except OSError:
        pass
    return out


# key, op, limit, unit, or the key of the figure the limit is taken from
TARGETS = [
    ("vdeck_cpu_ms_per_cycle", "<=", 25, "ms"),
    ("cpu_ratio", ">=", 20, "x"),
    ("first_frame_ms", "<=", 100, "ms"),
    ("complete_frame_ms", "<=", 1000, "ms"),
    ("console_rss_mib", "<=", 64, "MiB"),
    ("host_cpu_ms_per_poll", "<=", "node_exporter_cpu_ms_per_scrape", "ms"),
    ("host_forks_per_poll", "<=", 1, ""),
    ("bulk_snapshot_speedup", ">=", 10, "x"),
    ("filter_ms_median", "<=", 10, "ms"),
]


def judge(r):
    out = {}
    for key, op, limit, unit in TARGETS:
        lim = r.get(limit) if isinstance(limit, str) else limit
        v = r.get(key)
        t = {"target": "%s %s" % (op, limit) if isinstance(limit, str) else "%s %s%s" % (op, limit, unit)}
        if v is None or lim is None:
            t.update(met=None, ratio=None)
        else:
            t["met"] = v <= lim if op == "<=" else v >= lim
            # how far from the target: > 1 is a miss by that factor
            t["ratio"] = round((v / lim if op == "<=" else lim / v) if v and lim else 0.0, 2)
        out[key] = t
    return out


def floor(busy, own, cpus, digits=1):
    """(machine busy - the console's own CPU) / cores, or None."""
    if busy is None or own is None or not cpus:
        return None
    return round(max(busy - own, 0) / cpus, digits)


def main():
    if sys.argv[1] == "--best-path":
        print(best_path(sys.argv[2]))
        return 0
    work, out = sys.argv[1], sys.argv[2]
    args = dict(a.split("=", 1) for a in sys.argv[3:])
    ph = phases(work)
    col = {p: kv(os.path.join(work, "collect-%s.out" % p)) for p in PATHS + ("tunnel-libvirt",)}
    best = best_path(work) or None
    c = col.get(best, {}) if best else {}
    base = kv(os.path.join(work, "baseline.out"))
    lvf = kv(os.path.join(work, "libvirt-floor.out"))
    tui = kv(os.path.join(work, "tui.out"))
    snap = kv(os.path.join(work, "snap.out"))
    q = kv(os.path.join(work, "qemu.out"))
    try:
        host = json.load(open(os.path.join(work, "hostcost.json")))
    except (OSError, ValueError):
        host = {}
    mover = None
    try:
        ticks, cpu, wall = open(os.path.join(work, "mover.out")).read().split()
        mover = {"ticks": int(ticks), "cpu_ms_per_tick": round(float(cpu) / max(int(ticks), 1), 2)}
    except (OSError, ValueError):
        pass

    r = {
        "machine": machine(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "hosts": int(args["hosts"]),
        "vms": int(args["vms"]),
        "libvirt_path": best,
        "vdeck_cpu_ms_per_cycle": num(c, "cpu_ms_per_cycle"),
        "baseline_cpu_ms_per_cycle": num(base, "cpu_ms_per_cycle"),
        "tunnel_cpu_ms_per_cycle": num(col["tunnel"], "cpu_ms_per_cycle"),
        "rpc_ssh_cpu_ms_per_cycle": num(col["rpc-ssh"], "cpu_ms_per_cycle"),
        # the tunnel with libvirt's client making the statistics call
        "tunnel_libvirt_stats_cpu_ms_per_cycle": num(col["tunnel-libvirt"], "cpu_ms_per_cycle"),
        # libvirt's client alone, the same call per host (bench/libvirt_floor.c)
        "libvirt_client_floor_ms_per_cycle": num(lvf, "cpu_ms_per_cycle"),
        "libvirt_client_floor_records": num(lvf, "records"),
        "first_frame_ms": num(tui, "first_frame_ms"),
        "complete_frame_ms": num(tui, "complete_frame_ms"),
        "console_rss_mib": num(tui, "console_rss_mib"),
        "host_cpu_ms_per_poll": host.get("host_cpu_ms_per_poll"),
        "node_exporter_cpu_ms_per_scrape": host.get("node_exporter_cpu_ms_per_scrape"),
        "host_forks_per_poll": host.get("host_forks_per_poll"),
        "bulk_snapshot_s": num(snap, "vdeck_s"),
        "baseline_bulk_snapshot_s": num(snap, "baseline_s"),
        "bulk_snapshot_vms": num(snap, "vdeck_snapshots"),
        "filter_ms_median": num(tui, "filter_ms_median"),
        "filter_ms_p99": num(tui, "filter_ms_p99"),
        "qemu_vms": num(q, "vms"),
        "vdeck_stats_us_per_vm": num(q, "vdeck_us_per_vm"),
        "baseline_stats_us_per_vm": num(q, "baseline_us_per_vm"),
        # more detail
        "hosts_up": num(c, "hosts_up"),
        "vms_seen": num(c, "vms"),
        "cycles": num(c, "cycles"),
        "vdeck_wall_ms_per_cycle": num(c, "wall_ms_per_cycle"),
        "vdeck_client_processes": num(c, "client_processes"),
        "host_sshd_cpu_ms_per_cycle_vdeck": num(c, "sshd_cpu_ms_per_cycle"),
        "host_libvirtd_cpu_ms_per_cycle_vdeck": num(c, "libvirtd_cpu_ms_per_cycle"),
        "collect_peak_rss_mib": num(c, "peak_rss_mib"),
        "baseline_cycles": num(base, "cycles"),
        "baseline_ssh_cpu_ms_per_cycle": num(base, "ssh_clients_cpu_ms_per_cycle"),
        "baseline_virsh_cpu_ms_per_cycle": num(base, "virsh_cpu_ms_per_cycle"),
        "baseline_masters_cpu_ms_per_cycle": num(base, "masters_cpu_ms_per_cycle"),
        "baseline_wall_ms_per_cycle": num(base, "wall_ms_per_cycle"),
        "baseline_parallel": num(base, "parallel"),
        "baseline_failures": num(base, "failures"),
        "console_rss_now_mib": num(tui, "console_rss_now_mib"),
        "console_rss_anon_mib": num(tui, "console_rss_anon_mib"),
        "console_rss_file_mib": num(tui, "console_rss_file_mib"),
        "console_rss_breakdown_kib": tui.get("console_rss_breakdown_kib"),
        "complete_frame_machine_busy_ms": num(tui, "complete_frame_machine_busy_ms"),
        "complete_frame_machine_cpus": num(tui, "complete_frame_machine_cpus"),
        "complete_frame_console_cpu_ms": num(tui, "complete_frame_console_cpu_ms"),
        "filter_rows": num(tui, "rows"),
        "filter_keys": num(tui, "keys"),
        "filter_frame_ms_median": num(tui, "frame_ms_median"),
        "bulk_snapshot_failed": num(snap, "vdeck_failed"),
        "bulk_snapshot_machine_busy_s": num(snap, "vdeck_machine_busy_s"),
        "bulk_snapshot_vdeck_cpu_s": num(snap, "vdeck_cpu_s"),
        "bulk_snapshot_machine_cpus": num(snap, "machine_cpus"),
        "baseline_bulk_snapshot_vms": num(snap, "baseline_vms"),
        "baseline_bulk_snapshot_failed": num(snap, "baseline_failed"),
        "qemu_vdeck_cpu_ms_per_poll": num(q, "vdeck_cpu_ms_per_poll"),
        "qemu_baseline_cpu_ms_per_poll": num(q, "baseline_cpu_ms_per_poll"),
        "qemu_vdeck_us_per_vm_marginal": num(q, "vdeck_us_per_vm_marginal"),
        "qemu_baseline_us_per_vm_marginal": num(q, "baseline_us_per_vm_marginal"),
        "qemu_vdeck_fixed_ms_per_poll": num(q, "vdeck_fixed_ms"),
        "qemu_baseline_fixed_ms_per_poll": num(q, "baseline_fixed_ms"),
        "qemu_vdeck_ms_per_poll_at_3000": num(q, "vdeck_ms_at_3000"),
        "qemu_baseline_ms_per_poll_at_3000": num(q, "baseline_ms_at_3000"),
        "qemu_formula": q.get("formula"),
        "mover": mover,
        "phases": ph,
    }
    r["cpu_ratio"] = round(r["baseline_cpu_ms_per_cycle"] / r["vdeck_cpu_ms_per_cycle"], 1) \
        if r["baseline_cpu_ms_per_cycle"] and r["vdeck_cpu_ms_per_cycle"] else None
    r["bulk_snapshot_speedup"] = round(r["baseline_bulk_snapshot_s"] / r["bulk_snapshot_s"], 2) \
        if r["baseline_bulk_snapshot_s"] and r["bulk_snapshot_s"] else None
    # The simulated hosts' share of the machine, spread over every core: no
    # console could finish sooner on this machine, however little it did.
    r["complete_frame_hosts_floor_ms"] = floor(r["complete_frame_machine_busy_ms"],
                                               r["complete_frame_console_cpu_ms"],
                                               r["complete_frame_machine_cpus"])
    r["bulk_snapshot_hosts_floor_s"] = floor(r["bulk_snapshot_machine_busy_s"], r["bulk_snapshot_vdeck_cpu_s"],
                                             r["bulk_snapshot_machine_cpus"], 3)
    r["targets"] = judge(r)

    # Every null figure says which phase left it empty, and why.
    source = {"tunnel_cpu_ms_per_cycle": "collect-tunnel", "rpc_ssh_cpu_ms_per_cycle": "collect-rpc-ssh",
              "tunnel_libvirt_stats_cpu_ms_per_cycle": "collect-tunnel-libvirt",
              "vdeck_cpu_ms_per_cycle": "collect-%s" % (best or "rpc-ssh"), "baseline_cpu_ms_per_cycle": "baseline",
              "libvirt_client_floor_ms_per_cycle": "libvirt-floor",
              "host_cpu_ms_per_poll": "hostcost", "node_exporter_cpu_ms_per_scrape": "hostcost",
              "host_forks_per_poll": "hostcost", "qemu_vms": "qemu", "vdeck_stats_us_per_vm": "qemu",
              "baseline_stats_us_per_vm": "qemu", "bulk_snapshot_s": "snap", "baseline_bulk_snapshot_s": "snap",
              "bulk_snapshot_vms": "snap"}
    reasons = {}
    for k, v in r.items():
        if v is None and k in source or (v is None and k in ("first_frame_ms", "complete_frame_ms",
                                                             "console_rss_mib", "filter_ms_median",
                                                             "filter_ms_p99", "libvirt_path")):
            p = source.get(k, "tui" if k != "libvirt_path" else "collect-rpc-ssh")
            st = ph.get(p, {"status": "not run", "why": ""})
            reasons[k] = ("%s %s: %s" % (p, st["status"], st["why"])).rstrip(": ")
    r["null_reasons"] = reasons
    failed = sorted(n for n, s in ph.items() if s["status"] == "failed")
    r["failed_phases"] = failed

    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(r, f, indent=2)
        f.write("\n")
    os.replace(tmp, out)

    def show(v, unit=""):
        if v is None:
            return "—"
        return ("%.1f" % v if isinstance(v, float) else str(v)) + unit

    m = r["machine"]
    print("vdeck benchmark: %s hosts, %s VMs (%s up), libvirt over %s — %s, %d cores, load %s, %s" %
          (r["hosts"], r["vms"], show(r["hosts_up"]), best, m["cpu_model"], m["nproc"],
           " ".join(str(x) for x in m["loadavg_at_report"]), r["date"]))
    print()
    print("%-46s %12s %16s %8s" % ("measure", "vdeck", "OpenSSH+virsh", "ratio"))
    print("%-46s %12s %16s %8s" % ("-" * 46, "-" * 12, "-" * 16, "-" * 8))

    def ratio(a, b):
        return round(b / a, 1) if a and b else None
    rows = [
        ("collection CPU per cycle, client whole (ms)", r["vdeck_cpu_ms_per_cycle"], r["baseline_cpu_ms_per_cycle"]),
        ("collection wall per cycle (ms)", r["vdeck_wall_ms_per_cycle"], r["baseline_wall_ms_per_cycle"]),
        ("bulk snapshot of all VMs, whole runs (s)", r["bulk_snapshot_s"], r["baseline_bulk_snapshot_s"]),
        ("QEMU stats per VM per poll (us)", r["vdeck_stats_us_per_vm"], r["baseline_stats_us_per_vm"]),
    ]
    for name, a, b in rows:
        print("%-46s %12s %16s %8s" % (name, show(a), show(b), show(ratio(a, b), "x")))
    for name, v in (("client CPU per cycle over rpc-ssh (ms)", r["rpc_ssh_cpu_ms_per_cycle"]),
                    ("client CPU per cycle over tunnel (ms)", r["tunnel_cpu_ms_per_cycle"]),
                    ("  the same, libvirt's client making the stats call (ms)",
                     r["tunnel_libvirt_stats_cpu_ms_per_cycle"]),
                    ("libvirt's client alone per cycle (ms)", r["libvirt_client_floor_ms_per_cycle"]),
                    ("host side: sshd tree per cycle (ms)", r["host_sshd_cpu_ms_per_cycle_vdeck"]),
                    ("host side: libvirtd per cycle (ms)", r["host_libvirtd_cpu_ms_per_cycle_vdeck"]),
                    ("first frame, every host listed, from the Enter that starts it (ms)", r["first_frame_ms"]),
                    ("complete frame, every host answered (ms)", r["complete_frame_ms"]),
                    ("console RSS, TUI run (MiB)", r["console_rss_mib"]),
                    ("filter keystroke to frame, median (ms)", r["filter_ms_median"]),
                    ("filter keystroke to frame, p99 (ms)", r["filter_ms_p99"]),
                    ("host CPU per poll (ms)", r["host_cpu_ms_per_poll"]),
                    ("node_exporter CPU per scrape (ms)", r["node_exporter_cpu_ms_per_scrape"]),
                    ("host forks per poll", r["host_forks_per_poll"])):
        print("%-46s %12s" % (name, show(v)))
    print()
    for key, t in r["targets"].items():
        if t["met"] is None:
            state = "no figure (%s)" % reasons.get(key, "see phases")
        elif t["met"]:
            state = "met"
        else:
            state = "MISSED (%.2fx off)" % t["ratio"]
        print("target %-32s %-38s %s" % (key, t["target"], state))
    print()
    for name, s in ph.items():
        print("phase %-16s %-7s %s" % (name, s["status"], s["why"]))
    print("\nwritten: %s" % out)
    if failed:
        print("bench: FAILED phases: %s" % " ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
