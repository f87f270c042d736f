#!/bin/sh
# prom-tree.sh ROOT... — completes host trees written by `vdeck --demo`
# with the files node_exporter reads and vdeck's poll does not: each NUMA
# node's numastat (the meminfo_numa collector needs it) and each bond
# port's bonding_slave/mii_status under the bond (the bonding collector
# reads /sys/class/net/BOND/lower_PORT/...), the latter copied from the
# tree's own /proc/net/bonding/BOND so both readers see one truth.
set -eu
for root in "$@"; do
	for node in "$root"/sys/devices/system/node/node[0-9]*; do
		[ -d "$node" ] || continue
		printf 'numa_hit 1000\nnuma_miss 0\nnuma_foreign 0\ninterleave_hit 0\nlocal_node 1000\nother_node 0\n' \
			>"$node/numastat"
	done
	[ -f "$root/sys/class/net/bonding_masters" ] || continue
	for bond in $(cat "$root/sys/class/net/bonding_masters"); do
		status=$root/proc/net/bonding/$bond
		for port in $(cat "$root/sys/class/net/$bond/bonding/slaves"); do
			mii=$(awk -v p="$port" '$1 == "Slave" && $2 == "Interface:" { cur = $3 }
				cur == p && $1 == "MII" && $2 == "Status:" { print $3; exit }' "$status" 2>/dev/null)
			mkdir -p "$root/sys/class/net/$bond/lower_$port/bonding_slave"
			echo "${mii:-down}" >"$root/sys/class/net/$bond/lower_$port/bonding_slave/mii_status"
		done
	done
done
