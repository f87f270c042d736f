# lab-common.sh — shared plumbing for the lab harnesses (POSIX sh, sourced).
#
# One lab per test script: a private temporary directory (LAB_ROOT), a short
# random id (LAB_ID) that names the network namespaces and veths it creates,
# and a cleanup stack run by lab_cleanup (installed by lab_init as an EXIT /
# INT / TERM trap).  Every daemon is stopped by PID, every namespace deleted.
# Also: bounded polling (lab_wait), PID stopping (lab_kill_pid), network
# namespaces and veth pairs, and tiny pass/fail counters that end in the
# project's "N passed, N failed, N skipped" line.
#
# A test with its own EXIT trap must call lab_cleanup from it.
# Sourcing: set LAB_LIB to this directory first, or let the harnesses guess
# it as "$(dirname "$0")/../lib" (right for tests/integration/*.sh).
# Exported variables: LAB_ROOT LAB_ID LAB_PASS LAB_FAIL LAB_SKIP
# Functions: lab_init lab_cleanup lab_defer lab_log lab_now lab_elapsed
#   lab_wait SECS CMD... / lab_kill_pid PID [SECS] / lab_netns_add NAME
#   lab_netns NAME (prints the real namespace name) / lab_netns_exec NAME CMD...
#   lab_veth_pair NS_A IF_A NS_B IF_B / lab_netns_uplink NAME [ADDR_ROOT/LEN ADDR_NS/LEN]
#   lab_pass MSG / lab_fail MSG / lab_skip MSG / lab_check MSG CMD... / lab_summary
#   lab_tap_results FILE (a vdeck script's "ok - " / "not ok - " lines counted)
#   lab_have CMD... (all commands present)

[ -n "${LAB_COMMON_LOADED:-}" ] && return 0
LAB_COMMON_LOADED=1

LAB_PASS=0
LAB_FAIL=0
LAB_SKIP=0
LAB_DEFERRED=""
LAB_NETNS_LIST=""
LAB_ROOT_LINKS=""
LAB_CLEANED=""

lab_log() {
	printf '# %s\n' "$*" >&2
}

lab_now() {
	date +%s.%N
}

# lab_elapsed START: seconds since START (from lab_now), one decimal.
lab_elapsed() {
	echo "$(date +%s.%N) $1" | awk '{printf "%.1f", $1 - $2}'
}

lab_have() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || return 1
	done
	return 0
}

# lab_init [TAG]: make LAB_ROOT and LAB_ID, install the cleanup traps.
lab_init() {
	[ -n "${LAB_ROOT:-}" ] && return 0
	LAB_ROOT=$(mktemp -d "/tmp/vdl-${1:-lab}.XXXXXX") || return 1
	chmod 755 "$LAB_ROOT"
	# five characters, [a-z0-9]: names namespaces and veths (IFNAMSIZ 15).
	LAB_ID=$(od -An -N4 -tu4 /dev/urandom | awk '{
		s = ""; n = $1; c = "abcdefghijklmnopqrstuvwxyz0123456789";
		for (i = 0; i < 5; i++) { s = s substr(c, n % 36 + 1, 1); n = int(n / 36) }
		print s }')
	export LAB_ROOT LAB_ID
	trap 'lab_cleanup' EXIT
	trap 'lab_cleanup; trap - EXIT; exit 130' INT
	trap 'lab_cleanup; trap - EXIT; exit 143' TERM
	trap 'lab_cleanup; trap - EXIT; exit 129' HUP
}

# lab_defer CMD: run CMD (a string) at cleanup, newest first.
lab_defer() {
	LAB_DEFERRED="$1
$LAB_DEFERRED"
}

lab_cleanup() {
	local old_ifs cmd l ns p
	[ -n "$LAB_CLEANED" ] && return 0
	LAB_CLEANED=1
	old_ifs=$IFS
	IFS='
'
	for cmd in $LAB_DEFERRED; do
		IFS=$old_ifs
		[ -n "$cmd" ] && eval "$cmd" >/dev/null 2>&1
		IFS='
'
	done
	IFS=$old_ifs
	for l in $LAB_ROOT_LINKS; do
		timeout 10 ip link del "$l" >/dev/null 2>&1
	done
	for ns in $LAB_NETNS_LIST; do
		# anything still running in the namespace dies with it
		for p in $(timeout 10 ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		timeout 10 ip netns del "$ns" >/dev/null 2>&1
	done
	if [ -n "${LAB_ROOT:-}" ] && [ -d "$LAB_ROOT" ]; then
		if [ -n "${LAB_KEEP:-}" ]; then
			lab_log "LAB_KEEP set: leaving $LAB_ROOT"
		else
			rm -rf "$LAB_ROOT"
		fi
	fi
	return 0
}

# lab_wait SECS CMD...: retry CMD every 0.1 s until it succeeds or SECS pass.
lab_wait() {
	local deadline
	deadline=$(( $(date +%s) + $1 ))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

lab_pid_alive() {
	local st
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
	# a zombie (reaped later by PID 1 or by us) is not alive
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
	[ "$st" != Z ]
}

lab_pid_gone() {
	! lab_pid_alive "$1"
}

# lab_kill_pid PID [SECS]: SIGTERM, wait up to SECS (default 5), then SIGKILL.
lab_kill_pid() {
	[ -n "$1" ] || return 0
	lab_pid_alive "$1" || return 0
	kill -TERM "$1" 2>/dev/null
	lab_wait "${2:-5}" lab_pid_gone "$1" && return 0
	kill -KILL "$1" 2>/dev/null
	lab_wait 3 lab_pid_gone "$1"
	return 0
}

# lab_netns NAME: the real namespace name for lab-local NAME.
lab_netns() {
	echo "vdl-$LAB_ID-$1"
}

lab_netns_add() {
	_ns=$(lab_netns "$1")
	timeout 10 ip netns add "$_ns" || return 1
	LAB_NETNS_LIST="$_ns $LAB_NETNS_LIST"
	timeout 10 ip -n "$_ns" link set lo up
}

lab_netns_exec() {
	_ns=$(lab_netns "$1")
	shift
	ip netns exec "$_ns" "$@"
}

# lab_veth_pair NS_A IF_A NS_B IF_B: a veth pair with one end in each lab
# namespace, both up.  The ends vanish with their namespaces.
lab_veth_pair() {
	_na=$(lab_netns "$1") _nb=$(lab_netns "$3")
	timeout 10 ip link add "$2" netns "$_na" type veth peer name "$4" netns "$_nb" || return 1
	timeout 10 ip -n "$_na" link set "$2" up && timeout 10 ip -n "$_nb" link set "$4" up
}

# lab_netns_uplink NAME [ROOT_ADDR/LEN NS_ADDR/LEN]: a veth from the root
# namespace into lab namespace NAME (there called "uplink") so root-side
# clients (vdeck, ssh) can reach daemons inside.  Without addresses, a random
# 10.X.Y.0/30 is used.  Exports LAB_UPLINK_ROOT_NAME and LAB_UPLINK_ADDR_NAME
# (the root-side and namespace-side addresses, without /LEN).
lab_netns_uplink() {
	local ns r a b n
	ns=$(lab_netns "$1")
	r=$(echo "vr${LAB_ID}$1" | tr -cd 'A-Za-z0-9' | cut -c1-15)
	a=${2:-} b=${3:-}
	if [ -z "$a" ]; then
		n=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
		a="10.$((100 + n % 100)).$((n / 100 % 256)).$((n / 25600 % 64 * 4 + 1))/30"
		b="${a%.*/30}.$((n / 25600 % 64 * 4 + 2))/30"
	fi
	timeout 10 ip link add "$r" type veth peer name uplink netns "$ns" || return 1
	LAB_ROOT_LINKS="$r $LAB_ROOT_LINKS"
	timeout 10 ip addr add "$a" dev "$r" && timeout 10 ip link set "$r" up &&
	timeout 10 ip -n "$ns" addr add "$b" dev uplink && timeout 10 ip -n "$ns" link set uplink up || return 1
	eval "LAB_UPLINK_ROOT_$1=\${a%/*} LAB_UPLINK_ADDR_$1=\${b%/*}"
	export "LAB_UPLINK_ROOT_$1" "LAB_UPLINK_ADDR_$1"
}

lab_pass() {
	LAB_PASS=$((LAB_PASS + 1))
	echo "ok - $*"
}

lab_fail() {
	LAB_FAIL=$((LAB_FAIL + 1))
	echo "FAIL - $*"
}

lab_skip() {
	LAB_SKIP=$((LAB_SKIP + 1))
	echo "SKIP $*"
}

# lab_check MSG CMD...: pass if CMD succeeds; on failure show its output.
lab_check() {
	_msg=$1
	shift
	if _out=$("$@" 2>&1); then
		lab_pass "$_msg"
	else
		lab_fail "$_msg"
		printf '%s\n' "$_out" | sed 's/^/    /' | tail -n 15
	fi
}

# A skip passes here; tests/run-all.sh fails it in strict mode unless
# tests/allowed-skips lists the test.
lab_summary() {
	echo "$LAB_PASS passed, $LAB_FAIL failed, $LAB_SKIP skipped"
	[ "$LAB_FAIL" -eq 0 ]
}

# lab_tap_results FILE — the "ok - X" / "not ok - X" lines a vdeck test
# script printed become passes and failures; other lines are shown as notes.
lab_tap_results() {
	grep -v '^ok - \|^not ok - ' "$1" | sed 's/^/# /'
	while IFS= read -r _line; do
		case $_line in
		"ok - "*) lab_pass "${_line#ok - }" ;;
		"not ok - "*) lab_fail "${_line#not ok - }" ;;
		esac
	done <"$1"
}
