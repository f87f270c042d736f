#!/bin/sh
# gen-cluster.sh — the simulated cluster of the benchmark: HOSTS "hosts" that
# all log in to one private sshd on 127.0.0.1, each with its own sysroot and
# its own libvirt test:/// file.
#
#   SSHD_PORT=.. SSHD_USER=.. SSHD_KEY=.. SSHD_KNOWN_HOSTS=.. \
#     sh bench/gen-cluster.sh DIR HOSTS VMS
#
# The host trees and node files come from vdeck's own demo generator
# (`vdeck --demo=HOSTSxVMS`, seed 0): 2–4 NUMA nodes, 4–8 NICs, bonds, KSM,
# files in the kernel's formats and sizes.  Writes into DIR:
#   tree/hosts/<name>.xml, tree/hosts/<name>/root/   the generated cluster
#   cluster.lua     inventory: transport ssh to 127.0.0.1, one sysroot and one
#                   test:/// URI per host, no background polling (interval 3600:
#                   the benchmark drives every poll with vdeck.refresh())
#   hosts.tsv       name <TAB> test:/// URI <TAB> sysroot, one line per host
#   spec            "HOSTS VMS SEED" for bench/mover.c
#   id              a copy of the login key (mode 600)
set -eu
[ $# -eq 3 ] || { echo "usage: gen-cluster.sh DIR HOSTS VMS" >&2; exit 2; }
dir=$1 hosts=$2 vms=$3
root=$(cd "$(dirname "$0")/.." && pwd)
VDECK=${VDECK:-$root/vdeck}
: "${SSHD_PORT:?}" "${SSHD_USER:?}" "${SSHD_KEY:?}" "${SSHD_KNOWN_HOSTS:?}"

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rm -rf "$dir/tree" "$dir"/vdeck-demo-*
VDECK_KEEP_DEMO=1 TMPDIR=$dir "$VDECK" --demo="${hosts}x${vms}" -e 'return 1' >/dev/null
mv "$dir"/vdeck-demo-* "$dir/tree"
# The login user (not root) reads the trees; test:/// files stay readable too.
chmod -R a+rX "$dir/tree"
chmod 755 "$dir"
cp "$SSHD_KEY" "$dir/id"
chmod 600 "$dir/id"
echo "$hosts $vms 0" >"$dir/spec"

: >"$dir/hosts.tsv"
{
	printf 'defaults { ssh = { user = "%s", port = %s, identity = "%s",\n' "$SSHD_USER" "$SSHD_PORT" "$dir/id"
	printf '                   known_hosts = "%s" }, interval = 3600 }\n' "$SSHD_KNOWN_HOSTS"
	for x in "$dir"/tree/hosts/*.xml; do
		name=$(basename "$x" .xml)
		printf '%s\ttest://%s\t%s\n' "$name" "$x" "$dir/tree/hosts/$name/root" >>"$dir/hosts.tsv"
		printf 'host { name = "%s", address = "127.0.0.1", transport = "ssh",\n' "$name"
		printf '       libvirt = "test://%s", sysroot = "%s/tree/hosts/%s/root",\n' "$x" "$dir" "$name"
		printf '       tags = { "rack%d", "bench" } }\n' $(( $(wc -l <"$dir/hosts.tsv") % 4 ))
	done
} >"$dir/cluster.lua"
n=$(wc -l <"$dir/hosts.tsv")
[ "$n" -eq "$hosts" ] || { echo "gen-cluster: $n hosts generated, $hosts asked" >&2; exit 1; }
