# tui_lib.sh — helpers for the TUI tests (sourced): a private tmux server,
# waiting on screen contents with a timeout, and pass/fail/skip counting.
# The caller sets VDECK and calls tui_setup first.  A skip passes here;
# tests/run-all.sh fails it in strict mode unless tests/allowed-skips lists
# the test.

pass=0 fail=0 skip=0
ok()   { pass=$((pass + 1)); echo "ok: $1"; }
bad()  {
	fail=$((fail + 1)); echo "FAIL: $1"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/    /'
	[ -s "$TMP/stderr" ] && { echo "  vdeck stderr:"; tail -n 30 "$TMP/stderr" | sed 's/^/    /'; }
	return 0
}
skip() { skip=$((skip + 1)); echo "SKIP $1"; }

tui_setup() {
	: "${VDECK:=./vdeck}"
	case $VDECK in /*) ;; *) VDECK=$PWD/$VDECK ;; esac
	TMP=$(mktemp -d /tmp/vdeck-tui-test.XXXXXX)
	SOCK=vdeck-test-$$
	# Own config and state dirs: no user keys.lua, history or themes leak in.
	export XDG_CONFIG_HOME=$TMP/config XDG_STATE_HOME=$TMP/state
	mkdir -p "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"
	trap tui_cleanup EXIT INT TERM
	if ! command -v tmux >/dev/null 2>&1; then
		skip "tmux is not installed"
		tui_summary
		exit $?
	fi
}

tui_cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	[ -n "$LISTENER_PID" ] && kill "$LISTENER_PID" 2>/dev/null
	rm -rf "$TMP"
}

# tui_start COLS ROWS ARGS...: runs vdeck in a fresh session; its exit
# status lands in $TMP/rc and `stty -a` after it in $TMP/stty.  Its stderr
# goes to $TMP/stderr, or with TUI_STDERR=tty to the pane, as a user has it.
tui_start() {
	cols=$1 rows=$2; shift 2
	rm -f "$TMP/rc" "$TMP/stty"
	stderr="2>'$TMP/stderr'"
	[ "${TUI_STDERR:-}" = tty ] && stderr=
	printf '%s\n' "cd '$PWD' || exit 1" \
		"'$VDECK' $* $stderr" \
		"echo \$? > '$TMP/rc.tmp'; stty -a > '$TMP/stty' 2>&1; mv '$TMP/rc.tmp' '$TMP/rc'" \
		"sleep 60" > "$TMP/run.sh"
	# A server just killed on this socket may still be going away ("server
	# exited unexpectedly"): try again shortly.
	for try in 1 2 3 4 5; do
		tmux -L "$SOCK" -f /dev/null new-session -d -x "$cols" -y "$rows" "env ${TUI_ENV:-} sh '$TMP/run.sh'" &&
			return 0
		sleep 0.3
	done
	return 1
}

screen() { tmux -L "$SOCK" capture-pane -p 2>/dev/null; }
keys()   { tmux -L "$SOCK" send-keys "$@"; }
literal() { tmux -L "$SOCK" send-keys -l "$1"; }

# wait_for REGEX [SECONDS]: 0 when the screen matches before the timeout.
wait_for() {
	deadline=$(( $(date +%s%N) / 1000000 + ${2:-10} * 1000 ))
	while [ $(( $(date +%s%N) / 1000000 )) -lt $deadline ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.05
	done
	return 1
}

# wait_gone REGEX [SECONDS]: 0 when the screen stops matching.
wait_gone() {
	deadline=$(( $(date +%s%N) / 1000000 + ${2:-10} * 1000 ))
	while [ $(( $(date +%s%N) / 1000000 )) -lt $deadline ]; do
		screen | grep -Eq -- "$1" || return 0
		sleep 0.05
	done
	return 1
}

# wait_file FILE [SECONDS]
wait_file() {
	n=0
	while [ ! -s "$1" ] && [ $n -lt $(( ${2:-10} * 20 )) ]; do sleep 0.05; n=$((n + 1)); done
	[ -s "$1" ]
}

# check NAME REGEX [SECONDS]
check() {
	if wait_for "$2" "${3:-10}"; then ok "$1"; else bad "$1" "$(screen)"; fi
}

# check_not NAME REGEX [SECONDS]: the pattern disappears (or never shows).
check_not() {
	if wait_gone "$2" "${3:-10}"; then ok "$1"; else bad "$1" "$(screen)"; fi
}

# Number of visible rows the table reports in its header ("sel/total").
table_total() { screen | sed -n '2s/.* [0-9]*\/\([0-9]*\).*/\1/p'; }

tui_summary() {
	echo "$pass passed, $fail failed, $skip skipped"
	[ $fail -eq 0 ]
}

# form_set FIELD_INDEX VALUE: edits the n-th (0-based) field of the open
# runbook form (g: first field, j: next; the value replaces what was there).
form_set() {
	keys g
	n=0
	while [ $n -lt "$1" ]; do keys j; n=$((n + 1)); done
	keys Enter
	n=0
	while [ $n -lt 16 ]; do keys BSpace; n=$((n + 1)); done
	[ -n "$2" ] && literal "$2"
	keys Enter
	sleep 0.1
}
