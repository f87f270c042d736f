#!/usr/bin/env python3
"""treecpu.py — CPU a process and everything under it have used so far, in ms.

    python3 bench/treecpu.py PID...        prints one "PID CPU_MS NPROC" line each
    import treecpu; treecpu.tree_ms(pid)   (the bench's drivers)

Counted whole: every thread of the process and of each live descendant
(/proc/PID/task/TID/schedstat, ns), plus what their children already reaped
have used (cutime+cstime of /proc/PID/stat: clock ticks, the only record a
reaped process leaves in /proc).  Read from outside, so the reader's own cost
is never charged to the tree it reads.
"""
import os
import sys

TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK")


def _stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()


def processes():
    """{pid: (ppid, stat fields after the command)} of every process now."""
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                rest = _stat(int(d))
                out[int(d)] = (int(rest[1]), rest)
            except (OSError, IndexError, ValueError):
                pass
    return out


def descendants(root, procs=None):
    procs = processes() if procs is None else procs
    kids = {}
    for pid, (ppid, _) in procs.items():
        kids.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        if p in procs:
            out.append(p)
        todo.extend(kids.get(p, []))
    return out


def threads_ms(pid):
    total = 0.0
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return 0.0
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0]) / 1e6
        except (OSError, IndexError, ValueError):
            pass
    return total


def tree_ms(root, procs=None):
    """(cpu ms, number of processes) of root and its descendants."""
    procs = processes() if procs is None else procs
    total, n = 0.0, 0
    for pid in descendants(root, procs):
        rest = procs[pid][1]
        total += threads_ms(pid) + (int(rest[13]) + int(rest[14])) * TICK_MS
        n += 1
    return total, n


def main():
    procs = processes()
    for a in sys.argv[1:]:
        ms, n = tree_ms(int(a), procs)
        print("%s %.3f %d" % (a, ms, n))


if __name__ == "__main__":
    main()
