#!/usr/bin/env python3
"""audit_intervals.py AUDIT OPERATION [SINCE_LINE] — the intervals of one
operation in vdeck's audit trail (started record to result record, by id),
one line each: "START END HOST DOMAIN RESULT" (seconds since the first
start), then "overlaps N": how many pairs of intervals overlap in time and
"max_at_once N" (the most at the same moment).  Lines before SINCE_LINE
(1-based) are ignored, so a test can look at one run of several."""
import json
import sys
from datetime import datetime


def when(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def main():
    path, op = sys.argv[1], sys.argv[2]
    since = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    runs = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if n < since:
                continue
            r = json.loads(line)
            if r.get("operation") != op:
                continue
            e = runs.setdefault(r["id"], {"host": r.get("host"), "domain": r.get("domain")})
            if r.get("record") == "started":
                e["start"] = when(r["time"])
            elif r.get("record") == "result":
                e["end"] = when(r["time"])
                e["result"] = r.get("result")
    iv = sorted((e for e in runs.values() if "start" in e and "end" in e), key=lambda e: e["start"])
    t0 = iv[0]["start"] if iv else 0
    for e in iv:
        print("%.2f %.2f %s %s %s" % (e["start"] - t0, e["end"] - t0, e["host"], e["domain"], e["result"]))
    overlaps = sum(1 for i, a in enumerate(iv) for b in iv[i + 1:] if b["start"] < a["end"])
    most = 0
    for a in iv:
        most = max(most, sum(1 for b in iv if b["start"] <= a["start"] < b["end"]))
    print("overlaps %d" % overlaps)
    print("max_at_once %d" % most)


main()
