#!/bin/sh
# test_sriov_ssh.sh — the SR-IOV inventory and NIC interrupts over a real
# OpenSSH sshd: the poll script runs in a remote sh against the
# sysroot-sriov tree (a PF with four VFs), follows its virtfn links, finds
# the VF nfv-edge holds, and ties /proc/interrupts queues to NICs; the same
# answers as the local transport gives (tests/lua/test_sriov.lua).  The
# script also asks `ip -d link show dev ens1f0`: this machine has no such
# device, and that costs no error.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/sshd_test.sh"
sshd_start >/dev/null 2>"$tmp/sshd.err"; rc=$?
if [ $rc -eq 77 ]; then
	skip "sshd cannot run here: $(cat "$tmp/sshd.err")"
	finish; exit $?
elif [ $rc -ne 0 ]; then
	fail "sshd_start" "exit $rc: $(cat "$tmp/sshd.err")"
	finish; exit $?
fi
cp -R "$root/tests/fixtures/sysroot-sriov" "$tmp/sriov"
chmod -R a+rX "$tmp"
cp "$SSHD_KEY" "$tmp/id" && chmod 600 "$tmp/id"
cat > "$tmp/cluster.lua" <<LUA
defaults { ssh = { user = "$SSHD_USER", port = $SSHD_PORT, identity = "$tmp/id",
                   known_hosts = "$SSHD_KNOWN_HOSTS" }, interval = 1 }
host { name = "hv-s", address = "127.0.0.1", sysroot = "$tmp/sriov",
       libvirt = "test://$root/tests/fixtures/libvirt/node-sriov.xml" }
LUA
cat > "$tmp/check.lua" <<'LUA'
local h = vdeck.host("hv-s")
print("state", h.state, h.error)
local s = h:sriov()
local pf = s.pfs[1]
print("pfs", #s.pfs, pf.name, pf.address, pf.totalvfs, pf.numvfs, #pf.vfs, pf.free)
print("vf1", pf.vfs[2].address, pf.vfs[2].vm, pf.vfs[2].vm_mac)
print("vf0", pf.vfs[1].netdev)
local f = vdeck.sriov()[1]
print("free", f.host, f.pf, f.free, f.free_vfs[1])
for _, n in ipairs(h:nics()) do
  if n.name == "ens1f0" then print("irq", n.irq_queues, n.irqs, n.device) end
end
print("errors", #h:alerts())
LUA
"$VDECK" -c "$tmp/cluster.lua" --no-lock --exec "$tmp/check.lua" >"$tmp/out" 2>&1
out=$(cat "$tmp/out")
contains "the host is up over ssh" "$out" "state	up"
contains "PFs, addresses, VF counts and the free VF" "$out" "pfs	2	ens1f0	0000:3b:00.0	64	4	4	1"
contains "the VF nfv-edge holds, by its NIC's MAC" "$out" "vf1	0000:3b:02.1	nfv-edge	52:54:00:6b:3c:05"
contains "a VF bound to a host driver" "$out" "vf0	ens1f0v0"
contains "vdeck.sriov: free VFs per PF per host" "$out" "free	hv-s	ens1f0	1	0000:3b:02.2"
contains "interrupts tied to ens1f0's queues" "$out" "irq	5	3577572	0000:3b:00.0"
contains "no parse error from a missing ip device" "$out" "errors	0"
finish
