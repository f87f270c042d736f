-- vdeck-args: -c @FIXTURES@/inventory/sriov.lua
-- SR-IOV inventory (issue 15): hv-s reads the sysroot-sriov tree (PF ens1f0
-- with four VFs, ens1f1 with none) over the local transport; nfv-edge holds
-- VF 0000:3b:02.1.  Interrupts per NIC and per queue from the tree's
-- /proc/interrupts.
local t = require "lib.t"
local vd = require "vdeck"

local h = vd.host("hv-s")
local s = h:sriov()
t.eq(#s.pfs, 2, "two PFs")
local pf = s.pfs[1]
t.eq(pf.name, "ens1f0", "ens1f0 first")
t.eq(pf.address, "0000:3b:00.0", "its PCI address")
t.eq(pf.totalvfs, 64, "sriov_totalvfs")
t.eq(pf.numvfs, 4, "sriov_numvfs")
t.eq(#pf.vfs, 4, "four virtfn links")
t.eq(pf.vfs[2].address, "0000:3b:02.1", "VF 1's address")
t.eq(pf.vfs[2].vm, "nfv-edge", "VF 1 is passed to nfv-edge")
t.eq(pf.vfs[2].vm_mac, "52:54:00:6b:3c:05", "as its NIC with that MAC")
t.eq(pf.vfs[1].netdev, "ens1f0v0", "VF 0 is a host interface")
t.eq(pf.vfs[3].vm, nil, "VF 2 is nobody's")
t.eq(pf.free, 1, "one free VF: 2 (0 and 3 are host interfaces, 1 is nfv-edge's)")
t.eq(s.pfs[2].numvfs, 0, "ens1f1 has no VFs enabled")
t.eq(s.ovs, nil, "no OVS on a local sysroot host")

local all = vd.sriov()
t.eq(#all, 4, "vdeck.sriov: one row per PF per host")
t.eq(all[1].host, "hv-s", "host")
t.eq(all[1].pf, "ens1f0", "pf")
t.eq(all[1].vfs, 4, "vfs")
t.eq(all[1].free, 1, "free")
t.eq(all[1].free_vfs[1], "0000:3b:02.2", "which one")
t.eq(all[3].host, "hv-t", "the second host")
t.eq(all[3].free, 2, "where nobody holds VF 1")

local nics = {}
for _, n in ipairs(h:nics()) do nics[n.name] = n end
t.eq(nics.ens1f0.irq_queues, 5, "ens1f0: four TxRx queues and its misc vector")
t.eq(nics.ens1f0.irqs, 913422 + 884210 + 902331 + 877609, "their interrupts")
t.eq(nics.ens1f0.device, "0000:3b:00.0", "its device")
t.eq(nics.ens1f0v0.irq_queues, 1, "the VF's queue (iavf-ens1f0v0-TxRx-0)")
-- per queue: name, short label, IRQ number, count, interrupts/s
local q = nics.ens1f0.queues
t.eq(#q, 5, "ens1f0: five queue interrupts listed")
t.eq(q[1].name, "ens1f0", "the misc vector (IRQ 120) first")
t.eq(q[1].label, "misc", "labelled misc")
t.eq(q[2].name, "ens1f0-TxRx-0", "then queue 0")
t.eq(q[2].label, "TxRx-0", "labelled TxRx-0")
t.eq(q[2].irq, 121, "its IRQ")
t.eq(q[2].irqs, 913422, "its count")
t.eq(q[5].irqs, 877609, "queue 3's count")
h:refresh()
for _, n in ipairs(h:nics()) do nics[n.name] = n end
t.eq(nics.ens1f0.queues[2].irq_per_s, 0, "a rate once two polls saw it (the tree does not move)")
t.eq(nics.ens1f0v0.queues[1].label, "TxRx-0", "the VF's queue")
t.eq(nics.ens1f0v3.queues, nil, "no queues for a VF without interrupts")
t.done()
