#!/bin/sh
# sshd.sh — a private OpenSSH sshd on 127.0.0.1 for tests.
#
# Sourced:  . tests/lib/sshd.sh; sshd_start (77: skip, other: fail); ...; sshd_stop
#   sshd_start exports SSHD_DIR, SSHD_PORT, SSHD_PID, SSHD_USER, SSHD_KEY
#   (private user key), SSHD_HOST_PUB (server's public key file),
#   SSHD_KNOWN_HOSTS (holds "[127.0.0.1]:PORT ssh-ed25519 ..."), and
#   SSHD_AGENT_SOCK / SSHD_AGENT_PID (an ssh-agent holding SSHD_KEY; empty
#   when ssh-agent is missing).  It installs an EXIT trap calling sshd_stop
#   unless SSHD_NO_TRAP is set.  Returns 77 when sshd cannot run here,
#   saying why on stderr (the caller prints its SKIP line).
# Run:      sh tests/lib/sshd.sh start    prints those variables as K=V lines;
#           the daemon stays (bounded by `timeout`, SSHD_LIFETIME s, default 300)
#           sh tests/lib/sshd.sh stop DIR
#
# SSHD_EXTRA_CONFIG: lines appended to the generated sshd_config (e.g.
# "SetEnv OVS_RUNDIR=..." so logins reach a lab Open vSwitch).
# Logins use a dedicated user (vdeck-test, /bin/sh) when run as root: root's
# own shell start-up on this image costs ~0.5 s per command.

SSHD_BIN=${SSHD_BIN:-/usr/sbin/sshd}
SSHD_TEST_USER=${SSHD_TEST_USER:-vdeck-test}

sshd__listening() { # port -> 0 when 127.0.0.1:port is in LISTEN state
	_hex=$(printf '%04X' "$1")
	grep -q "^ *[0-9]*: 0100007F:$_hex 00000000:0000 0A" /proc/net/tcp 2>/dev/null
}

sshd__alive() { # pid -> 0 when running (a zombie left to PID 1 counts as gone)
	[ -r "/proc/$1/stat" ] && ! grep -q ') Z ' "/proc/$1/stat" 2>/dev/null
}

sshd__user() {
	if [ "$(id -u)" != 0 ]; then
		SSHD_USER=$(id -un)
		return 0
	fi
	if ! id "$SSHD_TEST_USER" >/dev/null 2>&1; then
		useradd -r -m -d "/var/lib/$SSHD_TEST_USER" -s /bin/sh "$SSHD_TEST_USER" 2>/dev/null ||
			id "$SSHD_TEST_USER" >/dev/null 2>&1 || return 1
	fi
	# sshd without PAM refuses "locked" accounts (password field "!...").
	case $(getent shadow "$SSHD_TEST_USER" | cut -d: -f2) in
	'!'*) usermod -p '*' "$SSHD_TEST_USER" 2>/dev/null ;;
	esac
	SSHD_USER=$SSHD_TEST_USER
}

sshd__config() { # dir port
	cat >"$1/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $2
HostKey $1/host_ed25519
PidFile none
AuthorizedKeysFile $1/authorized_keys
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
MaxStartups 200:30:400
MaxSessions 200
PrintMotd no
LogLevel VERBOSE
${SSHD_EXTRA_CONFIG:-}
CONF
}

sshd_start() {
	[ -x "$SSHD_BIN" ] && command -v ssh-keygen >/dev/null || { echo "sshd.sh: $SSHD_BIN or ssh-keygen missing (openssh-server, openssh-client)" >&2; return 77; }
	sshd__user || { echo "sshd.sh: cannot create the test user $SSHD_TEST_USER" >&2; return 77; }
	[ "$(id -u)" = 0 ] && mkdir -p /run/sshd
	SSHD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vdeck-sshd.XXXXXX") || return 1
	chmod 755 "$SSHD_DIR"
	ssh-keygen -q -t ed25519 -N '' -C vdeck-test-host -f "$SSHD_DIR/host_ed25519" || return 1
	ssh-keygen -q -t ed25519 -N '' -C vdeck-test-user -f "$SSHD_DIR/user_ed25519" || return 1
	cp "$SSHD_DIR/user_ed25519.pub" "$SSHD_DIR/authorized_keys"
	chmod 644 "$SSHD_DIR/authorized_keys"
	SSHD_KEY=$SSHD_DIR/user_ed25519
	SSHD_HOST_PUB=$SSHD_DIR/host_ed25519.pub
	SSHD_PID=
	for _try in 1 2 3 4 5 6 7 8; do
		SSHD_PORT=$(( $(od -An -N2 -tu2 /dev/urandom) % 30000 + 20000 ))
		sshd__listening "$SSHD_PORT" && continue
		sshd__config "$SSHD_DIR" "$SSHD_PORT"
		timeout "${SSHD_LIFETIME:-300}" "$SSHD_BIN" -D -f "$SSHD_DIR/sshd_config" \
			-E "$SSHD_DIR/sshd.log" </dev/null >/dev/null 2>&1 &
		SSHD_PID=$!
		_i=0
		while [ $_i -lt 50 ]; do
			sshd__listening "$SSHD_PORT" && break
			sshd__alive "$SSHD_PID" || break
			sleep 0.1
			_i=$((_i + 1))
		done
		sshd__listening "$SSHD_PORT" && sshd__alive "$SSHD_PID" && break
		kill "$SSHD_PID" 2>/dev/null
		SSHD_PID=
	done
	if [ -z "$SSHD_PID" ]; then
		echo "sshd did not start; log:" >&2
		cat "$SSHD_DIR/sshd.log" >&2 2>/dev/null
		rm -rf "$SSHD_DIR"
		return 1
	fi
	echo "$SSHD_PID" >"$SSHD_DIR/harness.pid"
	SSHD_KNOWN_HOSTS=$SSHD_DIR/known_hosts
	printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(cut -d' ' -f1,2 "$SSHD_HOST_PUB")" >"$SSHD_KNOWN_HOSTS"
	SSHD_AGENT_SOCK= SSHD_AGENT_PID=
	if command -v ssh-agent >/dev/null && command -v ssh-add >/dev/null; then
		SSHD_AGENT_PID=$(ssh-agent -s -a "$SSHD_DIR/agent.sock" | sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p')
		if [ -n "$SSHD_AGENT_PID" ] && SSH_AUTH_SOCK=$SSHD_DIR/agent.sock ssh-add -q "$SSHD_KEY" 2>/dev/null; then
			SSHD_AGENT_SOCK=$SSHD_DIR/agent.sock
			echo "$SSHD_AGENT_PID" >"$SSHD_DIR/agent.pid"
		else
			[ -n "$SSHD_AGENT_PID" ] && kill "$SSHD_AGENT_PID" 2>/dev/null
			SSHD_AGENT_PID=
		fi
	fi
	export SSHD_DIR SSHD_PORT SSHD_PID SSHD_USER SSHD_KEY SSHD_HOST_PUB SSHD_KNOWN_HOSTS \
		SSHD_AGENT_SOCK SSHD_AGENT_PID
	[ -z "$SSHD_NO_TRAP" ] && trap sshd_stop EXIT
	return 0
}

sshd_stop() { # [dir]
	_dir=${1:-$SSHD_DIR}
	[ -n "$_dir" ] && [ -d "$_dir" ] || return 0
	for _f in harness.pid agent.pid; do
		[ -f "$_dir/$_f" ] || continue
		_pid=$(cat "$_dir/$_f")
		case $_pid in ''|*[!0-9]*) continue ;; esac
		kill "$_pid" 2>/dev/null
		_i=0
		while sshd__alive "$_pid" && [ $_i -lt 30 ]; do sleep 0.1; _i=$((_i + 1)); done
		sshd__alive "$_pid" && kill -9 "$_pid" 2>/dev/null
	done
	case $_dir in */vdeck-sshd.*) rm -rf "$_dir" ;; esac
	[ "$_dir" = "$SSHD_DIR" ] && SSHD_DIR=
	return 0
}

# Run as a program (not sourced): start / stop for tests written in C.
case ${0##*/} in
sshd.sh)
	case $1 in
	start)
		SSHD_NO_TRAP=1
		sshd_start || exit $?
		for _v in SSHD_DIR SSHD_PORT SSHD_PID SSHD_USER SSHD_KEY SSHD_HOST_PUB \
			  SSHD_KNOWN_HOSTS SSHD_AGENT_SOCK SSHD_AGENT_PID; do
			eval "printf '%s=%s\n' $_v \"\$$_v\""
		done ;;
	stop)
		sshd_stop "$2" ;;
	*)
		echo "usage: sh sshd.sh start | stop DIR" >&2
		exit 2 ;;
	esac ;;
esac
