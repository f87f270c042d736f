#!/bin/sh
# test_host_text.sh — text from a host never reaches the terminal raw.
# A host's kernel release holds an OSC (retitle) and a CSI (clear screen),
# a NIC name an OSC, a VM name an 8-bit CSI, DEL and NEL: --check, print,
# the REPL, ctx.log, errors and dry-run text show them as visible escapes;
# --json keeps the exact strings (escaped); the console does not retitle.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
VDECK=${VDECK:-$root/vdeck}
tmp=$(mktemp -d)
sock=vdeck-host-text-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run"
unset VDECK_CONFIG

# The host: a sysroot whose osrelease and one NIC name carry escapes.
mkdir -p "$tmp/root/proc/sys/kernel"
printf '\033]0;pwned\007\033[2J6.1.0-evil\n' > "$tmp/root/proc/sys/kernel/osrelease"
nic="$tmp/root/sys/class/net/$(printf 'e\033]2;pwned\007x')"
mkdir -p "$nic/statistics"
echo up > "$nic/operstate"
for f in rx_bytes tx_bytes rx_packets tx_packets; do echo 100 > "$nic/statistics/$f"; done
cat > "$tmp/cluster.lua" <<LUA
host { name = "hv-x", transport = "local", sysroot = "$tmp/root",
       libvirt = "test://$root/tests/fixtures/libvirt/node-hostile.xml" }
LUA
evil='vdeck.domains("evil*")[1]'

# raw_controls FILE: how many C0 controls (but \n, \t), DEL and C1 (UTF-8 or raw byte) it holds.
raw_controls() {
	python3 -c '
import sys
s = open(sys.argv[1], "rb").read().decode("utf-8", "surrogateescape")   # a raw byte 0xNN: U+DCNN
print(sum(1 for c in s if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f
          or 0xdc80 <= ord(c) <= 0xdc9f))' "$1"
}
no_raw() { # NAME FILE NEEDLE: FILE has no raw control and shows NEEDLE
	n=$(raw_controls "$2")
	if [ "$n" = 0 ]; then ok "$1: no raw control"; else fail "$1: no raw control" "$n found: $(od -c "$2" | head -5)"; fi
	contains "$1: shown escaped" "$(cat "$2")" "$3"
}

"$VDECK" -c "$tmp/cluster.lua" --check > "$tmp/check" 2>&1
no_raw "--check kernel" "$tmp/check" '\x1b]0;pwned\x07\x1b[2J6.1.0-evil'

"$VDECK" -c "$tmp/cluster.lua" -e "print($evil.name)" > "$tmp/print" 2>&1
no_raw "print of a VM name" "$tmp/print" 'evil\u009b2J\x7f\u0085x'
"$VDECK" -c "$tmp/cluster.lua" -e 'for _, n in ipairs(vdeck.host("hv-x"):nics()) do print(n.name) end' > "$tmp/nics" 2>&1
no_raw "print of a NIC name" "$tmp/nics" 'e\x1b]2;pwned\x07x'
"$VDECK" -c "$tmp/cluster.lua" -e "error($evil.name)" > "$tmp/error" 2>&1
no_raw "an error quoting it" "$tmp/error" 'evil\u009b2J'
printf 'return vdeck.runbook{ name = "t", run = function(ctx) ctx.log(%s.name) end }\n' "$evil" > "$tmp/rb.lua"
"$VDECK" -c "$tmp/cluster.lua" --exec "$tmp/rb.lua" > "$tmp/log" 2>&1
no_raw "ctx.log" "$tmp/log" 'evil\u009b2J'
printf '%s.name\n' "$evil" | "$VDECK" -c "$tmp/cluster.lua" --repl > "$tmp/repl" 2>&1
no_raw "REPL result" "$tmp/repl" 'evil\u009b2J'
"$VDECK" -c "$tmp/cluster.lua" --dry-run -e "$evil:set_vcpus(2)" > "$tmp/dry" 2>&1
no_raw "dry-run text" "$tmp/dry" 'on hv-x/evil\u009b2J\x7f\u0085x'

# --json: escaped, and the exact name when parsed back.
"$VDECK" -c "$tmp/cluster.lua" --json -e "vdeck.emit{ name = $evil.name }" > "$tmp/json" 2>&1
n=$(raw_controls "$tmp/json")
[ "$n" = 0 ] && ok "--json: no raw control" || fail "--json: no raw control" "$(od -c "$tmp/json" | head)"
got=$(python3 -c 'import json, sys; print(ascii(json.loads(open(sys.argv[1]).read())["name"]))' "$tmp/json" 2>&1)
[ "$got" = "'evil\\x9b2J\\x7f\\x85x'" ] && ok "--json keeps the exact name" || fail "--json keeps the exact name" "$got"

# The console: the NIC row shows the escape, the pane keeps its title.
if command -v tmux >/dev/null 2>&1; then
	tmux -L "$sock" -f /dev/null new-session -d -x 160 -y 40 \
		"env LANG=C.UTF-8 '$VDECK' -c '$tmp/cluster.lua' 2>'$tmp/tui.err'; sleep 30"
	title=$(tmux -L "$sock" display -p '#{pane_title}')
	shown=""
	for i in $(seq 100); do
		tmux -L "$sock" capture-pane -p | grep -q 'hv-x  *up' && break
		sleep 0.1
	done
	tmux -L "$sock" send-keys Enter
	for i in $(seq 100); do
		shown=$(tmux -L "$sock" capture-pane -p | grep -F 'e\x1b]2;pwned\x07x') && break
		sleep 0.1
	done
	[ -n "$shown" ] && ok "console shows the NIC name escaped" ||
		fail "console shows the NIC name escaped" "$(tmux -L "$sock" capture-pane -p | head -30)"
	now=$(tmux -L "$sock" display -p '#{pane_title}')
	[ "$now" = "$title" ] && [ "$now" != pwned ] && ok "console keeps the pane title ($now)" ||
		fail "console keeps the pane title" "was '$title', now '$now'"
	tmux -L "$sock" kill-server 2>/dev/null
else
	skip "tmux is not installed"
fi
finish
