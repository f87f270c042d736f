#!/usr/bin/env python3
"""hostcost.py — what the hosts pay for being watched: CPU of the private
sshd and everything under it (per-connection sshd processes, the poll shell
and whatever it forks), reported apart from the console's.

    python3 bench/hostcost.py ROOT_PID FILE WHO LABEL
        appends "WHO LABEL CPU_MS" to FILE (the sshd tree's CPU so far;
        bench/run.sh calls it around vdeck's and the baseline's cycles)

    python3 bench/hostcost.py measure [vdeck=./vdeck] [sysroot=/] [polls=200]
                              [scrapes=200] [out=FILE]
        one SSH host polled `polls` times by vdeck (h:refresh(), through a
        private sshd from tests/lib/sshd.sh), then prometheus-node-exporter
        scraped `scrapes` times reading the same tree (--path.procfs and
        --path.sysfs under sysroot; scrapes=0: not run).  Prints JSON (and
        writes it to out): host_cpu_ms_per_poll, host_forks_per_poll,
        node_exporter_cpu_ms_per_scrape.  The polls are plain ones, as the
        host's own schedule makes them: the slow facts (ethtool, OVS, VF
        settings) come with the first poll of the shell and every 30 s.

CPU: live processes from /proc/PID/schedstat (ns); children already reaped
through cutime+cstime of /proc/PID/stat (ticks of 10 ms: enough polls make
that error small).  node_exporter: utime+stime of /proc/PID/stat (every
thread of the process).  Forks: the kernel's process-event connector
(netlink, needs root): every fork whose parent is in the sshd tree, between
the two marks, threads left out.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The node_exporter collectors that read what vdeck's poll reads.
NODE_COLLECTORS = ["cpu", "stat", "meminfo", "meminfo_numa", "vmstat", "netdev", "netclass",
                   "bonding", "ksmd", "uname"]


def tree_cpu_ms(root):
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
    return total


def descendants(root):
    """root and every process under it now (later ones are added on fork)."""
    kids = {}
    for d in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % d) as f:
                kids.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(d))
        except (OSError, IndexError, ValueError):
            pass
    out, todo = set(), [root]
    while todo:
        p = todo.pop()
        out.add(p)
        todo.extend(kids.get(p, []))
    return out


def mark(argv):
    root, out, who, label = int(argv[0]), argv[1], argv[2], argv[3]
    with open(out, "a") as f:
        f.write("%s %s %.1f\n" % (who, label, tree_cpu_ms(root)))


def snap(argv):
    """snap ROOT_PID FILE LABEL: "LABEL CPU_MS MONOTONIC_S" (measure's marks)."""
    root, out, label = int(argv[0]), argv[1], argv[2]
    with open(out, "a") as f:
        f.write("%s %.3f %.6f\n" % (label, tree_cpu_ms(root), time.monotonic()))


class ForkWatch(threading.Thread):
    """Process forks under root, from the proc connector, with their times."""
    NETLINK_CONNECTOR, CN_IDX_PROC, PROC_EVENT_FORK = 11, 1, 1

    def __init__(self, root):
        super().__init__(daemon=True)
        self.tree, self.forks, self.lost = descendants(root), [], False
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, self.NETLINK_CONNECTOR)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind((0, self.CN_IDX_PROC))
        op = struct.pack("I", 1)   # PROC_CN_MCAST_LISTEN
        cn = struct.pack("IIIIHH", self.CN_IDX_PROC, 1, 0, 0, len(op), 0) + op
        self.sock.send(struct.pack("IHHII", 16 + len(cn), 3, 0, 0, 0) + cn)

    def run(self):
        while True:
            try:
                d = self.sock.recv(65536)
            except OSError:
                self.lost = True   # ENOBUFS: events dropped under a fork storm
                continue
            now = time.monotonic()
            # nlmsghdr (16) + cn_msg (20) + proc_event: what, cpu, timestamp
            if len(d) < 16 + 20 + 16 + 16:
                continue
            what = struct.unpack_from("I", d, 36)[0]
            if what != self.PROC_EVENT_FORK:
                continue
            ppid, ptgid, cpid, ctgid = struct.unpack_from("IIII", d, 52)
            if ptgid in self.tree:
                self.tree.add(ctgid)
                if cpid == ctgid:
                    self.forks.append(now)


def kv_args(argv):
    return dict(a.split("=", 1) for a in argv if "=" in a)


def start_sshd(work):
    env = dict(os.environ, TMPDIR=work, SSHD_LIFETIME="900")
    out = subprocess.run(["sh", os.path.join(ROOT, "tests/lib/sshd.sh"), "start"], env=env,
                         capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


POLL_LUA = """
local args = {}
for _, kv in ipairs({ ... }) do local k, v = kv:match("^(%w+)=(.*)$"); args[k] = v end
local h = vdeck.host("h")
for _ = 1, 3 do h:refresh() end
if h.shell_error then print("poll failed: " .. h.shell_error); os.exit(1) end
os.execute(args.mark .. " begin")
for _ = 1, tonumber(args.polls) do h:refresh() end
os.execute(args.mark .. " end")
if h.shell_error then print("poll failed: " .. h.shell_error); os.exit(1) end
print("polled")
"""


def measure_polls(a, work):
    s = start_sshd(work)
    try:
        key = os.path.join(work, "id")
        with open(s["SSHD_KEY"], "rb") as src, open(key, "wb") as dst:
            dst.write(src.read())
        os.chmod(key, 0o600)
        with open(os.path.join(work, "cluster.lua"), "w") as f:
            f.write('host { name = "h", address = "127.0.0.1", libvirt = "test:///default", '
                    'sysroot = %s, interval = 3600, ssh = { user = "%s", port = %s, '
                    'identity = "%s", known_hosts = "%s" } }\n'
                    % (json.dumps(a["sysroot"]), s["SSHD_USER"], s["SSHD_PORT"], key,
                       s["SSHD_KNOWN_HOSTS"]))
        with open(os.path.join(work, "poll.lua"), "w") as f:
            f.write(POLL_LUA)
        marks = os.path.join(work, "marks")
        watch = ForkWatch(int(s["SSHD_PID"]))
        watch.start()
        cmd = "%s %s snap %s %s" % (sys.executable, os.path.abspath(__file__), s["SSHD_PID"], marks)
        env = dict(os.environ, XDG_STATE_HOME=work, XDG_CONFIG_HOME=work, XDG_RUNTIME_DIR=work)
        env.pop("SSH_AUTH_SOCK", None)
        r = subprocess.run([a["vdeck"], "-c", os.path.join(work, "cluster.lua"), "--connect-timeout", "5",
                            "--exec", os.path.join(work, "poll.lua"), "polls=%s" % a["polls"],
                            "mark=" + cmd], env=env, capture_output=True, text=True)
        if r.returncode != 0 or "polled" not in r.stdout:
            raise SystemExit("hostcost: vdeck failed: %s %s" % (r.stdout, r.stderr))
        time.sleep(0.2)   # the last fork events
        m = {}
        for line in open(marks):
            label, ms, t = line.split()
            m[label] = (float(ms), float(t))
        polls = int(a["polls"])
        b, e = m["begin"], m["end"]
        forks = sum(1 for t in watch.forks if b[1] <= t <= e[1])
        return {"host_cpu_ms_per_poll": round((e[0] - b[0]) / polls, 3),
                "host_forks_per_poll": round(forks / polls, 3),
                "fork_events_lost": watch.lost}
    finally:
        subprocess.run(["sh", os.path.join(ROOT, "tests/lib/sshd.sh"), "stop", s["SSHD_DIR"]],
                       capture_output=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def process_cpu_ms(pid):
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) * TICK_MS


def measure_node_exporter(a):
    if int(a["scrapes"]) <= 0:
        return {"node_exporter_cpu_ms_per_scrape": None, "node_exporter_note": "scrapes=0: not run"}
    exe = a.get("node_exporter", "/usr/bin/prometheus-node-exporter")
    if not os.access(exe, os.X_OK):
        return {"node_exporter_cpu_ms_per_scrape": None,
                "node_exporter_note": "no %s (apt-get install prometheus-node-exporter)" % exe}
    root = a["sysroot"].rstrip("/")
    port = free_port()
    args = [exe, "--web.listen-address=127.0.0.1:%d" % port, "--path.procfs=%s/proc" % root,
            "--path.sysfs=%s/sys" % root, "--collector.disable-defaults"]
    args += ["--collector." + c for c in NODE_COLLECTORS]
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = "http://127.0.0.1:%d/metrics" % port
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        for _ in range(3):
            urllib.request.urlopen(url, timeout=5).read()
        scrapes = int(a["scrapes"])
        c0 = process_cpu_ms(p.pid)
        size = 0
        for _ in range(scrapes):
            size = len(urllib.request.urlopen(url, timeout=5).read())
        c1 = process_cpu_ms(p.pid)
        return {"node_exporter_cpu_ms_per_scrape": round((c1 - c0) / scrapes, 3),
                "node_exporter_collectors": NODE_COLLECTORS, "node_exporter_bytes": size}
    finally:
        p.terminate()
        p.wait()


def measure(argv):
    a = {"vdeck": os.path.join(ROOT, "vdeck"), "sysroot": "/", "polls": "200", "scrapes": "200"}
    a.update(kv_args(argv))
    work = tempfile.mkdtemp(prefix="vdeck-hostcost.")
    os.chmod(work, 0o755)
    try:
        r = {"sysroot": a["sysroot"], "polls": int(a["polls"]), "scrapes": int(a["scrapes"])}
        r.update(measure_polls(a, work))
        r.update(measure_node_exporter(a))
    finally:
        subprocess.run(["rm", "-rf", work])
    text = json.dumps(r, indent=1, sort_keys=True)
    print(text)
    if a.get("out"):
        with open(a["out"], "w") as f:
            f.write(text + "\n")


def main():
    if sys.argv[1:2] == ["measure"]:
        measure(sys.argv[2:])
    elif sys.argv[1:2] == ["snap"]:
        snap(sys.argv[2:])
    else:
        mark(sys.argv[1:])


if __name__ == "__main__":
    main()
