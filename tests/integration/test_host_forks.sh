#!/bin/sh
# test_host_forks.sh — what a steady-state poll costs the host in processes:
# one SSH host (a real sshd, this machine's own /proc and /sys, so a real NIC
# whose coalescing ethtool reads) polled 30 times after the first polls of
# its shell; every process forked under the sshd is counted by the kernel's
# process-event connector (bench/hostcost.py measure).  Where the host has
# bash the poll forks nothing: files are read by the shell itself, device
# links and the slow facts (ethtool, ip -d link, OVS) are kept between polls
# and read again every 30 s or after an operation changed the host.  Needs
# root (the connector) and python3.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
VDECK=${VDECK:-$root/vdeck}
if [ "$(id -u)" != 0 ]; then
	skip "test_host_forks: needs root (the kernel's process-event connector)"
	finish; exit $?
fi
command -v python3 >/dev/null 2>&1 || { skip "test_host_forks: no python3"; finish; exit $?; }
command -v bash >/dev/null 2>&1 || { skip "test_host_forks: no bash on this host (the poll forks one grep)"; finish; exit $?; }

out=$(timeout 300 python3 "$root/bench/hostcost.py" measure vdeck="$VDECK" sysroot=/ polls=30 scrapes=0 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
[ $rc -eq 0 ] && ok "hostcost measure ran" || fail "hostcost measure ran" "exit $rc"
field() { echo "$out" | sed -n "s/^ *\"$1\": \\(.*\\),\$/\\1/p; s/^ *\"$1\": \\(.*\\)\$/\\1/p" | head -n 1; }
forks=$(field host_forks_per_poll) lost=$(field fork_events_lost)
[ "$lost" = false ] && ok "no fork event was lost" || fail "no fork event was lost" "$lost"
[ "$forks" = 0.0 ] && ok "no process forked per steady-state poll" || fail "no process forked per steady-state poll" "$forks per poll"
finish
