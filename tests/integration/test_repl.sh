#!/bin/sh
# test_repl.sh — the readline Lua shell: values printed, multi-line input,
# history saved, Tab completion of the API (driven in tmux like a person).
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/harness.sh"
VDECK=${VDECK:-$root/vdeck}
tmp=$(mktemp -d)
sock="vdeck-repl-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run"

out=$(printf 'return 1 + 2\nlocal t = {\n  a = 1 }\nreturn #vdeck.hosts()\nx = vdeck.domain("nope")\n' |
	"$VDECK" --demo=2x4 --repl 2>&1)
# whole lines: the echoed input holds the digits too
echo "$out" | grep -qxF 3 && ok "expression value printed" || fail "expression value printed" "$out"
contains "multi-line chunk accepted" "$out" ">> "
echo "$out" | grep -qxF 2 && ok "host count" || fail "host count" "$out"
contains "errors printed, shell continues" "$out" "error: domain: nope: no such domain"
[ -s "$tmp/state/vdeck/history" ] && ok "history file written" || fail "history file written"
contains "history holds the multi-line chunk" "$(cat "$tmp/state/vdeck/history" 2>/dev/null)" "a = 1 }"

if ! command -v tmux >/dev/null; then
	skip "tmux missing: completion not tested"
	finish; exit $?
fi
tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 30 \
	"env XDG_STATE_HOME=$tmp/state XDG_RUNTIME_DIR=$tmp/run $VDECK --demo=2x4 --repl"
wait_for() { # wait_for TEXT: polls the pane up to 10 s
	i=0
	while [ $i -lt 100 ]; do
		tmux -L "$sock" capture-pane -p | grep -qF -- "$1" && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
check "prompt appears" wait_for "vdeck>"
sleep 0.5; tmux -L "$sock" send-keys "vdeck.ho"; sleep 0.2; tmux -L "$sock" send-keys Tab; sleep 0.3; tmux -L "$sock" send-keys Tab
check "Tab completes module functions (host, hosts)" wait_for "vdeck.hosts"
tmux -L "$sock" send-keys C-u "h = vdeck.host('cna01')" Enter "h:nu" Tab
check "Tab completes methods after ':'" wait_for "h:numa"
tmux -L "$sock" send-keys "()[1].id" Enter
check "method call prints its value" wait_for "0"
tmux -L "$sock" send-keys C-d
i=0; while tmux -L "$sock" has-session 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
tmux -L "$sock" has-session 2>/dev/null && fail "Ctrl-D leaves the REPL" || ok "Ctrl-D leaves the REPL"
finish
