#!/bin/sh
# libvirtd-private.sh — a private libvirtd that serves the libvirt test
# driver's `test:///ABS/PATH.xml` files to RPC clients (tests, bench).
#
# Sourced:  . tests/lib/libvirtd-private.sh
#   libvirtd_private_start    starts one daemon, waits (bounded) until it
#                             answers; exports LIBVIRTD_PRIVATE_DIR,
#                             LIBVIRTD_PRIVATE_SOCK (its read-write socket),
#                             LIBVIRTD_PRIVATE_PID.  Returns 77 when libvirtd
#                             or virsh is missing (the caller prints its SKIP).
#   libvirtd_private_uri FILE [SOCK]   prints test+unix:///FILE?socket=SOCK
#                             (FILE absolute, or "default"; SOCK defaults to
#                             $LIBVIRTD_PRIVATE_SOCK)
#   libvirtd_private_stop [DIR]        stops it by PID, removes DIR
# Run:      sh tests/lib/libvirtd-private.sh start   prints those variables as
#           K=V lines; the daemon stays (bounded by `timeout`, see below)
#           sh tests/lib/libvirtd-private.sh stop DIR
# Example:  virsh -c "$(libvirtd_private_uri /abs/host1.xml)" list --all
#
# Why it cannot clash with the lab's daemons or with another private one:
# each instance has its own directory (config, unix sockets, pidfile, log)
# and no TCP/TLS listener; and it loads no stateful driver module
# (LIBVIRT_DRIVER_DIR points at an empty directory), so it never touches the
# host's /etc/libvirt or /run/libvirt state (qemu, networks, storage, dnsmasq)
# — the test driver is built into libvirt itself.  The one shared file is
# /run/libvirt/common/system.token, which every root libvirt client shares.
# No root needed and no namespace: the lab daemons live in their own mount
# namespaces.  The sockets are 0777 in a 0755 directory, so an sshd logging
# in as another user (tests/lib/sshd.sh's vdeck-test) can forward to them.
# The test driver gives each connection its own copy of the file's state.
#
# Tunables: LIBVIRTD_PRIVATE_LIFETIME (s, default 900; 0 = unbounded) kills a
# daemon its test forgot; LIBVIRTD_PRIVATE_READY_SECS (default 15);
# LIBVIRTD_PRIVATE_EXTRA_CONFIG (lines appended to libvirtd.conf, e.g.
# "max_workers = 64").

libvirtd_private__alive() { # pid -> 0 when running (zombies count as gone)
	[ -r "/proc/$1/stat" ] && ! grep -q ') Z ' "/proc/$1/stat" 2>/dev/null
}

libvirtd_private_uri() { # FILE [SOCK]
	_f=$1
	case $_f in /*) ;; *) _f=/$_f ;; esac
	printf 'test+unix://%s?socket=%s\n' "$_f" "${2:-$LIBVIRTD_PRIVATE_SOCK}"
}

libvirtd_private__config() { # dir
	cat >"$1/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 0
unix_sock_dir = "$1/run"
unix_sock_group = "root"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0777"
unix_sock_admin_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
log_outputs = "3:file:$1/libvirtd.log"
max_clients = 1024
max_anonymous_clients = 1024
max_queued_clients = 1024
max_client_requests = 16
keepalive_interval = 5
keepalive_count = 5
${LIBVIRTD_PRIVATE_EXTRA_CONFIG:-}
CONF
	# unix_sock_group needs a group that exists; root's is 0 by name "root".
	[ "$(id -u)" = 0 ] || sed -i '/^unix_sock_group/d' "$1/libvirtd.conf"
}

libvirtd_private__ready() { # sock
	[ -S "$1" ] || return 1
	timeout 10 virsh -q -c "test+unix:///default?socket=$1" version >/dev/null 2>&1
}

libvirtd_private_start() {
	command -v libvirtd >/dev/null && command -v virsh >/dev/null || {
		echo "libvirtd-private.sh: libvirtd or virsh missing (libvirt-daemon, libvirt-clients)" >&2
		return 77
	}
	_d=$(mktemp -d "${TMPDIR:-/tmp}/vdeck-lvp.XXXXXX") || return 1
	chmod 755 "$_d"
	mkdir -p "$_d/run" "$_d/no-drivers" || return 1
	chmod 755 "$_d/run"
	libvirtd_private__config "$_d"
	_life=${LIBVIRTD_PRIVATE_LIFETIME:-900}
	# HOME/XDG point inside the directory: an unprivileged libvirtd would
	# otherwise write into the caller's ~/.config and ~/.cache.
	if [ "$_life" -gt 0 ] 2>/dev/null; then
		LIBVIRT_DRIVER_DIR=$_d/no-drivers HOME=$_d XDG_CONFIG_HOME=$_d/config \
		XDG_CACHE_HOME=$_d/cache XDG_RUNTIME_DIR=$_d/run \
			timeout "$_life" libvirtd -f "$_d/libvirtd.conf" -p "$_d/run/libvirtd.pid" \
			</dev/null >"$_d/daemon.out" 2>&1 &
	else
		LIBVIRT_DRIVER_DIR=$_d/no-drivers HOME=$_d XDG_CONFIG_HOME=$_d/config \
		XDG_CACHE_HOME=$_d/cache XDG_RUNTIME_DIR=$_d/run \
			libvirtd -f "$_d/libvirtd.conf" -p "$_d/run/libvirtd.pid" \
			</dev/null >"$_d/daemon.out" 2>&1 &
	fi
	echo $! >"$_d/launcher.pid"
	_sock=$_d/run/libvirt-sock
	_i=0
	_max=$(( ${LIBVIRTD_PRIVATE_READY_SECS:-15} * 10 ))
	while ! libvirtd_private__ready "$_sock"; do
		_i=$((_i + 1))
		if ! libvirtd_private__alive "$(cat "$_d/launcher.pid")" || [ $_i -ge $_max ]; then
			echo "libvirtd-private.sh: libvirtd did not come up; its output:" >&2
			tail -n 20 "$_d/daemon.out" "$_d/libvirtd.log" >&2 2>/dev/null
			libvirtd_private_stop "$_d"
			return 1
		fi
		sleep 0.1
	done
	LIBVIRTD_PRIVATE_DIR=$_d
	LIBVIRTD_PRIVATE_SOCK=$_sock
	LIBVIRTD_PRIVATE_PID=$(cat "$_d/run/libvirtd.pid")
	export LIBVIRTD_PRIVATE_DIR LIBVIRTD_PRIVATE_SOCK LIBVIRTD_PRIVATE_PID
	return 0
}

libvirtd_private_stop() { # [DIR]
	_d=${1:-${LIBVIRTD_PRIVATE_DIR:-}}
	[ -n "$_d" ] && [ -d "$_d" ] || return 0
	for _f in run/libvirtd.pid launcher.pid; do
		[ -s "$_d/$_f" ] || continue
		_pid=$(cat "$_d/$_f")
		case $_pid in ''|*[!0-9]*) continue ;; esac
		kill "$_pid" 2>/dev/null
		_i=0
		while libvirtd_private__alive "$_pid" && [ $_i -lt 50 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		libvirtd_private__alive "$_pid" && kill -9 "$_pid" 2>/dev/null
	done
	case $_d in */vdeck-lvp.*) rm -rf "$_d" ;; esac
	if [ "$_d" = "${LIBVIRTD_PRIVATE_DIR:-}" ]; then
		LIBVIRTD_PRIVATE_DIR= LIBVIRTD_PRIVATE_SOCK= LIBVIRTD_PRIVATE_PID=
	fi
	return 0
}

# Run as a program (not sourced): start / stop for the bench and C tests.
case ${0##*/} in
libvirtd-private.sh)
	case ${1:-} in
	start)
		libvirtd_private_start || exit $?
		for _v in LIBVIRTD_PRIVATE_DIR LIBVIRTD_PRIVATE_SOCK LIBVIRTD_PRIVATE_PID; do
			eval "printf '%s=%s\n' $_v \"\$$_v\""
		done ;;
	stop)
		libvirtd_private_stop "${2:-}" ;;
	*)
		echo "usage: sh libvirtd-private.sh start | stop DIR" >&2
		exit 2 ;;
	esac ;;
esac
