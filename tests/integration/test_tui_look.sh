#!/bin/sh
# test_tui_look.sh — ASCII fallback outside UTF-8 locales, NO_COLOR, themes
# and key remapping from keys.lua.
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/tui_lib.sh
tui_setup

# C locale + NO_COLOR: ASCII glyphs only.
TUI_ENV="LANG=C LC_ALL=C NO_COLOR=1" tui_start 120 40 --demo=2x6
check "C locale: ASCII sort arrow" 'HOST\^'
check "NO_COLOR selects the mono theme" 'mono \(NO_COLOR\)'
keys Enter
check "C locale: ASCII box corners in the NUMA map" '^\+[- ]+node 0'
if screen | LC_ALL=C grep -q "$(printf '\342')"; then bad "no UTF-8 bytes on an ASCII screen" "$(screen)"; else ok "no UTF-8 bytes on an ASCII screen"; fi
keys q
wait_file "$TMP/rc" 10
tmux -L "$SOCK" kill-server 2>/dev/null

# A theme by name, and a missing one reported but harmless.
SOCK=$SOCK-2
TUI_ENV="LANG=C.UTF-8" tui_start 120 40 --demo=2x6 --theme light
check "--theme light is used" '\| light *$'
keys :
literal 'theme nosuch'
keys Enter
check ":theme with an unknown name says so" "theme 'nosuch' not found"
keys q
wait_file "$TMP/rc" 10
tmux -L "$SOCK" kill-server 2>/dev/null

# keys.lua: quit on x, filter on f; q no longer quits.
mkdir -p "$XDG_CONFIG_HOME/vdeck"
printf 'return { quit = "x", filter = "f" }\n' > "$XDG_CONFIG_HOME/vdeck/keys.lua"
SOCK=$SOCK-3
TUI_ENV="LANG=C.UTF-8" tui_start 120 40 --demo=2x6
check "starts with keys.lua" 'cna02'
keys f
check "remapped filter key opens the filter prompt" '^/'
keys Escape
keys q
sleep 0.5
if [ -f "$TMP/rc" ]; then bad "q no longer quits after remapping"; else ok "q no longer quits after remapping"; fi
keys x
if wait_file "$TMP/rc" 10 && [ "$(cat "$TMP/rc")" = 0 ]; then ok "x quits (remapped)"; else bad "x quits" "$(screen)"; fi
tmux -L "$SOCK" kill-server 2>/dev/null

# A broken keys.lua is reported, not fatal.
printf 'return { quit = \n' > "$XDG_CONFIG_HOME/vdeck/keys.lua"
SOCK=$SOCK-4
TUI_ENV="LANG=C.UTF-8" tui_start 120 40 --demo=2x6
check "a broken keys.lua is reported on the status line" 'keys: .*keys.lua'
keys q
if wait_file "$TMP/rc" 10 && [ "$(cat "$TMP/rc")" = 0 ]; then ok "defaults still work"; else bad "defaults after a broken keys.lua"; fi
tmux -L "$SOCK" kill-server 2>/dev/null

# Keys remapped from the inventory: defaults { keys = { quit = "z" } }.
rm -f "$XDG_CONFIG_HOME/vdeck/keys.lua"
printf 'defaults { keys = { quit = "z" } }\nhost { name = "solo", transport = "none", libvirt = "test:///default" }\n' > "$TMP/inv.lua"
SOCK=$SOCK-5
TUI_ENV="LANG=C.UTF-8" tui_start 120 40 -c "$TMP/inv.lua"
check "starts with the inventory" 'solo'
keys q
sleep 0.5
if [ -f "$TMP/rc" ]; then bad "q no longer quits (inventory keys)"; else ok "q no longer quits (inventory keys)"; fi
keys z
if wait_file "$TMP/rc" 10 && [ "$(cat "$TMP/rc")" = 0 ]; then ok "z quits (remapped in the inventory)"; else bad "z quits" "$(screen)"; fi
tui_summary
