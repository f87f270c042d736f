#!/bin/sh
# test_bench_readme.sh — README.md's performance table is the one
# bench/readme_table.py makes from bench/results/latest.json: no figure in it
# typed by hand.  Also: a figure changed in a copy of the README, or in a copy
# of the JSON, is caught; a missed target reads MISSED with its ratio.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
py=/usr/bin/python3; [ -x "$py" ] || py=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen=$root/bench/readme_table.py json=$root/bench/results/latest.json

check "README.md's table matches bench/results/latest.json" "$py" "$gen" --check "$json" "$root/README.md"

cp "$root/README.md" "$tmp/README.md"
"$py" - "$tmp/README.md" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
a, b = s.index("<!-- bench-table:begin -->"), s.index("<!-- bench-table:end -->")
t = re.sub(r"\| (\d+(\.\d+)?) \|", lambda m: "| %s1 |" % m.group(1), s[a:b], count=1)
open(p, "w").write(s[:a] + t + s[b:])
PY
if "$py" "$gen" --check "$json" "$tmp/README.md" >/dev/null; then fail "a figure typed into the README is caught"; else ok "a figure typed into the README is caught"; fi

"$py" - "$json" "$tmp/missed.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["first_frame_ms"] = 250.0
r["targets"]["first_frame_ms"] = {"target": "<= 100ms", "met": False, "ratio": 2.5}
json.dump(r, open(sys.argv[2], "w"))
PY
cp "$root/README.md" "$tmp/README2.md"
if "$py" "$gen" --check "$tmp/missed.json" "$tmp/README2.md" >/dev/null; then fail "a JSON changed under the README is caught"; else ok "a JSON changed under the README is caught"; fi
"$py" "$gen" "$tmp/missed.json" "$tmp/README2.md"
check "a missed target reads MISSED with its ratio" grep -q "first frame.*MISSED\*\* (2.50× off)" "$tmp/README2.md"
finish
