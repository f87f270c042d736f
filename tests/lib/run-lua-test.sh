#!/bin/sh
# run-lua-test.sh BINARY FILE — runs one Lua test through the real vdeck.
# The test's first line may be "-- vdeck-args: ARGS" (default --demo=4x40);
# @FIXTURES@ in ARGS is replaced by the absolute tests/fixtures path.
# LUA_PATH lets tests `require "lib.t"`.
bin=$1 file=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
args=$(sed -n '1s/^-- vdeck-args: //p' "$file")
[ -n "$args" ] || args="--demo=4x40"
args=$(echo "$args" | sed "s|@FIXTURES@|$root/tests/fixtures|g")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run"
export LUA_PATH="$root/tests/lua/?.lua;;" VDECK_TEST_FIXTURES="$root/tests/fixtures" VDECK_TEST_TMP="$tmp"
# shellcheck disable=SC2086
exec timeout 120 "$bin" $args --no-lock --exec "$file"
