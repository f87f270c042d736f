#!/usr/bin/env python3
"""tui.py — the TUI phases of the benchmark, driven through tmux as a person would.

    python3 bench/tui.py VDECK CLUSTER.lua keys=N out=FILE

(3) first full frame: from just before tmux starts vdeck on the inventory to
    the end of the first frame drawn with every host polled (vdeck's
    VDECK_BENCH_FRAMES log: "<monotonic ms> <draw ms> <view> <rows> <sel>
    <end ms>" and a "first_full_frame" marker; CLOCK_MONOTONIC is shared
    with this script).
(4) VM view, all rows: for each filter keystroke (typed in the live `/`
    filter, then erased), from just before `tmux send-keys` to the end of
    the frame vdeck drew after it (key delivery through tmux + vdeck's
    frame), and, separately, until `tmux capture-pane` shows it (adds the
    round trip of reading the screen back).
Writes key=value lines to `out`.
"""
import os
import subprocess
import sys
import time

WORDS = ["web", "db-0", "k8s", "cache-00", "mq-03", "[0-9]5$", "api"]


def now_ms():
    return time.clock_gettime(time.CLOCK_MONOTONIC) * 1000.0


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
        out = []
        for line in lines:
            p = line.split()
            if len(p) >= 4:
                out.append((float(p[0]), float(p[1]), p[2], int(p[3]), "first_full_frame" in p[4:]))
        return out

    def wait(self, pred, timeout_s):
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            for fr in self.new():
                if pred(fr):
                    return fr
            time.sleep(0.0002)
        return None


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    vdeck, cluster = sys.argv[1], sys.argv[2]
    args = dict(a.split("=", 1) for a in sys.argv[3:])
    keys = int(args.get("keys", 200))
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
    try:
        frames = Frames(frames_path)
        cmd = "env VDECK_BENCH_FRAMES=%s %s -c %s" % (frames_path, vdeck, cluster)
        t_start = now_ms()
        subprocess.run(tmux + ["respawn-pane", "-k", "-t", "b", cmd], env=env, check=True)
        fr = frames.wait(lambda f: f[4], 120)
        if not fr:
            sys.exit("tui: no first full frame within 120 s")
        res["first_frame_ms"] = "%.1f" % (fr[0] + fr[1] - t_start)
        res["first_frame_draw_ms"] = "%.2f" % fr[1]

        def send(*k):
            subprocess.run(tmux + ["send-keys", "-t", "b"] + list(k), env=env, check=True)

        def screen():
            return subprocess.run(tmux + ["capture-pane", "-p", "-t", "b"], env=env,
                                  capture_output=True, text=True).stdout

        send("2")
        vms = frames.wait(lambda f: f[2].lower().startswith("vm") and f[3] > 0, 30)
        if not vms:
            sys.exit("tui: the VMs view did not draw")
        time.sleep(0.3)
        frames.new()
        rows = vms[3]
        res["rows"] = rows
        send("/")
        time.sleep(0.3)
        frames.new()

        lat, draw, scr, misses = [], [], [], 0
        typed = ""
        seq = []
        while len(seq) < keys:
            for w in WORDS:
                seq += [("type", c) for c in w] + [("erase", None)] * len(w)
        for op, c in seq[:keys]:
            typed = typed + c if op == "type" else typed[:-1]
            t = now_ms()
            if op == "type":
                send("-l", c)
            else:
                send("BSpace")
            fr = frames.wait(lambda f: f[0] >= t - 0.5, 5)
            if not fr:
                continue
            lat.append(fr[0] + fr[1] - t)
            draw.append(fr[1])
            # The screen read back: the command line shows what was typed.
            want = "/" + typed
            for _ in range(200):
                last = screen().rstrip("\n").split("\n")[-1].rstrip()
                if last.endswith(want):
                    scr.append(now_ms() - t)
                    break
            else:
                misses += 1
            time.sleep(0.01)
        send("Escape")
        send("q")
        if lat:
            res["filter_ms_median"] = "%.2f" % pct(lat, 50)
            res["filter_ms_p99"] = "%.2f" % pct(lat, 99)
            res["frame_ms_median"] = "%.2f" % pct(draw, 50)
            res["frame_ms_p99"] = "%.2f" % pct(draw, 99)
            res["screen_ms_median"] = "%.2f" % pct(scr, 50) if scr else "nan"
            res["screen_misses"] = misses
            res["keys"] = len(lat)
    finally:
        subprocess.run(tmux + ["kill-server"], env=env, stderr=subprocess.DEVNULL)
    with open(out, "w") as f:
        for k, v in res.items():
            f.write("%s=%s\n" % (k, v))


if __name__ == "__main__":
    main()
