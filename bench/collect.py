#!/usr/bin/env python3
"""collect.py — vdeck's collection phase, measured from outside.

    python3 bench/collect.py VDECK CLUSTER.lua cycles=N warmup=W out=FILE [connect_timeout=60]

Runs `vdeck -c CLUSTER.lua --exec bench/collect.lua`; when the script says
"SYNC begin" / "SYNC end" around its timed cycles, reads the CPU of:
  - the client: the vdeck process, all its threads, every process under it
    (the OpenSSH clients libvirt spawns for test+ssh://) and what its reaped
    children used (bench/treecpu.py);
  - the hosts, apart: the private sshd and everything under it (sessions,
    shells, nc) from $SSHD_PID, and the private libvirtd from $BENCH_LV_PID.
Writes key=value lines to `out` (the script's own lines included).
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import treecpu  # noqa: E402


def sample(vdeck_pid):
    procs = treecpu.processes()
    out = {"client": treecpu.tree_ms(vdeck_pid, procs)}
    for name, var in (("sshd", "SSHD_PID"), ("libvirtd", "BENCH_LV_PID")):
        pid = os.environ.get(var)
        out[name] = treecpu.tree_ms(int(pid), procs) if pid else (None, 0)
    return out


def main():
    vdeck, cluster = sys.argv[1], sys.argv[2]
    args = dict(a.split("=", 1) for a in sys.argv[3:])
    out = args["out"]
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "collect.lua")
    # the refresh budget (connect timeout + 5 s) must cover a loaded
    # machine's first poll of every host: it bounds, it does not cost
    p = subprocess.Popen([vdeck, "-c", cluster, "--connect-timeout", args.get("connect_timeout", "60"),
                          "--exec", script, "cycles=" + args.get("cycles", "20"),
                          "warmup=" + args.get("warmup", "2")],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    marks, lines = {}, []
    for line in p.stdout:
        line = line.rstrip("\n")
        if line.startswith("SYNC "):
            marks[line[5:]] = sample(p.pid)
            p.stdin.write("go\n")
            p.stdin.flush()
        elif "=" in line:
            lines.append(line)
    rc = p.wait()
    if rc != 0 or "begin" not in marks or "end" not in marks:
        sys.exit("collect: vdeck exited %d before its timed cycles ended" % rc)
    kv = dict(line.split("=", 1) for line in lines)
    cycles = int(kv["cycles"])
    b, e = marks["begin"], marks["end"]
    with open(out, "w") as f:
        for line in lines:
            f.write(line + "\n")
        f.write("cpu_ms_per_cycle=%.2f\n" % ((e["client"][0] - b["client"][0]) / cycles))
        f.write("client_processes=%d\n" % e["client"][1])
        for side in ("sshd", "libvirtd"):
            if b[side][0] is not None:
                f.write("%s_cpu_ms_per_cycle=%.2f\n" % (side, (e[side][0] - b[side][0]) / cycles))


if __name__ == "__main__":
    main()
