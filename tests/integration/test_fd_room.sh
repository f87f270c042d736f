#!/bin/sh
# test_fd_room.sh — a cluster larger than the soft descriptor limit
# (core/fd_room.c).  32 hosts over SSH with libvirt's tunnel hold about 300
# descriptors (each its SSH socket, the tunnel's listening socket, both ends
# of libvirt's connection, wake-up pipes); under `ulimit -Sn 256` every one
# of them still answers with its domains, because vdeck raises the soft
# limit to what its hosts need.  Under a hard limit below its estimate the
# shortfall is said at start, naming the limit; under one far below what
# the hosts use, the hosts that fit connect and the others fail to, saying
# why, and vdeck goes on (libvirt's client would abort the process, inside
# glib, on a descriptor it cannot make: core/fd_room.h).
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/sshd_test.sh"
. "$root/tests/lib/libvirtd-private.sh"
cleanup() {
	sshd_stop >/dev/null 2>&1
	libvirtd_private_stop
	rm -rf "$tmp"
}
N=32

sshd_start >/dev/null 2>"$tmp/sshd.err"; rc=$?
if [ $rc -ne 0 ]; then
	fail "sshd_start" "exit $rc: $(cat "$tmp/sshd.err")"
	finish; exit $?
fi
libvirtd_private_start 2>"$tmp/lvp.err" || {
	fail "private libvirtd up" "$(cat "$tmp/lvp.err")"
	finish; exit $?
}
export XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
cp "$SSHD_KEY" "$tmp/id" && chmod 600 "$tmp/id"
cat >"$tmp/node.xml" <<'XML'
<node>
  <domain type='test'><name>vm1</name><memory>1048576</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>
</node>
XML
chmod 644 "$tmp/node.xml"
{
	printf 'defaults { ssh = { user = "%s", port = %s, identity = "%s", known_hosts = "%s" } }\n' \
		"$SSHD_USER" "$SSHD_PORT" "$tmp/id" "$SSHD_KNOWN_HOSTS"
	i=0
	while [ $i -lt $N ]; do
		i=$((i + 1))
		printf 'host { name = "t%d", address = "127.0.0.1", sysroot = "/",\n' $i
		printf '       libvirt = "test+ssh://%s@127.0.0.1:%s%s?socket=%s" }\n' \
			"$SSHD_USER" "$SSHD_PORT" "$tmp/node.xml" "$LIBVIRTD_PRIVATE_SOCK"
	done
} >"$tmp/cluster.lua"
# Every host's domains while all of them hold their connections, then the
# count of descriptors open at that moment.
cat >"$tmp/all.lua" <<'LUA'
local up = 0
for _, h in ipairs(vdeck.hosts()) do
  local ok, doms = pcall(h.domains, h)
  if ok and #doms == 1 then up = up + 1 else print(h.name .. ": " .. tostring(doms)) end
end
local fds = 0
for _ in io.popen("ls /proc/" .. io.open("/proc/self/stat"):read("*l"):match("^(%d+)") .. "/fd"):lines() do fds = fds + 1 end
print(("up=%d fds=%d"):format(up, fds))
LUA

out=$( (ulimit -Sn 256 && "$VDECK" -c "$tmp/cluster.lua" --connect-timeout 20 --exec "$tmp/all.lua") 2>&1)
echo "$out" | grep -q "^up=$N " && ok "under ulimit -Sn 256, all $N hosts answer ($(echo "$out" | grep -o 'fds=[0-9]*'))" ||
	fail "under ulimit -Sn 256, all $N hosts answer" "$(echo "$out" | tail -n 5)"
fds=$(echo "$out" | sed -n 's/^up=[0-9]* fds=\([0-9]*\)$/\1/p')
[ "${fds:-0}" -gt 256 ] && ok "they hold more descriptors ($fds) than the soft limit they started under" ||
	fail "more descriptors than the soft limit" "fds=${fds:-?}"

# 400 is under the 448 the estimate asks for (12 per host) and over the
# ~300 the hosts use: the warning, and still every host up.
out=$( (ulimit -n 400 && "$VDECK" -c "$tmp/cluster.lua" --connect-timeout 20 --check) 2>&1)
contains "under a hard limit of 400 the shortfall is said at start" "$out" \
	"the hosts need about 448 file descriptors and the limit is 400"
up=$(echo "$out" | grep -cE '^t[0-9]+ +up ')
[ "$up" -eq $N ] && ok "and the $N hosts it has room for are up" ||
	fail "the $N hosts are up under ulimit -n 400" "$up up; $(echo "$out" | tail -n 4)"
# 200: room for a few of the hosts (about a hundred descriptors are the
# process's own and its workers').  vdeck exits by itself (no
# abort), some hosts are up, the rest down naming the limit.
out=$( (ulimit -n 200 && "$VDECK" -c "$tmp/cluster.lua" --connect-timeout 20 --check) 2>&1); rc=$?
up=$(echo "$out" | grep -cE '^t[0-9]+ +up ')
short=$(echo "$out" | grep -c "no room for another connection's file descriptors")
[ $rc -lt 128 ] && ok "under a hard limit of 200, vdeck ends by itself (rc $rc)" ||
	fail "under a hard limit of 200, vdeck ends by itself" "rc $rc: $(echo "$out" | tail -n 4)"
[ "$up" -gt 0 ] && [ "$up" -lt $N ] && ok "the hosts that fit are up ($up of $N)" ||
	fail "the hosts that fit are up" "$up up; $(echo "$out" | tail -n 4)"
[ "$short" -gt 0 ] && [ $((up + short)) -eq $N ] && ok "the $short others say the limit is why" ||
	fail "the others say the limit is why" "$up up, $short say so: $(echo "$out" | grep -vE '^t[0-9]+ +up ' | head -n 5)"
finish
