#!/bin/sh
# test_storage_scale.sh — storage at the seed's full scale: runs
# storage_scale.lua through the real binary on --demo=128x3000 (datastores
# shared by groups of hosts, thin figures, linked clones in the backing
# index; see that file).
cd "$(dirname "$0")/../.." || exit 2
exec sh tests/lib/run-lua-test.sh "${VDECK:-./vdeck}" tests/integration/storage_scale.lua
