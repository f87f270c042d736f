# fault-lib.sh — the shell half of the fault tests (POSIX sh, sourced after
# lab-common.sh): the test's shell breaks a daemon while a vdeck script
# loaded with tests/lib/fault_watch.lua watches; they take turns through
# files in a marks directory.
#
#   fault_begin NAME          a fresh marks directory (FAULT_MARKS) for one fault
#   fault_mark NAME           tell the script: the file NAME
#   fault_wait_mark NAME SECS wait for the script's mark; fails (and says so) late
#   fault_fact NAME           what the script wrote with W.fact(NAME, ...)
#   fault_vdeck NAME SECS ARGS...  vdeck ARGS in the background, bounded by SECS
#                             (FAULT_VPID; output in $LAB_ROOT/NAME.out)
#   fault_vdeck_end NAME      waits for it (FAULT_RC), its ok/not ok lines counted
#   fault_audit_result FILE OP DOMAIN   the result of OP on DOMAIN's last
#                             result record ("" when none)
#   fault_audit_count FILE OP DOMAIN RECORD  records of that kind ("started",
#                             "result") for OP on DOMAIN
# Uses VDECK (the binary) and LAB_ROOT.

FAULT_WATCH=$LAB_LIB/fault_watch.lua
export FAULT_WATCH

fault_begin() {
	FAULT_MARKS=$LAB_ROOT/marks-$1
	rm -rf "$FAULT_MARKS"
	mkdir -p "$FAULT_MARKS"
	export FAULT_MARKS
}

fault_mark() {
	date +%s.%N >"$FAULT_MARKS/$1"
}

fault_wait_mark() {
	lab_wait "$2" test -e "$FAULT_MARKS/$1" && return 0
	lab_log "no mark '$1' from the vdeck script within $2 s"
	return 1
}

fault_fact() {
	cat "$FAULT_MARKS/fact.$1" 2>/dev/null
}

fault_vdeck() {
	_fname=$1 _fsecs=$2
	shift 2
	timeout -k 5 "$_fsecs" "$VDECK" "$@" >"$LAB_ROOT/$_fname.out" 2>&1 &
	FAULT_VPID=$!
}

fault_vdeck_end() {
	wait "$FAULT_VPID"
	FAULT_RC=$?
	lab_tap_results "$LAB_ROOT/$1.out"
	[ "$FAULT_RC" = 124 ] && lab_fail "$1: vdeck ended within its bound (timeout killed it)"
	return 0
}

# The audit trail is JSON lines (src/ops/audit.c); one record per line, and
# a quoted "result": cannot occur inside a JSON string (quotes are escaped).
fault_audit_lines() {
	grep -F "\"operation\":\"$2\"" "$1" 2>/dev/null | grep -F "\"domain\":\"$3\""
}

fault_audit_result() {
	fault_audit_lines "$1" "$2" "$3" | sed -n 's/.*"result":"\([a-z-]*\)".*/\1/p' | tail -n 1
}

fault_audit_count() {
	case $4 in
	started) fault_audit_lines "$1" "$2" "$3" | grep -c '"record":"started"' ;;
	result) fault_audit_lines "$1" "$2" "$3" | grep -c '"result":"[a-z-]*"' ;;
	esac
}
