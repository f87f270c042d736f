#!/usr/bin/env python3
"""snap.py — vdeck's side of the bulk-snapshot phase.

    python3 bench/snap.py VDECK DIR out=FILE

Snapshots every VM of the cluster (inventory tag "bench" is on every host)
with the `snapshot-create` runbook, headless: `vdeck --json --exec
snapshot-create tag=bench prefix=bench`.  vdeck_s is the whole invocation,
connecting to every host included (the baseline's virsh processes connect
too); vdeck_startup_s is the same invocation running an empty script, so
vdeck_s - vdeck_startup_s is the runbook alone.  Appends key=value lines.
"""
import json
import os
import subprocess
import sys
import time


def timed(cmd, env):
    t = time.monotonic()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    return time.monotonic() - t, r


def main():
    vdeck, d = sys.argv[1], sys.argv[2]
    args = dict(a.split("=", 1) for a in sys.argv[3:])
    out = args["out"]
    inv = os.path.join(d, "cluster.lua")
    env = dict(os.environ, XDG_STATE_HOME=os.path.join(d, "xdg-state"),
               XDG_CONFIG_HOME=os.path.join(d, "xdg-config"))
    noop = os.path.join(d, "noop.lua")
    with open(noop, "w") as f:
        f.write("return true\n")
    startup, r = timed([vdeck, "-c", inv, "--exec", noop], env)
    if r.returncode != 0:
        sys.exit("snap: vdeck cannot start: " + r.stderr[-300:])
    total, r = timed([vdeck, "-c", inv, "--json", "--exec", "snapshot-create", "tag=bench", "prefix=bench"], env)
    made = failed = None
    for line in r.stdout.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if isinstance(o, dict) and "snapshots" in o:
            made, failed = o["snapshots"], o.get("failed")
    with open(out, "a") as f:
        f.write("vdeck_s=%.3f\nvdeck_startup_s=%.3f\nvdeck_run_s=%.3f\nvdeck_rc=%d\n"
                % (total, startup, total - startup, r.returncode))
        if made is not None:
            f.write("vdeck_snapshots=%d\nvdeck_failed=%d\n" % (made, failed or 0))
    if r.returncode != 0:
        sys.stderr.write("snap: runbook exited %d: %s\n" % (r.returncode, r.stderr[-300:]))


if __name__ == "__main__":
    main()
