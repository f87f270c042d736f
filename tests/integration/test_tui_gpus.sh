#!/bin/sh
# test_tui_gpus.sh — the Host view's GPU section: vGPU types with their free
# instances, and each mdev with the VM that holds it.
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/tui_lib.sh
tui_setup

TUI_ENV="LANG=C.UTF-8" tui_start 160 100 --demo
check "cluster view is up" 'cna08'
keys :
literal 'host cna01'
keys Enter
check "host view of cna01" '^cna01 +up'
check "GPU section" '^GPUs'
check "the GPU with its PCI address and NUMA node" '0000:3b:00\.0 .*NUMA node'
check "vGPU types with free instances" 'nvidia-63 +GRID P40-2Q +vfio-pci +free [0-9]+'
check "an mdev and the VM using it" 'mdev [0-9a-f-]{36} +nvidia-63 +on 0000:3b:00\.0 +VM vdi-'
keys :
literal 'host cna02'
keys Enter
check "host view of cna02" '^cna02 +up'
check_not "a host without GPUs has no GPU section" '^GPUs'
keys q
if wait_file "$TMP/rc" 10 && [ "$(cat "$TMP/rc")" = 0 ]; then ok "q exits 0"; else bad "q exits 0"; fi
tui_summary
