#!/bin/sh
# qemu.sh — the bench's second stage: per-VM statistics on real QEMU.
#
#   flock /tmp/vdeck-lab.lock sh bench/qemu.sh VDECK DIR N OUT
#
# N tiny QEMU/TCG guests (64 MiB, one vCPU, a blank qcow2 disk, a balloon; no
# guest OS) on one lab libvirtd (tests/lib/lab-libvirtd.sh), reached over SSH
# the way production reaches a host: qemu+ssh:// through a private sshd,
# `nc -U` to the daemon's socket on the far side.  Then per poll, measured
# whole on the client (bench/qemu_stats.py): vdeck's poll of that host (one
# host, libvirt only: list + bulk statistics) against `virsh domstats` (one
# process per poll, its ssh included), first with all N guests running,
# then with N/2 (the others destroyed and undefined).  Cost per VM per poll:
# the whole poll over N.  At 3000 VMs: fixed + 3000 × per_vm where the two
# measurements fit cost(n) = fixed + n × per_vm with both terms positive,
# else 3000 × cost(N)/N (an upper bound); the formula used is in the output.
# Writes key=value lines to OUT.  N < 0 (tests) fails at once.
set -u
[ $# -eq 4 ] || { echo "usage: qemu.sh VDECK DIR N OUT" >&2; exit 2; }
VDECK=$1 dir=$2 n=$3 out=$4
root=$(cd "$(dirname "$0")/.." && pwd)
[ "$n" -gt 0 ] || { echo "qemu.sh: $n guests asked" >&2; exit 1; }
mkdir -p "$dir" && chmod 755 "$dir"
LAB_LIB=$root/tests/lib
. "$LAB_LIB/lab-libvirtd.sh"
why=$(lab_libvirtd_available) || { echo "qemu.sh: $why" >&2; exit 1; }
command -v nc >/dev/null || { echo "qemu.sh: nc missing (netcat-openbsd)" >&2; exit 1; }
lab_init bench || exit 1

SSHD_NO_TRAP=1
. "$LAB_LIB/sshd.sh"
TMPDIR=$dir sshd_start >/dev/null 2>&1 || { echo "qemu.sh: sshd cannot run" >&2; exit 1; }
lab_defer "sshd_stop"

lab_libvirtd_start bq || exit 1
sock=$LAB_ROOT/lv-bq/run/libvirt-sock
# the SSH login is an unprivileged user: its nc must reach the socket
chmod 0666 "$sock" || exit 1
uri=$(lab_libvirtd_uri bq)

t0=$(date +%s)
i=0
while [ $i -lt "$n" ]; do
	i=$((i + 1))
	LAB_VM_MEM_MIB=64 LAB_VM_MAXMEM_MIB=256 LAB_VM_DISK_MIB=16 lab_vm_define "$uri" "bq$i" ||
		{ echo "qemu.sh: guest bq$i did not start" >&2; exit 1; }
done
running=$(virsh -q -c "$uri" list --state-running --name | grep -c .)
[ "$running" -eq "$n" ] || { echo "qemu.sh: $running of $n guests running" >&2; exit 1; }
echo "qemu.sh: $n guests up in $(( $(date +%s) - t0 )) s" >&2

cp "$SSHD_KEY" "$dir/id" && chmod 600 "$dir/id"
cat >"$dir/ssh_config" <<EOF
Host *
  HostName 127.0.0.1
  IdentityFile $dir/id
  IdentitiesOnly yes
  UserKnownHostsFile $SSHD_KNOWN_HOSTS
  StrictHostKeyChecking yes
  BatchMode yes
  LogLevel ERROR
EOF
printf '#!/bin/sh\nexec %s -F %s "$@"\n' "$(command -v ssh)" "$dir/ssh_config" >"$dir/ssh"
chmod 755 "$dir/ssh"
ssh_uri="qemu+ssh://$SSHD_USER@127.0.0.1:$SSHD_PORT/system?socket=$sock&proxy=netcat&no_tty=1&command=$dir/ssh"
via=
printf 'host { name = "probe", transport = "none", libvirt = "test:///default", libvirt_via = "uri" }\n' >"$dir/probe.lua"
"$VDECK" -c "$dir/probe.lua" -e 'return 1' >/dev/null 2>&1 && via=', libvirt_via = "uri"'
printf 'host { name = "qemu1", transport = "none", interval = 3600, libvirt = "%s"%s }\n' \
	"$ssh_uri" "$via" >"$dir/cluster.lua"

half=$((n / 2))
python3 "$root/bench/qemu_stats.py" "$VDECK" "$dir/cluster.lua" "$ssh_uri" "$n" >"$dir/full.out" || exit 1
i=$half
while [ $i -lt "$n" ]; do
	i=$((i + 1))
	virsh -q -c "$uri" destroy "bq$i" >/dev/null && virsh -q -c "$uri" undefine "bq$i" >/dev/null || exit 1
done
python3 "$root/bench/qemu_stats.py" "$VDECK" "$dir/cluster.lua" "$ssh_uri" "$half" >"$dir/half.out" || exit 1
python3 - "$dir/full.out" "$dir/half.out" "$n" "$half" >"$out" <<'PY'
import sys
def kv(p):
    return {k: float(v) for k, v in (l.strip().split("=", 1) for l in open(p) if "=" in l)}
full, half, n, h = kv(sys.argv[1]), kv(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print("vms=%d" % n)
forms = []
for side in ("vdeck", "baseline"):
    a, b = full[side + "_ms_per_poll"], half[side + "_ms_per_poll"]
    per_vm = (a - b) / (n - h)
    fixed = a - n * per_vm
    print("%s_cpu_ms_per_poll=%.3f" % (side, a))
    print("%s_cpu_ms_per_poll_half=%.3f" % (side, b))
    # cost per VM per poll: the whole poll over its VMs (fixed share included)
    print("%s_us_per_vm=%.1f" % (side, a * 1000 / n))
    print("%s_us_per_vm_marginal=%.1f" % (side, per_vm * 1000))
    print("%s_fixed_ms=%.3f" % (side, fixed))
    if per_vm > 0 and fixed >= 0:
        at = fixed + 3000 * per_vm
        forms.append("%s: fixed + 3000 x per_vm = %.3f + 3000 x %.4f ms (fit on n=%d and n=%d)"
                     % (side, fixed, per_vm, n, h))
    else:
        # the two polls differ by less than the noise: no fit, the average bounds it
        at = 3000 * a / n
        forms.append("%s: 3000 x cost(n)/n = 3000 x %.4f ms (n=%d; the fit on n=%d, %d was within noise)"
                     % (side, a / n, n, n, h))
    print("%s_ms_at_3000=%.1f" % (side, at))
print("formula=" + "; ".join(forms))
PY
