#!/bin/sh
# test_tui_storage.sh — the Storage view on the demo: per-host thin pools
# with allocation bars and overcommit alerts, the dir pools shared by a
# group of four hosts as one datastore each ("dir*", 4 hosts); Enter lists
# a shared datastore's golden image and the linked clones standing on it,
# Enter on a clone opens its VM view with the backing chain down to the
# golden image.
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/tui_lib.sh
tui_setup

TUI_ENV="LANG=C.UTF-8" tui_start 170 50 --demo=16x200
check "cluster view is up" 'cna16' 30
check "every host answered" '16 hosts: 16 up' 30
keys 6
check "storage view" '\[6 Storage\]'
check "a local thin pool with its bar and overcommit alert" '^  images +dir +1 +100G .*thin overcommit'
check "shared datastore of group 0: one row, four hosts" '^  shared-g0 +dir\* +4 +100G'
check "shared datastore of group 2" '^  shared-g2 +dir\* +4 '
keys End
keys Up
keys Enter
check "its detail: the golden image" '^  volume golden\.qcow2 +cna01 +qcow2 +20G +3\.0G'
check "and the clones standing on it, of several hosts" '^  vm +vdi-022 +cna02 '
keys Home
keys Enter
check "Enter on a clone opens its VM view" '^vdi-006 '
check "its disk's chain down to the golden image" '/var/lib/libvirt/shared/g0/golden\.qcow2'
keys q
if wait_file "$TMP/rc" 10 && [ "$(cat "$TMP/rc")" = 0 ]; then ok "q exits 0"; else bad "q exits 0"; fi
tui_summary
