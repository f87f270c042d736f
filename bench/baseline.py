#!/usr/bin/env python3
"""baseline.py — the same collection done the way operators script it today.

    python3 bench/baseline.py DIR cycles=N parallel=P out=FILE

DIR comes from bench/gen-cluster.sh.  One OpenSSH ControlMaster per host is
opened first (not timed); then every cycle runs, for each host, one
multiplexed `ssh HOST 'cd SYSROOT && cat FILES...'` (the files the vdeck
bundle script reads, by the same globs) and one `virsh -c URI domstats`
whose libvirt RPC goes through the same master (test+ssh://, the URI's
command= an ssh multiplexed on it), P hosts at a time.  The client-side cost
counted is every ssh and virsh process of the cycles with everything they
reaped (rusage from wait4: virsh's own ssh included) plus the CPU the
masters used during the cycles (/proc/PID/schedstat); this driver's own
Python is not counted.
Writes key=value lines to `out`.
"""
import os
import shutil
import selectors
import subprocess
import sys
import time

# The globs of src/metrics/bundle.c's script, relative to the sysroot.
FILES = """proc/meminfo proc/vmstat proc/stat proc/net/dev proc/net/bonding/*
sys/devices/system/node/node*/meminfo proc/sys/kernel/osrelease
sys/devices/system/cpu/online sys/kernel/mm/ksm/*
sys/kernel/mm/hugepages/*/nr_hugepages sys/kernel/mm/hugepages/*/free_hugepages
sys/devices/system/node/node*/cpulist sys/devices/system/node/node*/distance
sys/devices/system/node/node*/hugepages/*/nr_hugepages
sys/devices/system/node/node*/hugepages/*/free_hugepages
sys/class/net/*/ifindex sys/class/net/*/operstate sys/class/net/*/mtu sys/class/net/*/speed
sys/class/net/*/statistics/rx_bytes sys/class/net/*/statistics/tx_bytes
sys/class/net/*/statistics/rx_packets sys/class/net/*/statistics/tx_packets
sys/class/net/*/statistics/rx_dropped sys/class/net/*/statistics/tx_dropped
sys/class/net/*/statistics/rx_errors sys/class/net/*/statistics/tx_errors
sys/class/net/*/device/sriov_numvfs sys/class/net/*/device/sriov_totalvfs
sys/class/net/*/bonding/mode sys/class/net/*/bonding/slaves
sys/class/net/*/bonding_slave/mii_status""".split()

def proc_cpu_ms(pid):
    """CPU time a (single-threaded) process has used so far, in ns precision:
    /proc/PID/stat counts whole ticks, too coarse for a master's ~0.5 ms a command."""
    try:
        with open("/proc/%d/schedstat" % pid) as f:
            return int(f.read().split()[0]) / 1e6
    except (OSError, IndexError, ValueError):
        return 0.0


def main():
    d = sys.argv[1]
    args = dict(a.split("=", 1) for a in sys.argv[2:])
    cycles = int(args.get("cycles", 20))
    parallel = int(args.get("parallel", 16))
    out = args["out"]
    mark = args.get("mark")  # run as MARK begin / MARK end around the timed cycles
    hosts = [line.rstrip("\n").split("\t") for line in open(os.path.join(d, "hosts.tsv"))]
    port, user, known = os.environ["SSHD_PORT"], os.environ["SSHD_USER"], os.environ["SSHD_KNOWN_HOSTS"]
    cm = os.path.join(d, "cm")
    os.makedirs(cm, exist_ok=True)
    cfg = os.path.join(d, "ssh_config")
    with open(cfg, "w") as f:
        f.write("Host *\n  HostName 127.0.0.1\n  Port %s\n  User %s\n  IdentityFile %s\n"
                "  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n"
                "  CheckHostIP no\n  BatchMode yes\n  ControlPath %s/%%n\n  LogLevel ERROR\n"
                % (port, user, os.path.join(d, "id"), known, cm))
    env = dict(os.environ)
    env.pop("SSH_AUTH_SOCK", None)
    devnull = subprocess.DEVNULL

    # Masters: opened before the timed cycles, as an operator's session would be.
    t = time.monotonic()
    masters = []
    for start in range(0, len(hosts), 32):
        batch = [subprocess.Popen(["ssh", "-F", cfg, "-M", "-N", "-f", "-o", "ControlPersist=yes", h[0]],
                                  stdin=devnull, stdout=devnull, env=env) for h in hosts[start:start + 32]]
        for p in batch:
            if p.wait() != 0:
                sys.exit("baseline: ControlMaster did not start")
    for h in hosts:
        r = subprocess.run(["ssh", "-F", cfg, "-O", "check", h[0]], stdin=devnull,
                           capture_output=True, text=True, env=env)
        pid = r.stderr.split("pid=")[-1].split(")")[0]
        masters.append(int(pid))
    masters_s = time.monotonic() - t

    # virsh's RPC rides the host's master: its ssh is a multiplexed client.
    wrap = os.path.join(d, "ssh-mux")
    with open(wrap, "w") as f:
        f.write('#!/bin/sh\nexec %s -F %s "$@"\n' % (shutil.which("ssh"), cfg))
    os.chmod(wrap, 0o755)
    uris = {h[0]: h[1].replace("command=" + os.path.join(d, "ssh"), "command=" + wrap) for h in hosts}
    # ssh's HostName is 127.0.0.1 for every host: the mux socket is per
    # alias (%n), so virsh names the host by its alias too.
    uris = {n: u.replace("@127.0.0.1:", "@%s:" % n, 1) for n, u in uris.items()}

    remote = {h[0]: "cd %s && cat %s 2>/dev/null; exit 0" % (h[2], " ".join(FILES)) for h in hosts}

    def commands():
        for h in hosts:
            yield ["ssh", "-F", cfg, h[0], remote[h[0]]]
            yield ["virsh", "-q", "-c", uris[h[0]], "domstats"]

    def cycle():
        """Runs one cycle; returns (client cpu ms of its processes, bytes, failures)."""
        cpu, nbytes, bad = {"ssh": 0.0, "virsh": 0.0}, 0, 0
        sel = selectors.DefaultSelector()
        todo = commands()
        pending, running = True, 0
        while pending or running:
            while pending and running < parallel * 2:
                cmd = next(todo, None)
                if cmd is None:
                    pending = False
                    break
                p = subprocess.Popen(cmd, stdin=devnull, stdout=subprocess.PIPE, stderr=devnull, env=env)
                p.prog = cmd[0]
                sel.register(p.stdout, selectors.EVENT_READ, p)
                running += 1
            for key, _ in sel.select():
                chunk = os.read(key.fd, 1 << 16)
                if chunk:
                    nbytes += len(chunk)
                    continue
                sel.unregister(key.fileobj)
                key.fileobj.close()
                _, status, ru = os.wait4(key.data.pid, 0)
                key.data.returncode = status
                running -= 1
                cpu[key.data.prog] += (ru.ru_utime + ru.ru_stime) * 1000.0
                if status != 0:
                    bad += 1
        sel.close()
        return cpu, nbytes, bad

    cycle()  # warm-up: page cache, first use of each master
    if mark:
        subprocess.run(mark + " begin", shell=True)
    m0 = sum(proc_cpu_ms(p) for p in masters)
    t0 = time.monotonic()
    cpu = {"ssh": 0.0, "virsh": 0.0}
    nbytes = bad = 0
    walls = []
    for _ in range(cycles):
        tc = time.monotonic()
        c, n, b = cycle()
        walls.append((time.monotonic() - tc) * 1000)
        for k in cpu:
            cpu[k] += c[k]
        nbytes, bad = nbytes + n, bad + b
    wall = time.monotonic() - t0
    m1 = sum(proc_cpu_ms(p) for p in masters)
    if mark:
        subprocess.run(mark + " end", shell=True)

    for h in hosts:
        subprocess.run(["ssh", "-F", cfg, "-O", "exit", h[0]], stdin=devnull,
                       stdout=devnull, stderr=devnull, env=env)
    walls.sort()
    with open(out, "w") as f:
        def put(k, v):
            f.write("%s=%s\n" % (k, v))
        put("hosts", len(hosts))
        put("cycles", cycles)
        put("parallel", parallel)
        clients = cpu["ssh"] + cpu["virsh"]
        put("cpu_ms_per_cycle", "%.2f" % ((clients + (m1 - m0)) / cycles))
        put("clients_cpu_ms_per_cycle", "%.2f" % (clients / cycles))
        put("ssh_clients_cpu_ms_per_cycle", "%.2f" % (cpu["ssh"] / cycles))
        put("virsh_cpu_ms_per_cycle", "%.2f" % (cpu["virsh"] / cycles))
        put("masters_cpu_ms_per_cycle", "%.2f" % ((m1 - m0) / cycles))
        put("wall_ms_per_cycle", "%.1f" % (wall * 1000 / cycles))
        put("wall_ms_median", "%.1f" % walls[(len(walls) - 1) // 2])
        put("bytes_per_cycle", nbytes // cycles)
        put("failures", bad)
        put("masters_open_s", "%.2f" % masters_s)


if __name__ == "__main__":
    main()
