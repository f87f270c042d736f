#!/bin/sh
# test_libvirt_tunnel.sh — libvirt's RPC through vdeck's own SSH session.
#
# A private libvirtd (tests/lib/libvirtd-private.sh) serves a test:/// file
# over RPC; a real sshd (tests/lib/sshd.sh) on 127.0.0.1 forwards to its
# socket.  A host whose libvirt URI is test+ssh:// to its own SSH address
# goes through the tunnel by default: vdeck spawns no `ssh` (its process
# tree is sampled from /proc while it runs), lists the domains, changes one
# (set_vcpus) through the tunnel, offers the socket in a 0700 directory
# under $XDG_RUNTIME_DIR, says "tunnel" in --check; when sshd dies with its
# sessions the host goes down, and it comes back when sshd does.  With
# libvirt_via = "uri" the same host goes through libvirt's own OpenSSH child
# (the sampler sees it: the check can fail) and works as before.  The poll's
# statistics call is vdeck's own where the daemon's domains are shared
# (libvirt_stats: see its section).
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/sshd_test.sh"
. "$root/tests/lib/libvirtd-private.sh"
cleanup() {
	[ -n "${vd_pid:-}" ] && kill "$vd_pid" 2>/dev/null
	kill $(tree_of "$(cat "$SSHD_DIR/harness.pid" 2>/dev/null)" | tail -n +2) 2>/dev/null
	sshd_stop >/dev/null 2>&1
	libvirtd_private_stop
	rm -rf "$tmp"
}
# PID and every process below it
tree_of() {
	[ -n "$1" ] || return 0
	echo "$1"
	for _c in $(ps -o pid= --ppid "$1" 2>/dev/null); do tree_of "$_c"; done
}

sshd_start >/dev/null 2>"$tmp/sshd.err"; rc=$?
if [ $rc -eq 77 ]; then
	skip "sshd cannot run here: $(cat "$tmp/sshd.err")"
	finish; exit $?
elif [ $rc -ne 0 ]; then
	fail "sshd_start" "exit $rc: $(cat "$tmp/sshd.err")"
	finish; exit $?
fi
libvirtd_private_start 2>"$tmp/lvp.err"; rc=$?
if [ $rc -eq 77 ]; then
	skip "libvirtd cannot run here: $(cat "$tmp/lvp.err")"
	finish; exit $?
elif [ $rc -ne 0 ]; then
	fail "private libvirtd up" "$(cat "$tmp/lvp.err")"
	finish; exit $?
fi
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
cp "$SSHD_KEY" "$tmp/id" && chmod 600 "$tmp/id"
cat >"$tmp/node.xml" <<'XML'
<node>
  <domain type='test'><name>vm1</name><memory>1048576</memory><vcpu current='1'>4</vcpu>
    <os><type>hvm</type></os></domain>
  <domain type='test'><name>vm2</name><memory>1048576</memory><vcpu current='2'>4</vcpu>
    <os><type>hvm</type></os></domain>
</node>
XML
chmod 644 "$tmp/node.xml"
URI="test+ssh://$SSHD_USER@127.0.0.1:$SSHD_PORT$tmp/node.xml?socket=$LIBVIRTD_PRIVATE_SOCK"
# inventory KEYS EXTRA_QUERY [URI]: host "t" (on $URI unless URI is given)
# and a "clock" that never needs SSH
inventory() {
	cat <<LUA
defaults { ssh = { user = "$SSHD_USER", port = $SSHD_PORT, identity = "$tmp/id",
                   known_hosts = "$SSHD_KNOWN_HOSTS" }, interval = 1 }
host { name = "clock", transport = "none", libvirt = "test:///default", interval = 1 }
host { name = "t", address = "127.0.0.1", libvirt = "${3:-$URI}$2", $1 }
LUA
}
inventory "" "" >"$tmp/tunnel.lua"
# libvirt's OpenSSH child: the user key, and no known_hosts of its own
inventory 'libvirt_via = "uri"' "&keyfile=$tmp/id&no_verify=1&no_tty=1" >"$tmp/uri.lua"

# ---- --check says which path --------------------------------------------------
out=$("$VDECK" -c "$tmp/tunnel.lua" --connect-timeout 5 --check 2>&1)
echo "$out" | grep -Eq '^t +up .* tunnel ' && ok "--check: the host is up, through the tunnel" \
	|| fail "--check: the host is up, through the tunnel" "$out"
out=$("$VDECK" -c "$tmp/tunnel.lua" --connect-timeout 5 --check --json 2>&1)
contains "--check --json names the path" "$out" '"libvirt_via":"tunnel"'
out=$("$VDECK" -c "$tmp/uri.lua" --connect-timeout 5 --check 2>&1)
echo "$out" | grep -Eq '^t +up .* uri ' && ok "--check with libvirt_via = \"uri\": up, through the URI" \
	|| fail "--check with libvirt_via = \"uri\": up, through the URI" "$out"

# ---- the script: domains, set_vcpus, then a pause for the sampler ----------------
cat >"$tmp/ops.lua" <<'LUA'
local args = {}
for _, kv in ipairs({ ... }) do local k, v = kv:match("^(%w+)=(.*)$"); args[k] = v end
local function ok(c, name, detail)
  print((c and "ok - " or "not ok - ") .. name .. ((not c and detail) and (": " .. tostring(detail)) or ""))
end
local h = vdeck.host("t")
ok(h.state == "up", "host up", h.error)
local names = {}
for _, d in ipairs(h:domains()) do names[#names + 1] = d.name end
table.sort(names)
ok(table.concat(names, ",") == "vm1,vm2", "domains listed", table.concat(names, ","))
local d = vdeck.domain("vm1")
local r = d:set_vcpus(3)
ok(r.ok and d.vcpus == 3, "set_vcpus through libvirt's RPC, read back", d.vcpus)
-- the libvirt connection stays open meanwhile: the sampler looks now
io.open(args.marks .. "/ready", "w"):close()
local clock = vdeck.host("clock")
local t0 = vdeck.clock()
while vdeck.clock() - t0 < 3 do os.execute("sleep 0.2"); clock:refresh() end
ok(#h:domains() == 2, "still answering after the pause")
LUA
# sample MARKS: every 0.1 s while vdeck runs, the names of its descendants
sample() {
	: >"$1/children"
	_i=0
	while [ ! -f "$1/ready" ] && [ $_i -lt 200 ]; do sleep 0.1; _i=$((_i + 1)); done
	while kill -0 "$vd_pid" 2>/dev/null; do
		for _p in $(tree_of "$vd_pid" | tail -n +2); do
			cat "/proc/$_p/comm" 2>/dev/null
		done >>"$1/children"
		ls -d "$XDG_RUNTIME_DIR"/vdeck-lv.* >>"$1/sockets" 2>/dev/null
		stat -c '%a' "$XDG_RUNTIME_DIR"/vdeck-lv.* >>"$1/modes" 2>/dev/null
		sleep 0.1
	done
}
run_ops() { # NAME INVENTORY
	mkdir -p "$tmp/$1"
	"$VDECK" -c "$2" --connect-timeout 5 --exec "$tmp/ops.lua" marks="$tmp/$1" >"$tmp/$1/out" 2>&1 &
	vd_pid=$!
	sample "$tmp/$1"
	wait "$vd_pid"
	echo $? >"$tmp/$1/rc"
	vd_pid=
	sed "s/^/$1: /" "$tmp/$1/out" | grep -E '^[a-z]+: (ok|not ok) - ' | while read -r l; do echo "$l"; done
	PASS=$((PASS + $(grep -c '^ok - ' "$tmp/$1/out")))
	FAIL=$((FAIL + $(grep -c '^not ok - ' "$tmp/$1/out")))
	[ "$(cat "$tmp/$1/rc")" = 0 ] && ok "$1: vdeck exits 0" || fail "$1: vdeck exits 0" "$(tail -n 5 "$tmp/$1/out")"
}

run_ops tunnel "$tmp/tunnel.lua"
! grep -qx ssh "$tmp/tunnel/children" && ok "tunnel: vdeck spawned no ssh" \
	|| fail "tunnel: vdeck spawned no ssh" "$(sort -u "$tmp/tunnel/children" | tr '\n' ' ')"
[ -s "$tmp/tunnel/sockets" ] && ok "tunnel: its socket's directory is under \$XDG_RUNTIME_DIR" \
	|| fail "tunnel: its socket's directory is under \$XDG_RUNTIME_DIR"
[ -s "$tmp/tunnel/modes" ] && ! grep -qvx 700 "$tmp/tunnel/modes" && ok "tunnel: that directory is 0700" \
	|| fail "tunnel: that directory is 0700" "$(sort -u "$tmp/tunnel/modes" 2>/dev/null | tr '\n' ' ')"
ls -d "$XDG_RUNTIME_DIR"/vdeck-lv.* >/dev/null 2>&1 && fail "tunnel: the directory is removed at exit" \
	|| ok "tunnel: the directory is removed at exit"

run_ops uri "$tmp/uri.lua"
grep -qx ssh "$tmp/uri/children" && ok "uri: libvirt's own ssh child is seen (the sampler works)" \
	|| fail "uri: libvirt's own ssh child is seen (the sampler works)" "$(sort -u "$tmp/uri/children" | tr '\n' ' ')"

# ---- vdeck's own statistics call (libvirt_stats) --------------------------------
# test:///default is one set of domains for every connection to the daemon,
# as qemu:///system is: vdeck makes the poll's statistics call itself, on a
# channel of its session (it says so under -v), and sees what another
# client (virsh, straight to the daemon) does to a domain.  A test:///FILE
# is a private copy per connection: there libvirt's client makes the call
# unless libvirt_stats = "vdeck" says otherwise (and vdeck gives it back to
# libvirt's client when its channel names none of the connection's
# domains); "libvirt" keeps it there.
DEF="test+ssh://$SSHD_USER@127.0.0.1:$SSHD_PORT/default?socket=$LIBVIRTD_PRIVATE_SOCK"
DIRECT="test+unix:///default?socket=$LIBVIRTD_PRIVATE_SOCK"
inventory "" "" "$DEF" >"$tmp/own.lua"
inventory 'libvirt_stats = "libvirt"' "" "$DEF" >"$tmp/own-libvirt.lua"
inventory 'libvirt_stats = "vdeck"' "" >"$tmp/own-file.lua"
# the scripts' common head: arguments, TAP lines, waiting on marks
cat >"$tmp/prelude.lua" <<'LUA'
local args = {}
for _, kv in ipairs({ ... }) do local k, v = kv:match("^(%w+)=(.*)$"); args[k] = v end
local function ok(c, name, detail)
  print((c and "ok - " or "not ok - ") .. name .. ((not c and detail) and (": " .. tostring(detail)) or ""))
end
local function exists(f) local x = io.open(f) if x then x:close() return true end return false end
local h, clock = vdeck.host("t"), vdeck.host("clock")
local function until_(pred, secs)
  local t0 = vdeck.clock()
  while not pred() do
    if vdeck.clock() - t0 > secs then return false end
    os.execute("sleep 0.2"); clock:refresh()
  end
  return true
end
LUA
{ cat "$tmp/prelude.lua"; cat <<'LUA'; } >"$tmp/own-script.lua"
ok(h.state == "up", "host up", h.error)
local d = h:domains()[1]
ok(d and d.name == "test" and d.state == "running", "the default domain, running", d and d.state)
io.open(args.marks .. "/ready", "w"):close()
ok(until_(function() return exists(args.marks .. "/suspended") end, 20), "virsh suspended it")
ok(until_(function() return h:domains()[1].state == "paused" end, 10), "vdeck sees it paused",
   h:domains()[1].state)
io.open(args.marks .. "/seen", "w"):close()
ok(until_(function() return exists(args.marks .. "/resumed") end, 20), "virsh resumed it")
ok(until_(function() return h:domains()[1].state == "running" end, 10), "vdeck sees it running again",
   h:domains()[1].state)
LUA
run_own() { # NAME INVENTORY
	mkdir -p "$tmp/$1"
	"$VDECK" -c "$2" -v --connect-timeout 5 --exec "$tmp/own-script.lua" marks="$tmp/$1" >"$tmp/$1/out" 2>&1 &
	vd_pid=$!
	i=0
	while [ ! -f "$tmp/$1/ready" ] && kill -0 "$vd_pid" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	virsh -q -c "$DIRECT" suspend test >/dev/null 2>&1 && : >"$tmp/$1/suspended"
	i=0
	while [ ! -f "$tmp/$1/seen" ] && kill -0 "$vd_pid" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	virsh -q -c "$DIRECT" resume test >/dev/null 2>&1 && : >"$tmp/$1/resumed"
	wait "$vd_pid"; rc=$?
	vd_pid=
	grep -E '^(ok|not ok) - ' "$tmp/$1/out" | sed "s/^\(not \)\{0,1\}ok - /&$1: /"
	PASS=$((PASS + $(grep -c '^ok - ' "$tmp/$1/out")))
	FAIL=$((FAIL + $(grep -c '^not ok - ' "$tmp/$1/out")))
	[ $rc = 0 ] && ok "$1: vdeck exits 0" || fail "$1: vdeck exits 0" "rc=$rc: $(tail -n 5 "$tmp/$1/out")"
}
if command -v virsh >/dev/null 2>&1; then
	run_own own "$tmp/own.lua"
	contains "own: -v says the statistics are on vdeck's own channel" "$(cat "$tmp/own/out")" \
		"statistics on vdeck's own channel"
	run_own own-libvirt "$tmp/own-libvirt.lua"
	if grep -q "statistics on vdeck's own channel" "$tmp/own-libvirt/out"; then
		fail "libvirt_stats = \"libvirt\": libvirt's client makes the call" "$(grep own "$tmp/own-libvirt/out")"
	else
		ok "libvirt_stats = \"libvirt\": libvirt's client makes the call"
	fi
	# the file's copies have no <uuid>: each connection draws its own, and
	# vdeck finds none of its channel's domains on libvirt's connection (on
	# the second poll: the first is always libvirt's, whose records come
	# with the handles vdeck keeps; a refresh has a poll of its own, after
	# the first).  The channel given up is closed: the daemon is left with
	# one client of vdeck's, libvirt's connection (virt-admin, its admin
	# socket).
	admin="virt-admin -c libvirtd:///system?socket=${LIBVIRTD_PRIVATE_SOCK%/*}/libvirt-admin-sock srv-clients-list libvirtd"
	out=$(ADMIN=$admin "$VDECK" -c "$tmp/own-file.lua" -v --connect-timeout 5 -e '
local h = vdeck.host("t") h:refresh() h:refresh()
local n = {} for _, d in ipairs(h:domains()) do n[#n + 1] = d.name end table.sort(n) print(table.concat(n, ","))
local function clients()
  local p, c = io.popen(os.getenv("ADMIN") .. " 2>&1"), 0
  for l in p:lines() do if l:match("^%s*%d+%s+unix") then c = c + 1 end end
  p:close() return c end
local c, t0 = clients(), vdeck.clock()
while c ~= 1 and vdeck.clock() - t0 < 5 do os.execute("sleep 0.2") c = clients() end
print("daemon clients: " .. c)' 2>&1)
	contains "libvirt_stats = \"vdeck\" on a test:///FILE: own channel" "$out" "statistics on vdeck's own channel"
	contains "… which names other domains: libvirt's client asks instead" "$out" \
		"vdeck's own channel names domains libvirt's connection does not know"
	contains "… and the file's domains are listed" "$out" "vm1,vm2"
	contains "… and the channel given up is closed (one client left on the daemon)" "$out" "daemon clients: 1"
	out=$("$VDECK" -c "$tmp/tunnel.lua" -v --connect-timeout 5 -e 'return #vdeck.host("t"):domains()' 2>&1)
	if echo "$out" | grep -q "statistics on vdeck's own channel"; then
		fail "a test:///FILE by default: libvirt's client makes the call" "$out"
	else
		ok "a test:///FILE by default: libvirt's client makes the call"
	fi
	inventory 'libvirt_via = "uri", libvirt_stats = "vdeck"' "" >"$tmp/own-bad.lua"
	out=$("$VDECK" -c "$tmp/own-bad.lua" --check 2>&1); rc=$?
	[ $rc -ne 0 ] && echo "$out" | grep -q 'libvirt_stats = "vdeck" needs libvirt through the tunnel' &&
		ok "libvirt_stats = \"vdeck\" without the tunnel: refused, saying why" ||
		fail "libvirt_stats = \"vdeck\" without the tunnel: refused, saying why" "rc=$rc $out"
else
	fail "virsh is installed (libvirt-clients)"
fi

# ---- the pump sleeps through the calls of vdeck's own -------------------------
# While vdeck's own calls hold the session (the poll shell, the statistics
# call), the tunnel's pump thread does not watch the session's socket: it
# used to wake on every packet of their replies and then wait for the
# lock, two context switches per packet.  Over 20 refreshes it now sleeps
# (a wake-up per poll at most; without the change, four).
cat >"$tmp/pump.lua" <<'LUA'
local function slurp(f) local x = io.open(f) if not x then return nil end local s = x:read("a") x:close() return s end
local pid = slurp("/proc/self/stat"):match("^(%d+)")
local function pump_switches()
  local n, p = 0, io.popen("ls /proc/" .. pid .. "/task")
  for tid in p:lines() do
    local dir = "/proc/" .. pid .. "/task/" .. tid
    if (slurp(dir .. "/comm") or ""):match("^vdeck%-tunnel") then
      n = n + tonumber((slurp(dir .. "/status") or ""):match("voluntary_ctxt_switches:%s*(%d+)") or 0)
    end
  end
  p:close()
  return n
end
local h = vdeck.host("t")
h:refresh()
local before = pump_switches()
for _ = 1, 20 do h:refresh() end
local woke = pump_switches() - before
print((h.state == "up" and woke < 20 and "ok - " or "not ok - ") ..
      "the pump slept through 20 polls of its host (" .. woke .. " wake-ups)")
LUA
inventory "" "" "$DEF" | sed 's/interval = 1 }$/interval = 3600 }/' >"$tmp/pump-inv.lua"
out=$("$VDECK" -c "$tmp/pump-inv.lua" --connect-timeout 5 --exec "$tmp/pump.lua" 2>&1)
echo "$out" | grep -E '^(ok|not ok) - '
PASS=$((PASS + $(echo "$out" | grep -c '^ok - ')))
FAIL=$((FAIL + $(echo "$out" | grep -c '^not ok - ')))
echo "$out" | grep -qE '^(ok|not ok) - ' || fail "the pump test ran" "$out"

# ---- sshd killed with its sessions: down; restarted: up again, through the tunnel ----
{ cat "$tmp/prelude.lua"; cat <<'LUA'; } >"$tmp/down.lua"
ok(h.state == "up", "host up before the kill", h.error)
io.open(args.marks .. "/ready", "w"):close()
ok(until_(function() return h.state == "down" end, 15), "sshd killed: the host goes down", h.state)
print("# down: " .. tostring(h.error))
io.open(args.marks .. "/seen-down", "w"):close()
ok(until_(function() return exists(args.marks .. "/restarted") end, 20), "sshd restarted")
ok(until_(function() return h.state == "up" end, 20), "sshd back: the host comes back up", h.state .. " " .. tostring(h.error))
local n = 0
pcall(function() n = #h:domains() end)
ok(n == 2, "domains listed again", n)
local r = vdeck.domain("vm2"):set_vcpus(3)
ok(r.ok, "an operation works on the new session")
LUA
mkdir -p "$tmp/down"
"$VDECK" -c "$tmp/tunnel.lua" --connect-timeout 2 --exec "$tmp/down.lua" marks="$tmp/down" >"$tmp/down/out" 2>&1 &
vd_pid=$!
i=0
while [ ! -f "$tmp/down/ready" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
kill -9 $(tree_of "$(cat "$SSHD_DIR/harness.pid")") 2>/dev/null
i=0
while [ ! -f "$tmp/down/seen-down" ] && kill -0 "$vd_pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
timeout 120 /usr/sbin/sshd -D -f "$SSHD_DIR/sshd_config" -E "$SSHD_DIR/sshd.log" </dev/null >/dev/null 2>&1 &
echo $! >"$SSHD_DIR/harness.pid"
i=0
while ! sshd__listening "$SSHD_PORT" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
: >"$tmp/down/restarted"
wait "$vd_pid"; rc=$?
vd_pid=
grep -E '^(ok|not ok) - |^# ' "$tmp/down/out"
PASS=$((PASS + $(grep -c '^ok - ' "$tmp/down/out")))
FAIL=$((FAIL + $(grep -c '^not ok - ' "$tmp/down/out")))
[ $rc = 0 ] && ok "down/up: vdeck exits 0" || fail "down/up: vdeck exits 0" "rc=$rc: $(tail -n 5 "$tmp/down/out")"
finish
