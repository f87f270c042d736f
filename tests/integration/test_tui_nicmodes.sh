#!/bin/sh
# test_tui_nicmodes.sh — NIC modes and SR-IOV on screen (issue 15): the VMs
# view's MODE column, the VM view's NICs (mode, queues, the VF and its PF,
# the vhost-user warning), the Host view's SR-IOV section (each VF and who
# holds it), its IRQ/s column and, under each NIC, its queues with their
# interrupts/s, from the sysroot-sriov tree and the node-sriov.xml test
# driver.
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/tui_lib.sh
tui_setup

VDECK_TEST_FIXTURES=$PWD/tests/fixtures
export VDECK_TEST_FIXTURES
TUI_ENV="LANG=C.UTF-8 VDECK_TEST_FIXTURES=$VDECK_TEST_FIXTURES" tui_start 200 60 -c tests/fixtures/inventory/sriov.lua --no-lock
check "cluster view is up" 'hv-s'
keys :
literal 'vms'
keys Enter
check "VMs view has a MODE column" 'MODE'
check "nfv-edge: bridge, an SR-IOV VF and vhost-user" 'nfv-edge .*bridge\+hostdev\+vhostuser'
check "web-1: a network and an OVS port" 'web-1 .*network\+ovs\+vhostuser'
keys :
literal 'vm nfv-edge'
keys Enter
check "the VF with its PF" 'hostdev .*VF 0000:3b:02\.1 of ens1f0'
check "multiqueue" 'bridge +virtio +4 '
check "vhost-user without shared memory is a warning" "warning: vhost-user NIC 52:54:00:6b:3c:06 needs shared"
keys Escape
keys :
literal 'host hv-s'
keys Enter
check "host view has IRQ/s" 'IRQ/s'
check "each queue's interrupts/s under its NIC" '^ *queues +misc [0-9.k]+ +TxRx-0 [0-9.k]+ +TxRx-1 [0-9.k]+ +TxRx-2 [0-9.k]+ +TxRx-3 [0-9.k]+ *$'
check "the VF's queue" '^ *queues +TxRx-0 [0-9.k]+ *$'
check "SR-IOV section" '^ *SR-IOV'
check "the PF and its free VF" 'ens1f0 +0000:3b:00\.0 +4 of 64 VFs enabled, 1 free'
check "VF 1 is held by nfv-edge" 'vf 1 +0000:3b:02\.1 .*VM nfv-edge'
check "VF 0 is a host interface" 'vf 0 +0000:3b:02\.0 .*host ens1f0v0'
keys q
if wait_file "$TMP/rc" 10 && [ "$(cat "$TMP/rc")" = 0 ]; then ok "q exits 0"; else bad "q exits 0"; fi
tui_summary
