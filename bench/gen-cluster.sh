#!/bin/sh
# gen-cluster.sh — the simulated cluster of the benchmark: HOSTS "hosts" that
# all log in to one private sshd on 127.0.0.1, each with its own sysroot and
# its own libvirt test:/// file, served by one private libvirtd
# (tests/lib/libvirtd-private.sh) and reached through libvirt's RPC over SSH, as
# production reaches qemu:///system.
#
#   SSHD_PORT=.. SSHD_USER=.. SSHD_KEY=.. SSHD_KNOWN_HOSTS=.. BENCH_LV_SOCK=.. \
#     sh bench/gen-cluster.sh DIR HOSTS VMS
# BENCH_VIA=1: this vdeck knows libvirt_via (the rpc-ssh inventory says "uri").
#
# The host trees and node files come from vdeck's own demo generator
# (`vdeck --demo=HOSTSxVMS`, seed 0): 2–4 NUMA nodes, 4–8 NICs, bonds, KSM,
# files in the kernel's formats and sizes.  Writes into DIR:
#   tree/hosts/<name>.xml, tree/hosts/<name>/root/   the generated cluster
#   cluster-rpc-ssh.lua  inventory: transport ssh to 127.0.0.1, one sysroot per
#                   host, libvirt = test+ssh://USER@127.0.0.1:PORT/PATH.xml (RPC
#                   through an OpenSSH child libvirt spawns, as qemu+ssh:// does;
#                   `nc -U` to the daemon's socket on the far side); interval
#                   3600: the benchmark drives every poll with vdeck.refresh()
#   cluster-tunnel.lua   the same hosts with libvirt_via = "tunnel": the RPC
#                   through vdeck's own SSH session to the daemon's socket,
#                   the poll's statistics call made by vdeck itself on a
#                   channel of that session (libvirt_stats = "vdeck", what
#                   qemu:///system gets by default: here it must be said,
#                   because the test driver gives each connection its own
#                   copy of a file; the copies are the same file, with its
#                   UUIDs, and nothing changes a domain's state while the
#                   cycles are timed)
#   cluster-tunnel-libvirt.lua   the tunnel with libvirt's client making
#                   the statistics call (libvirt_stats = "libvirt")
#   ssh_config, ssh the OpenSSH client libvirt runs (the URI's command=)
#   hosts.tsv       name <TAB> test+ssh URI <TAB> sysroot, one line per host
#   spec            "HOSTS VMS SEED" for bench/mover.c
#   id              a copy of the login key (mode 600)
set -eu
[ $# -eq 3 ] || { echo "usage: gen-cluster.sh DIR HOSTS VMS" >&2; exit 2; }
dir=$1 hosts=$2 vms=$3
root=$(cd "$(dirname "$0")/.." && pwd)
VDECK=${VDECK:-$root/vdeck}
: "${SSHD_PORT:?}" "${SSHD_USER:?}" "${SSHD_KEY:?}" "${SSHD_KNOWN_HOSTS:?}" "${BENCH_LV_SOCK:?}"

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rm -rf "$dir/tree" "$dir"/vdeck-demo-*
VDECK_KEEP_DEMO=1 TMPDIR=$dir "$VDECK" --demo="${hosts}x${vms}" -e 'return 1' >/dev/null
mv "$dir"/vdeck-demo-* "$dir/tree"
# The login user (not root) reads the trees; the daemon reads the test:/// files.
chmod -R a+rX "$dir/tree"
chmod 755 "$dir"
cp "$SSHD_KEY" "$dir/id"
chmod 600 "$dir/id"
echo "$hosts $vms 0" >"$dir/spec"

# libvirt's ssh transport runs `COMMAND -p PORT -l USER -T -e none -o
# BatchMode=yes -- HOST sh -c '... nc -U SOCKET'`; COMMAND reads this config.
cat >"$dir/ssh_config" <<EOF
Host *
  HostName 127.0.0.1
  IdentityFile $dir/id
  IdentitiesOnly yes
  UserKnownHostsFile $SSHD_KNOWN_HOSTS
  StrictHostKeyChecking yes
  CheckHostIP no
  BatchMode yes
  LogLevel ERROR
EOF
printf '#!/bin/sh\nexec %s -F %s "$@"\n' "$(command -v ssh)" "$dir/ssh_config" >"$dir/ssh"
chmod 755 "$dir/ssh"

: >"$dir/hosts.tsv"
for via in rpc-ssh tunnel tunnel-libvirt; do
	i=0
	{
		printf 'defaults { ssh = { user = "%s", port = %s, identity = "%s",\n' "$SSHD_USER" "$SSHD_PORT" "$dir/id"
		printf '                   known_hosts = "%s" }, interval = 3600 }\n' "$SSHD_KNOWN_HOSTS"
		for x in "$dir"/tree/hosts/*.xml; do
			name=$(basename "$x" .xml)
			i=$((i + 1))
			if [ "$via" = rpc-ssh ]; then
				uri="test+ssh://$SSHD_USER@127.0.0.1:$SSHD_PORT$x?socket=$BENCH_LV_SOCK&proxy=netcat&no_tty=1&command=$dir/ssh"
				printf '%s\t%s\t%s\n' "$name" "$uri" "$dir/tree/hosts/$name/root" >>"$dir/hosts.tsv"
				via_keys=${BENCH_VIA:+, libvirt_via = \"uri\"}
			else
				uri="test+ssh://$SSHD_USER@127.0.0.1:$SSHD_PORT$x"
				via_keys=", libvirt_via = \"tunnel\", libvirt_socket = \"$BENCH_LV_SOCK\""
				stats=vdeck
				[ "$via" = tunnel-libvirt ] && stats=libvirt
				via_keys="$via_keys, libvirt_stats = \"$stats\""
			fi
			printf 'host { name = "%s", address = "127.0.0.1", transport = "ssh",\n' "$name"
			printf '       libvirt = "%s"%s,\n' "$uri" "$via_keys"
			printf '       sysroot = "%s/tree/hosts/%s/root",\n' "$dir" "$name"
			printf '       tags = { "rack%d", "bench" } }\n' $((i % 4))
		done
	} >"$dir/cluster-$via.lua"
done
n=$(wc -l <"$dir/hosts.tsv")
[ "$n" -eq "$hosts" ] || { echo "gen-cluster: $n hosts generated, $hosts asked" >&2; exit 1; }
