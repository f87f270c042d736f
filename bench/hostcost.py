#!/usr/bin/env python3
"""hostcost.py — CPU the simulated hosts have used so far: the private sshd
and everything under it (per-connection sshd processes, the shells and awk
they run).  The hosts' cost, reported apart from the console's.

    python3 bench/hostcost.py ROOT_PID FILE WHO LABEL   appends "WHO LABEL CPU_MS" to FILE

Live processes are read from /proc/PID/schedstat (ns); children already
reaped count through cutime+cstime of /proc/PID/stat (ticks; each process's
total is rounded down once, so the error is under 10 ms per live sshd).
"""
import os
import sys

TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK")


def main():
    root, out, who, label = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    parent = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                rest = f.read().rsplit(")", 1)[1].split()
            parent[int(d)] = (int(rest[1]), rest)
        except (OSError, IndexError, ValueError):
            pass
    total = 0.0
    for pid, (ppid, rest) in parent.items():
        p, inside = pid, False
        while p > 1:
            if p == root:
                inside = True
                break
            p = parent.get(p, (0, None))[0]
        if not inside:
            continue
        try:
            with open("/proc/%d/schedstat" % pid) as f:
                total += int(f.read().split()[0]) / 1e6
        except (OSError, IndexError, ValueError):
            total += (int(rest[11]) + int(rest[12])) * TICK_MS
        total += (int(rest[13]) + int(rest[14])) * TICK_MS
    with open(out, "a") as f:
        f.write("%s %s %.1f\n" % (who, label, total))


if __name__ == "__main__":
    main()
