#!/bin/sh
# snap-baseline.sh — a bulk snapshot the way a careful operator scripts it
# today: hosts one after another, one `virsh` per host reading a
# `snapshot-create-as DOMAIN NAME` command per VM on stdin over a single
# connection (the domains listed first by one `virsh list`).
#
#   sh bench/snap-baseline.sh HOSTS_TSV NAME     prints "vms failed"
# (failed: virsh "error:" lines, plus hosts whose list failed)
set -u
tsv=$1 name=$2
vms=0 failed=0
err=$(mktemp)
while IFS='	' read -r host uri root; do
	list=$(virsh -q -c "$uri" list --all --name) || { failed=$((failed + 1)); continue; }
	n=$(printf '%s\n' "$list" | grep -c .)
	vms=$((vms + n))
	printf '%s\n' "$list" | sed -n "s/^\(..*\)\$/snapshot-create-as \1 $name/p" |
		virsh -q -c "$uri" >/dev/null 2>"$err"
	failed=$((failed + $(grep -c '^error:' "$err")))
done <"$tsv"
rm -f "$err"
echo "$vms $failed"
