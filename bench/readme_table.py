#!/usr/bin/env python3
"""readme_table.py — README.md's performance table, generated from
bench/results/latest.json, so that no figure in it is typed by hand.

    python3 bench/readme_table.py [JSON [README]]           rewrites the section
    python3 bench/readme_table.py --check [JSON [README]]   exit 1 when it differs

The section is everything between the lines "<!-- bench-table:begin -->" and
"<!-- bench-table:end -->".  A target missed says MISSED with its ratio; a
figure the run could not give says why.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- bench-table:begin -->", "<!-- bench-table:end -->"

# label, vdeck key, baseline key, target key (bench/report.py's targets)
ROWS = [
    ("client CPU per poll cycle, whole (ms)", "vdeck_cpu_ms_per_cycle", "baseline_cpu_ms_per_cycle",
     "vdeck_cpu_ms_per_cycle"),
    ("… ratio OpenSSH + virsh / vdeck", "cpu_ratio", None, "cpu_ratio"),
    ("… over rpc-ssh (libvirt's ssh child) (ms)", "rpc_ssh_cpu_ms_per_cycle", None, None),
    ("… over vdeck's own SSH tunnel (ms)", "tunnel_cpu_ms_per_cycle", None, None),
    ("… the tunnel, libvirt's client making the statistics call (ms)",
     "tunnel_libvirt_stats_cpu_ms_per_cycle", None, None),
    ("… libvirt's client alone: the same call per host, one thread, no SSH (ms)",
     "libvirt_client_floor_ms_per_cycle", None, None),
    ("host side per cycle: sshd tree (ms)", "host_sshd_cpu_ms_per_cycle_vdeck", None, None),
    ("host side per cycle: libvirtd (ms)", "host_libvirtd_cpu_ms_per_cycle_vdeck", None, None),
    ("first frame, every host listed, from the Enter that starts it (ms)", "first_frame_ms", None, "first_frame_ms"),
    ("complete frame, every host answered (ms)", "complete_frame_ms", None, "complete_frame_ms"),
    ("… CPU the machine spent until then, all cores (ms)", "complete_frame_machine_busy_ms", None, None),
    ("… of which the console's own (ms)", "complete_frame_console_cpu_ms", None, None),
    ("… the hosts' side alone, spread over every core (ms)", "complete_frame_hosts_floor_ms", None, None),
    ("console RSS in the TUI run (MiB)", "console_rss_mib", None, "console_rss_mib"),
    ("host CPU per poll, one host (ms)", "host_cpu_ms_per_poll", "node_exporter_cpu_ms_per_scrape",
     "host_cpu_ms_per_poll"),
    ("host processes forked per poll", "host_forks_per_poll", None, "host_forks_per_poll"),
    ("bulk snapshot of every VM, whole runs (s)", "bulk_snapshot_s", "baseline_bulk_snapshot_s",
     "bulk_snapshot_speedup"),
    ("… the hosts' side alone during vdeck's run, spread over every core (s)", "bulk_snapshot_hosts_floor_s",
     None, None),
    ("filter keystroke to frame, median (ms)", "filter_ms_median", None, "filter_ms_median"),
    ("filter keystroke to frame, p99 (ms)", "filter_ms_p99", None, None),
    ("QEMU: stats per VM per poll (µs)", "vdeck_stats_us_per_vm", "baseline_stats_us_per_vm", None),
    ("QEMU: one host's poll at 3000 VMs, extrapolated (ms)", "qemu_vdeck_ms_per_poll_at_3000",
     "qemu_baseline_ms_per_poll_at_3000", None),
]


def fmt(v):
    if v is None:
        return "—"
    if isinstance(v, float):
        return "%.3g" % v if abs(v) < 10 else "%.0f" % v
    return str(v)


def table(r):
    m = r.get("machine") or {}
    lines = [
        "Latest run: %s, %s hosts × %s VMs, libvirt over %s; %s, %s cores, load %s when the report"
        " was written (`bench/results/latest.json`)." % (
            r.get("date"), r.get("hosts"), r.get("vms"), r.get("libvirt_path"), m.get("cpu_model"),
            m.get("nproc"), " ".join(str(x) for x in m.get("loadavg_at_report", []))),
        "",
        "| measure | vdeck | OpenSSH + virsh / node_exporter | target | |",
        "|---|---:|---:|---|---|",
    ]
    targets, reasons = r.get("targets", {}), r.get("null_reasons", {})
    for label, a, b, t in ROWS:
        state, goal = "", ""
        if t:
            tt = targets.get(t, {})
            goal = tt.get("target", "").replace("<=", "≤").replace(">=", "≥")
            if tt.get("met") is None:
                state = "no figure"
            elif tt["met"]:
                state = "met"
            else:
                state = "**MISSED** (%.2f× off)" % tt["ratio"]
        va = fmt(r.get(a))
        if r.get(a) is None and a in reasons:
            va = "— (%s)" % reasons[a]
        lines.append("| %s | %s | %s | %s | %s |" % (label, va, fmt(r.get(b)) if b else "", goal, state))
    if r.get("qemu_formula"):
        lines += ["", "QEMU stage (%s guests): %s." % (r.get("qemu_vms"), r["qemu_formula"])]
    failed = r.get("failed_phases") or []
    if failed:
        lines += ["", "**Phases that failed in this run:** %s." % ", ".join(failed)]
    return "\n".join(lines)


def rewrite(text, body):
    i, j = text.find(BEGIN), text.find(END)
    if i < 0 or j < i:
        raise SystemExit("readme_table: no %s ... %s section" % (BEGIN, END))
    return text[:i + len(BEGIN)] + "\n" + body + "\n" + text[j:]


def main():
    args = sys.argv[1:]
    check = bool(args) and args[0] == "--check"
    if check:
        args = args[1:]
    jpath = args[0] if args else os.path.join(ROOT, "bench", "results", "latest.json")
    rpath = args[1] if len(args) > 1 else os.path.join(ROOT, "README.md")
    with open(jpath) as f:
        r = json.load(f)
    with open(rpath) as f:
        text = f.read()
    new = rewrite(text, table(r))
    if check:
        if new != text:
            print("readme_table: %s does not match %s (run bench/readme_table.py)" % (rpath, jpath))
            return 1
        return 0
    if new != text:
        with open(rpath, "w") as f:
            f.write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
