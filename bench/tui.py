#!/usr/bin/env python3
"""tui.py — the console phases of the benchmark, driven through tmux as a person would.

    python3 bench/tui.py VDECK CLUSTER.lua hosts=N keys=N out=FILE

Times come from vdeck's VDECK_BENCH_FRAMES log, one line per frame:
"<start ms> <draw ms> <view> <rows> <sel> <end ms, to the µs>
[first_full_frame] [input=MS] [filter=TEXT]", on CLOCK_MONOTONIC, shared with
this script.
(3) first frame: from the Enter that starts vdeck in the pane's waiting
    shell (sent by the control-mode client below) to the end of the first
    frame of the Cluster view listing every host (each "connecting" until
    it answers); complete frame: to the end of the first frame drawn with
    every host answered (the first_full_frame marker).
(4) VM view, all rows: each filter keystroke (typed in the live `/` filter,
    then erased), from just before the key is written to tmux to the end of
    the first frame drawn with exactly the typed filter, i.e. the frame that
    holds the filtered rows (its row count is kept); a keystroke with no such
    frame within 5 s fails the phase.  Keys go through one tmux control-mode
    client (`tmux -C`), the way a terminal delivers them: no process is
    started per key (one `tmux send-keys` process costs milliseconds before
    its key leaves, and that is the harness's cost, not the console's).
Until the complete frame, the CPU the machine spent (all CPUs, /proc/stat)
and the console's own share of it (/proc/PID/stat): the rest is the simulated
hosts on the same cores.
Console memory: VmHWM/VmRSS of the vdeck process itself after both phases,
and the largest mappings of /proc/PID/smaps (rss_breakdown).
Writes key=value lines to `out`; exits non-zero when a phase could not be
measured.
"""
import os
import subprocess
import sys
import time

WORDS = ["web", "db-0", "k8s", "cache-00", "mq-03", "05", "api"]  # each prefix a valid regex


def now_ms():
    return time.clock_gettime(time.CLOCK_MONOTONIC) * 1000.0


class Frame:
    def __init__(self, line):
        head, _, filt = line.partition(" filter=")
        p = head.split()
        self.start, self.draw, self.view, self.rows = float(p[0]), float(p[1]), p[2], int(p[3])
        self.end = float(p[5]) if len(p) > 5 else self.start + self.draw
        self.full = "first_full_frame" in p[6:]
        self.filter = filt


class Frames:
    def __init__(self, path):
        self.path, self.off, self.buf = path, 0, ""

    def new(self):
        try:
            with open(self.path) as f:
                f.seek(self.off)
                data = f.read()
        except OSError:
            return []
        self.off += len(data)
        self.buf += data
        lines = self.buf.split("\n")
        self.buf = lines.pop()
        return [Frame(line) for line in lines if len(line.split()) >= 4]

    def wait(self, pred, timeout_s, alive=lambda: True):
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            for fr in self.new():
                if pred(fr):
                    return fr
            if not alive():
                return None
            time.sleep(0.0002)
        return None


def machine_busy_ms():
    """CPU time the whole machine spent busy (all CPUs), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]   # idle, iowait
    return (sum(v[:8]) - idle) * 1000.0 / os.sysconf("SC_CLK_TCK")


def waiting_in_read(pid, timeout_s=10.0):
    """Whether the shell PID sleeps (in its `read`, nothing else to do)
    within timeout_s; it is then given 100 ms more to settle."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            with open("/proc/%d/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        if state == "S":
            time.sleep(0.1)
            return True
        time.sleep(0.01)
    return False


def process_cpu_ms(pid):
    """utime + stime of one process (all its threads) and its reaped children."""
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    v = s[s.rindex(")") + 2:].split()
    return sum(int(x) for x in v[11:15]) * 1000.0 / os.sysconf("SC_CLK_TCK")


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def memory(pid):
    """VmHWM and VmRSS (MiB), and the largest mappings by RSS (kB)."""
    st = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                st[k] = int(v.split()[0])
    by = {}
    name = None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            p = line.split()
            if "-" in p[0] and ":" not in p[0]:
                name = os.path.basename(p[5]) if len(p) > 5 else "[anon]"
            elif p[0] == "Rss:":
                by[name] = by.get(name, 0) + int(p[1])
    top = sorted(by.items(), key=lambda kv: -kv[1])[:8]
    return st, ",".join("%s:%d" % kv for kv in top)


def main():
    vdeck, cluster = sys.argv[1], sys.argv[2]
    args = dict(a.split("=", 1) for a in sys.argv[3:])
    keys = int(args.get("keys", 200))
    hosts = int(args["hosts"])
    out = args["out"]
    work = os.path.dirname(os.path.abspath(out))
    frames_path = os.path.join(work, "frames.txt")
    sock = "vdeck-bench-%d" % os.getpid()
    tmux = ["tmux", "-L", sock, "-f", "/dev/null"]
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(work, "xdg-config"),
               XDG_STATE_HOME=os.path.join(work, "xdg-state"), TERM="xterm-256color")
    env.pop("TMUX", None)
    res = {}
    if os.path.exists(frames_path):
        os.unlink(frames_path)   # vdeck appends
    subprocess.run(tmux + ["new-session", "-d", "-s", "b", "-x", "200", "-y", "50", "sleep 3600"],
                   env=env, check=True)
    # remain-on-exit: a console that died leaves its pane, and says so
    subprocess.run(tmux + ["set-option", "-g", "remain-on-exit", "on"], env=env, check=True)
    try:
        frames = Frames(frames_path)
        # the connect budget of the other phases: on a loaded machine a host
        # that times out is backed off and the complete frame waits for it
        cmd = "exec env VDECK_BENCH_FRAMES=%s %s --connect-timeout 60 -c %s" % (frames_path, vdeck, cluster)

        def pane(fmt):
            return subprocess.run(tmux + ["display-message", "-p", "-t", "b", fmt], env=env,
                                  capture_output=True, text=True).stdout.strip()

        def alive():
            return pane("#{pane_dead}") == "0"

        # pane output arrives as %output lines: nobody reads them
        ctl = subprocess.Popen(tmux + ["-C", "attach-session", "-t", "b"], env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)

        def send(*k):
            ctl.stdin.write(("send-keys -t b %s\n" % " ".join("'%s'" % a for a in k)).encode())
            ctl.stdin.flush()

        # The start is an Enter pressed in a shell, as a person starts the
        # console: the pane's shell waits in `read`, and the clock starts
        # when the key is sent.  (tmux's respawn-pane, timed before, varied
        # by tens of milliseconds before main() of any program.)
        subprocess.run(tmux + ["respawn-pane", "-k", "-t", "b", "read go && " + cmd], env=env, check=True)
        pid = int(pane("#{pane_pid}"))
        if not waiting_in_read(pid):
            sys.exit("tui: the pane's shell did not wait for its Enter")
        busy_start = machine_busy_ms()
        t_start = now_ms()
        send("Enter")
        fr = frames.wait(lambda f: f.view == "cluster" and f.rows == hosts, 60, alive)
        if not fr:
            sys.exit("tui: no frame listing the %d hosts (console %s)" %
                     (hosts, "running" if alive() else "exited %s" % pane("#{pane_dead_status}")))
        res["first_frame_ms"] = "%.3f" % (fr.end - t_start)
        fr = fr if fr.full else frames.wait(lambda f: f.full, 120, alive)
        if not fr:
            shot = subprocess.run(tmux + ["capture-pane", "-p", "-t", "b"], env=env,
                                  capture_output=True, text=True).stdout
            sys.stderr.write("tui: the screen then:\n" + shot)
            sys.exit("tui: no frame with every host answered within 120 s")
        res["complete_frame_ms"] = "%.3f" % (fr.end - t_start)
        # Who had the CPUs until then: the console, or the simulated hosts
        # (sshd, shells, libvirtd) that share this machine with it.
        res["complete_frame_machine_busy_ms"] = "%.0f" % (machine_busy_ms() - busy_start)
        res["complete_frame_machine_cpus"] = os.cpu_count()
        res["complete_frame_console_cpu_ms"] = "%.0f" % process_cpu_ms(pid)

        send("2")
        vms = frames.wait(lambda f: f.view == "vms" and f.rows > 0, 30, alive)
        if not vms:
            sys.exit("tui: the VMs view did not draw")
        time.sleep(0.3)
        frames.new()
        res["rows"] = vms.rows
        send("/")
        time.sleep(0.3)
        frames.new()

        lat, draw = [], []
        seq = []
        while len(seq) < keys:
            for w in WORDS:
                seq += [("type", c) for c in w] + [("erase", None)] * len(w)
        typed = ""
        for op, c in seq[:keys]:
            typed = typed + c if op == "type" else typed[:-1]
            t = now_ms()
            if op == "type":
                send("-l", c)
            else:
                send("BSpace")
            want = typed
            fr = frames.wait(lambda f: f.view == "vms" and f.start >= t - 1 and f.filter == want, 5, alive)
            if not fr:
                sys.exit("tui: no frame showed the filter %r within 5 s of its keystroke" % want)
            if not want and fr.rows != vms.rows:
                sys.exit("tui: the filter erased, the frame shows %d of %d rows" % (fr.rows, vms.rows))
            lat.append(fr.end - t)
            draw.append(fr.draw)
            time.sleep(0.01)
        send("Escape")
        st, top = memory(pid)
        res["console_rss_mib"] = "%.1f" % (st["VmHWM"] / 1024.0)
        res["console_rss_now_mib"] = "%.1f" % (st["VmRSS"] / 1024.0)
        res["console_rss_anon_mib"] = "%.1f" % (st.get("RssAnon", 0) / 1024.0)
        res["console_rss_file_mib"] = "%.1f" % (st.get("RssFile", 0) / 1024.0)
        res["console_rss_breakdown_kib"] = top
        send("q")
        res["filter_ms_median"] = "%.3f" % pct(lat, 50)
        res["filter_ms_p99"] = "%.3f" % pct(lat, 99)
        res["frame_ms_median"] = "%.3f" % pct(draw, 50)
        res["frame_ms_p99"] = "%.3f" % pct(draw, 99)
        res["keys"] = len(lat)
    finally:
        subprocess.run(tmux + ["kill-server"], env=env, stderr=subprocess.DEVNULL)
        with open(out, "w") as f:
            for k, v in res.items():
                f.write("%s=%s\n" % (k, v))


if __name__ == "__main__":
    main()
