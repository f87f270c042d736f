#!/usr/bin/env python3
"""snap.py — the bulk-snapshot phase: every VM of the cluster snapshotted by
vdeck's runbook, then by a sequential virsh loop; both measured whole.

    python3 bench/snap.py VDECK DIR CLUSTER.lua vms=N tag=bench out=FILE

vdeck: `vdeck -c CLUSTER.lua --json --exec snapshot-create tag=TAG
prefix=bench` (inventory tag "bench" is on every host), from exec to exit,
connecting to every host included.  Baseline: bench/snap-baseline.sh (hosts
one after another, one virsh per host over libvirt's RPC, start-up
included).  Nothing is subtracted.  Exits non-zero unless each side
snapshotted all N VMs with no failure.  Writes key=value lines to `out`.
"""
import json
import os
import resource
import subprocess
import sys
import time


def machine_busy_s():
    """CPU time the whole machine spent busy (all CPUs), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def children_cpu_s():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(cmd, env):
    """Wall time, the run's result, the machine's busy CPU meanwhile and
    the command's own CPU (with its children)."""
    t, busy, own = time.monotonic(), machine_busy_s(), children_cpu_s()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    return time.monotonic() - t, r, machine_busy_s() - busy, children_cpu_s() - own


def main():
    vdeck, d, inv = sys.argv[1], sys.argv[2], sys.argv[3]
    args = dict(a.split("=", 1) for a in sys.argv[4:])
    out, want = args["out"], int(args["vms"])
    env = dict(os.environ, XDG_STATE_HOME=os.path.join(d, "xdg-state"),
               XDG_CONFIG_HOME=os.path.join(d, "xdg-config"))
    total, r, busy, own = timed([vdeck, "-c", inv, "--connect-timeout", "60", "--json", "--exec", "snapshot-create",
                      "tag=" + args.get("tag", "bench"), "prefix=bench"], env)
    made = failed = None
    for line in r.stdout.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if isinstance(o, dict) and "snapshots" in o:
            made, failed = o["snapshots"], o.get("failed") or 0
    here = os.path.dirname(os.path.abspath(__file__))
    btotal, b, _, _ = timed(["sh", os.path.join(here, "snap-baseline.sh"), os.path.join(d, "hosts.tsv"),
                       "bench-seq"], env)
    bvms, bfailed = (int(x) for x in (b.stdout.split() + ["0", "0"])[:2])
    with open(out, "w") as f:
        f.write("vdeck_s=%.3f\nvdeck_rc=%d\nbaseline_s=%.3f\nbaseline_vms=%d\nbaseline_failed=%d\n"
                % (total, r.returncode, btotal, bvms, bfailed))
        # Who had the CPUs during vdeck's run: vdeck, or the simulated
        # hosts (sshd sessions, shells, libvirtd) on the same cores.
        f.write("vdeck_machine_busy_s=%.3f\nvdeck_cpu_s=%.3f\nmachine_cpus=%d\n"
                % (busy, own, os.cpu_count()))
        if made is not None:
            f.write("vdeck_snapshots=%d\nvdeck_failed=%d\n" % (made, failed))
    bad = []
    if r.returncode != 0 or made != want or failed:
        bad.append("vdeck snapshotted %s of %d VMs (%s failed, exit %d): %s"
                   % (made, want, failed, r.returncode, r.stderr.strip()[-300:]))
    if bvms != want or bfailed:
        bad.append("the virsh loop snapshotted %d of %d VMs (%d failed)" % (bvms - bfailed, want, bfailed))
    if bad:
        sys.exit("snap: " + "; ".join(bad))


if __name__ == "__main__":
    main()
