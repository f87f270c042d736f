#!/bin/sh
# test_lacp_lab.sh — LACP bonds on a real Open vSwitch, driven by vdeck over SSH.
#
# Two OVS instances (userspace datapath) in network namespaces, "host" and
# "switch", joined by two veth pairs (tests/lib/lab-ovs.sh).  The switch
# bonds swp1+swp2 with lacp=active.  A private sshd runs inside the host's
# namespace (SetEnv OVS_RUNDIR: its logins reach the host's OVS as the
# unprivileged test user); vdeck runs in that namespace too and:
#   creates bond0 over eth1+eth2 with h:create_bond{backend="ovs"} (commit-
#   confirm, confirmed), sees it negotiated in h:bonds(), raises the alert
#   when eth2 goes down and clears it when it comes back; deletes it; then a
#   trial bond (commit=false) that the host rolls back by itself.
# The kernel has no bonding driver here: the iproute2 form is checked by its
# dry-run script (golden file) and by a real run in a scratch namespace over
# the local transport: a clear error, and the ports as they were.
root=$(cd "$(dirname "$0")/../.." && pwd)
LAB_LIB=$root/tests/lib
. "$LAB_LIB/lab-ovs.sh"
VDECK=${VDECK:-$root/vdeck}

if ! why=$(lab_ovs_available); then
	lab_skip "lacp lab: $why"
	lab_summary
	exit $?
fi
[ -x /usr/sbin/sshd ] || { lab_skip "lacp lab: no /usr/sbin/sshd (openssh-server)"; lab_summary; exit $?; }
lab_init lacp || exit 1
started=$(lab_now)
tmp=$LAB_ROOT/t
mkdir -p "$tmp" && chmod 755 "$tmp"
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run"

# --- the iproute2 form: dry-run golden and the kernel's refusal ----------
lab_netns_add kern || exit 1
kns=$(lab_netns kern)
ip -n "$kns" link add k1 type veth peer name k1p && ip -n "$kns" link add k2 type veth peer name k2p &&
	ip -n "$kns" link set k1 up || exit 1
before=$(ip -n "$kns" -o link show | awk '{print $2, $3}' | sort)
ip netns exec "$kns" "$VDECK" --dry-run -e 'local h = vdeck.hosts()[1]
h:create_bond{ name = "bond7", ports = { "k1", "k2" }, mode = "802.3ad", lacp_rate = "fast",
               xmit_hash_policy = "layer3+4", miimon = 100, confirm_timeout = 20 }' >"$tmp/dry" 2>"$tmp/dry.err"
if cmp -s "$tmp/dry" "$root/tests/fixtures/ops/create_bond_iproute2.dryrun"; then
	lab_pass "iproute2 dry-run prints the exact script (golden)"
else
	lab_fail "iproute2 dry-run prints the exact script (golden)"
	diff "$root/tests/fixtures/ops/create_bond_iproute2.dryrun" "$tmp/dry" | head -20 | sed 's/^/    /'
fi
out=$(ip netns exec "$kns" "$VDECK" -e 'local h = vdeck.hosts()[1]
local ok, e = pcall(h.create_bond, h, "bond7", { ports = { "k1", "k2" }, lacp_rate = "fast" })
print(ok, e.message)' 2>&1)
case $out in
*"false"*"failed on the host and was rolled back"*"Unknown device type"*) lab_pass "iproute2: the kernel's refusal is a clear error" ;;
*) lab_fail "iproute2: the kernel's refusal is a clear error"; echo "$out" | sed 's/^/    /' ;;
esac
after=$(ip -n "$kns" -o link show | awk '{print $2, $3}' | sort)
if [ "$before" = "$after" ] && ! ls -d /run/vdeck-change.bond-bond7.* /tmp/vdeck-change.bond-bond7 >/dev/null 2>&1; then
	lab_pass "iproute2: ports left as they were, nothing half-configured"
else
	lab_fail "iproute2: ports left as they were"; printf 'before:\n%s\nafter:\n%s\n' "$before" "$after" | sed 's/^/    /'
fi
out=$(ip netns exec "$kns" "$VDECK" --dry-run -e 'local h = vdeck.hosts()[1]
for _, a in ipairs{ { ports = { "k1", "nope" } }, { ports = { "k1", "k1" } }, { ports = { "k1" }, mode = "active-backup", lacp_rate = "fast" },
                    { ports = { "k1" }, backend = "ovs" } } do
  local ok, e = pcall(h.create_bond, h, "bond7", a); print(ok, e.message) end' 2>&1)
case $out in
*"does not exist"*"given twice"*"802.3ad only"*"give bridge"*) lab_pass "validation: missing or repeated port, rate without LACP, OVS without a bridge" ;;
*) lab_fail "validation messages"; echo "$out" | sed 's/^/    /' ;;
esac

# --- Open vSwitch: two instances, the switch side bonded ----------------
lab_ovs_pair_start || { lab_fail "OVS pair start"; lab_summary; exit 1; }
lab_ovs_vsctl host add-port br0 eth1 -- add-port br0 eth2 || lab_fail "host ports into br0"
lab_ovs_switch_bond || lab_fail "switch bond"
hrun=$LAB_OVS_RUNDIR_host
chmod -R a+rX "$LAB_OVS_DIR_host" && chmod o+rw "$hrun"/*.sock "$hrun"/*.ctl "$hrun"/*.pid   # ovs-appctl opens the pidfile r+
hns=$LAB_OVS_HOST_NETNS

envs=$(echo "$LAB_OVS_ENV_host" | sed 's/ / /g')
out=$(SSHD_EXTRA_CONFIG="SetEnv $envs" SSHD_LIFETIME=120 ip netns exec "$hns" sh "$LAB_LIB/sshd.sh" start) ||
	{ lab_fail "sshd in the host namespace"; lab_summary; exit 1; }
eval "$(echo "$out" | grep '^SSHD_')"
lab_defer "sh $LAB_LIB/sshd.sh stop $SSHD_DIR"
cp "$SSHD_KEY" "$tmp/id" && chmod 600 "$tmp/id"

cat >"$tmp/cluster.lua" <<LUA
defaults { ssh = { user = "$SSHD_USER", port = $SSHD_PORT, identity = "$tmp/id",
                   known_hosts = "$SSHD_KNOWN_HOSTS" }, interval = 0.3 }
host { name = "h1", address = "127.0.0.1", libvirt = "test:///default" }
LUA

cat >"$tmp/lacp.lua" <<'LUA'
local p = {}   -- the k=v words after the script
for _, a in ipairs{ ... } do local k, v = a:match("^(%w+)=(.*)$"); if k then p[k] = v end end
local h = vdeck.host("h1")
local function bond(name)
  for _, b in ipairs(h:bonds()) do if b.name == name then return b end end
end
local function wait(what, secs, fn)
  local t0 = os.time()
  while true do
    local ok, v = pcall(fn)
    if ok and v then return v end
    if os.time() - t0 > secs then print("TIMEOUT " .. what); return nil end
    os.execute("sleep 0.1"); pcall(h.refresh, h)
  end
end
local function port_alert(kind, port)
  for _, a in ipairs(h:alerts()) do
    if a.kind == kind and a.port == port then return a end
  end
end
local function bond_alerts(name)
  local n = 0
  for _, a in ipairs(h:alerts()) do if a.bond == name then n = n + 1 end end
  return n
end
wait("metrics", 10, function() return #h:nics() > 0 end)
local r = h:create_bond{ name = "bond0", ports = { "eth1", "eth2" }, backend = "ovs", lacp_rate = "fast",
                         confirm_timeout = 15 }
print("CREATE", r.message)
local b = wait("negotiated", 10, function()
  local b = bond("bond0")
  if not (b and b.lacp and #b.ports == 2) then return nil end
  for _, port in ipairs(b.ports) do
    if port.lacp_state ~= "current attached" or port.alert then return nil end
  end
  return bond_alerts("bond0") == 0 and b
end)
if b then print("NEGOTIATED", b.backend, b.bridge, b.mode, b.lacp_rate, b.aggregator_ports, b.partner_mac) end
os.execute(p.down)
local a = wait("alert", 10, function() return port_alert("bond_port_down", "eth2") end)
if a then print("ALERT", a.kind, a.bond, a.port, a.message) end
local short = wait("short", 5, function()
  for _, x in ipairs(h:alerts()) do if x.kind == "bond_aggregator_short" then return x end end
end)
if short then print("SHORT", short.message) end
os.execute(p.up)
if wait("cleared", 15, function() return bond_alerts("bond0") == 0 and bond("bond0") end) then print("CLEARED") end
local d = h:delete_bond("bond0", { confirm_timeout = 15 })
print("DELETE", d.message, bond("bond0") == nil)
local t = h:create_bond{ name = "bond1", ports = { "eth1", "eth2" }, backend = "ovs", bridge = "br0",
                         commit = false, confirm_timeout = 5 }
print("TRIAL", t.message, bond("bond1") ~= nil)
if wait("rolled back", 15, function() return bond("bond1") == nil end) then print("ROLLEDBACK") end
LUA

# Another user's directory at the old fixed staging path, with a status
# that says "applied": the change stages elsewhere and never reads it.
plant=/tmp/vdeck-change.bond-bond0
rm -rf "$plant" && mkdir -m 755 "$plant" && echo applied >"$plant/status" && lab_defer "rm -rf $plant"
stage=$(getent passwd "$SSHD_USER" | cut -d: -f6)/.vdeck-stage

t0=$(lab_now)
ip netns exec "$hns" timeout 90 "$VDECK" -c "$tmp/cluster.lua" --connect-timeout 3 --exec "$tmp/lacp.lua" \
	down="ip link set eth2 down" up="ip link set eth2 up" >"$tmp/out" 2>"$tmp/err"
rc=$?
lab_log "vdeck run: $(lab_elapsed "$t0") s, rc $rc"
has() { grep -q "$1" "$tmp/out"; }
show() { sed 's/^/    /' "$tmp/out" "$tmp/err" | tail -n 25; }
check() { if has "$2"; then lab_pass "$1"; else lab_fail "$1"; show; fi; }
check "create_bond over SSH (OVS form) is committed after the confirm" "^CREATE	committed"
if [ "$(stat -c %U:%a "$stage" 2>/dev/null)" = "$SSHD_USER:700" ] && ! ls -d "$stage"/vdeck-change.bond-bond0.* >/dev/null 2>&1 &&
	[ "$(cat "$plant/status")" = applied ]; then
	lab_pass "the non-root login stages in its private ~/.vdeck-stage (mode 700), not the planted /tmp path; cleared after"
else
	lab_fail "staging in ~/.vdeck-stage"; ls -la "$stage" "$plant" 2>&1 | sed 's/^/    /'
fi
check "h:bonds() shows it negotiated: both members current attached, no alert" "^NEGOTIATED	ovs	br0	balance-tcp	fast	2	"
check "a member down raises an alert naming host bond and port" "^ALERT	bond_port_down	bond0	eth2"
check "the aggregator holding fewer ports is an alert" "^SHORT	OVS bond bond0: the aggregator holds 1 of 2 ports; out: eth2"
check "the member back: the alerts clear" "^CLEARED"
check "delete_bond removes it (committed)" "^DELETE	committed	true"
check "a trial bond (commit=false) is applied" "^TRIAL	trial.*	true"
check "unconfirmed, the host rolls it back by itself" "^ROLLEDBACK"
ports=$(lab_ovs_vsctl host list-ports br0 | tr '\n' ' ')
[ "$ports" = "" ] && lab_pass "after the rollback br0 holds what it held before the trial (nothing)" ||
	lab_fail "after the rollback br0 holds what it held before: '$ports'"

# The lacp-bond runbook: the host gets bond2 (and waits for LACP); a second
# run skips it.
rb="$root/lua/runbooks/lacp-bond.lua"
args="host=h1 name=bond2 ports=eth1,eth2 backend=ovs bridge=br0 lacp_rate=fast confirm_timeout=10 settle=10"
# shellcheck disable=SC2086
out=$(ip netns exec "$hns" timeout 60 "$VDECK" -c "$tmp/cluster.lua" --connect-timeout 3 --json --exec "$rb" $args 2>&1)
case $out in
*'"done":["h1"]'*) lab_pass "runbook lacp-bond bonds the host and waits for LACP" ;;
*) lab_fail "runbook lacp-bond bonds the host"; echo "$out" | sed 's/^/    /' | tail -n 10 ;;
esac
# shellcheck disable=SC2086
out=$(ip netns exec "$hns" timeout 60 "$VDECK" -c "$tmp/cluster.lua" --connect-timeout 3 --json --exec "$rb" $args 2>&1)
case $out in
*'"skipped":["h1"]'*) lab_pass "runbook lacp-bond skips a host that has the bond" ;;
*) lab_fail "runbook lacp-bond skips a host that has the bond"; echo "$out" | sed 's/^/    /' | tail -n 10 ;;
esac

# --check counts the alerts: a member of bond2 down.
lab_ovs_link host eth2 down
lab_wait 5 sh -c "timeout 5 ovs-appctl -t '$LAB_OVS_CTL_host' bond/show bond2 | grep -q 'member eth2: disabled'"
out=$(ip netns exec "$hns" timeout 30 "$VDECK" -c "$tmp/cluster.lua" --connect-timeout 3 --check 2>&1)
row=$(echo "$out" | grep '^h1 ')
n=$(echo "$row" | awk '{print $6}')
case $n in
''|*[!0-9]*) lab_fail "--check has an ALERTS column"; echo "$out" | sed 's/^/    /' ;;
*) if [ "$n" -ge 2 ] && echo "$out" | grep -q ALERTS; then lab_pass "--check counts the host's bond alerts ($n)"
   else lab_fail "--check counts the host's bond alerts"; echo "$out" | sed 's/^/    /'; fi ;;
esac
lab_log "total $(lab_elapsed "$started") s"
lab_summary
