# libvirtd.sh — the bench's private libvirtd (POSIX sh, sourced): one daemon
# that serves every bench host's test:///PATH.xml to remote clients, so
# vdeck and the baseline both reach libvirt through its RPC, as production
# does, and the test driver's state lives in the daemon, not in the client.
#
#   . bench/libvirtd.sh; bench_libvirtd_start DIR   -> BENCH_LV_SOCK, BENCH_LV_PID
#   bench_libvirtd_stop
#
# The daemon runs in its own mount namespace with /etc/libvirt, /run/libvirt,
# /var/lib/libvirt, /var/log/libvirt and /var/cache/libvirt bound from DIR
# (the recipe of ../shared/LAB.md), no network namespace.  Its socket is
# world-writable (auth none): the bench's SSH logins are an unprivileged
# user whose `nc -U` must reach it.  Needs root.

bench_libvirtd_start() {
	_d=$1
	[ "$(id -u)" = 0 ] || { echo "libvirtd.sh: needs root (mount namespace)" >&2; return 1; }
	command -v libvirtd >/dev/null || { echo "libvirtd.sh: libvirtd missing (tools/deps.sh test)" >&2; return 1; }
	getent group libvirt-qemu >/dev/null 2>&1 || groupadd -r libvirt-qemu 2>/dev/null
	getent passwd libvirt-qemu >/dev/null 2>&1 ||
		useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu 2>/dev/null
	mkdir -p "$_d/etc" "$_d/run" "$_d/lib" "$_d/log" "$_d/cache" || return 1
	chmod 755 "$_d" "$_d/run"
	cat >"$_d/etc/libvirtd.conf" <<EOF
unix_sock_dir = "$_d/run"
unix_sock_rw_perms = "0777"
unix_sock_ro_perms = "0777"
auth_unix_ro = "none"
auth_unix_rw = "none"
host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
max_clients = 1024
max_anonymous_clients = 1024
max_client_requests = 16
max_workers = 16
keepalive_interval = 5
EOF
	cat >"$_d/start.sh" <<EOF
set -e
mount --make-rprivate /
for m in etc:/etc/libvirt run:/run/libvirt lib:/var/lib/libvirt log:/var/log/libvirt cache:/var/cache/libvirt; do
	mkdir -p "\${m#*:}"
	mount --bind "$_d/\${m%%:*}" "\${m#*:}"
done
exec libvirtd -f /etc/libvirt/libvirtd.conf -p "$_d/run/libvirtd.pid"
EOF
	setsid unshare -m --propagation private sh "$_d/start.sh" </dev/null >"$_d/daemon.out" 2>&1 &
	BENCH_LV_PID=$!
	BENCH_LV_SOCK=$_d/run/libvirt-sock
	BENCH_LV_DIR=$_d
	_i=0
	while ! timeout 10 virsh -q -c "test+unix:///default?socket=$BENCH_LV_SOCK" version >/dev/null 2>&1; do
		_i=$((_i + 1))
		if [ $_i -gt 150 ] || ! kill -0 "$BENCH_LV_PID" 2>/dev/null; then
			echo "libvirtd.sh: the private libvirtd did not answer; its log:" >&2
			tail -n 20 "$_d/daemon.out" "$_d/log/libvirtd.log" >&2 2>/dev/null
			bench_libvirtd_stop
			return 1
		fi
		sleep 0.2
	done
	# the pidfile is the daemon (unshare execs sh, which execs libvirtd)
	[ -s "$_d/run/libvirtd.pid" ] && BENCH_LV_PID=$(cat "$_d/run/libvirtd.pid")
	export BENCH_LV_SOCK BENCH_LV_PID BENCH_LV_DIR
}

bench_libvirtd_stop() {
	[ -n "${BENCH_LV_PID:-}" ] || return 0
	kill "$BENCH_LV_PID" 2>/dev/null
	_i=0
	while kill -0 "$BENCH_LV_PID" 2>/dev/null && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
	kill -9 "$BENCH_LV_PID" 2>/dev/null
	BENCH_LV_PID=
}
