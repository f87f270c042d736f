#!/usr/bin/env python3
"""qemu_stats.py — one measurement of bench/qemu.sh: client CPU per poll of
one QEMU host with N running guests, vdeck against `virsh domstats`.

    python3 bench/qemu_stats.py VDECK CLUSTER.lua URI N [cycles=100] [polls=20]

vdeck: bench/collect.py on CLUSTER.lua (one host, libvirt only), `cycles`
polls, its client CPU per cycle counted whole (threads, libvirt's ssh child).  Baseline: `polls`
times one `virsh -q -c URI domstats` process, its CPU from wait4 (its own ssh
child included: virsh reaps it); each poll must list all N guests.
Prints key=value lines.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    vdeck, cluster, uri, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    args = dict(a.split("=", 1) for a in sys.argv[5:])
    polls = int(args.get("polls", 20))
    cycles = int(args.get("cycles", 100))
    with tempfile.NamedTemporaryFile("r", suffix=".out") as tmp:
        subprocess.run([sys.executable, os.path.join(HERE, "collect.py"), vdeck, cluster,
                        "cycles=%d" % cycles, "warmup=2", "out=" + tmp.name], check=True)
        col = dict(line.strip().split("=", 1) for line in open(tmp.name) if "=" in line)
    if int(col["vms"]) != n or int(col["hosts_up"]) != 1:
        sys.exit("qemu_stats: vdeck saw %s guests (%s host up), %d running" % (col["vms"], col["hosts_up"], n))
    cpu = 0.0
    for _ in range(polls + 1):
        p = subprocess.Popen(["virsh", "-q", "-c", uri, "domstats"], stdout=subprocess.PIPE,
                             stdin=subprocess.DEVNULL, text=True)
        text = p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)
        seen = sum(1 for line in text.splitlines() if line.startswith("Domain:"))
        if status != 0 or seen != n:
            sys.exit("qemu_stats: virsh domstats exited %d with %d of %d guests" % (status, seen, n))
        if _:   # the first poll warms the page cache
            cpu += (ru.ru_utime + ru.ru_stime) * 1000.0
    print("vms=%d" % n)
    print("vdeck_ms_per_poll=%s" % col["cpu_ms_per_cycle"])
    print("baseline_ms_per_poll=%.3f" % (cpu / polls))


if __name__ == "__main__":
    main()
