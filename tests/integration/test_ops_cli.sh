#!/bin/sh
# test_ops_cli.sh — operations through the real binary on the demo cluster
# (libvirt test driver): dry-run prints the exact call and XML and changes
# nothing, --readonly refuses, runbook parameter errors exit 2, a refused
# operation left uncaught exits 1 naming host and VM, --list-runbooks.
VDECK=${VDECK:-./vdeck}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config"
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; [ -n "$2" ] && sed 's/^/#   /' "$2"; }
check() { # name command...
	name=$1; shift
	if "$@"; then ok "$name"; else no "$name" "$tmp/out"; fi
}
run() { "$VDECK" --demo=2x8 --no-lock "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc"; cat "$tmp/err" >>"$tmp/out"; }
rc() { [ "$(cat "$tmp/rc")" = "$1" ]; }
has() { grep -qF -- "$1" "$tmp/out"; }

pick='local d; for _, x in ipairs(vdeck.domains()) do if x.state == "running" and x.max_vcpus >= 2 then d = x break end end'

# dry-run: exact call and XML, nothing changed, audit says dry_run
run --dry-run -e "$pick
local before, mem = d.vcpus, d.memory
local r = d:set_vcpus(1)
assert(r.dry_run and r.ok)
d:attach_disk{ source = \"/img/it's <new> & \\\"big\\\".qcow2\", target = 'vdz', format = 'qcow2' }
d:snapshot{ name = 'dry' }
d:set_memory('512M', { config = true })
print('after', d.vcpus == before, d.memory == mem, #d:snapshots())"
check "dry-run exits 0" rc 0
check "dry-run prints the vCPU call" has 'virDomainSetVcpusFlags("'
check "dry-run prints the attach call" has ', xml, VIR_DOMAIN_AFFECT_LIVE)'
check "dry-run XML escapes the source" has "<source file='/img/it&apos;s &lt;new&gt; &amp; &quot;big&quot;.qcow2'/>"
check "dry-run prints the snapshot XML" has '<name>dry</name>'
check "dry-run prints config flags" has '/* KiB */, VIR_DOMAIN_AFFECT_CONFIG)'
check "dry-run changed nothing" has 'after	true	true	0'
check "dry-run audited" grep -q '"dry_run":true,"result":"dry-run"' "$tmp/state/vdeck/audit.jsonl"
check "four dry-run records" test "$(grep -c '"dry_run":true' "$tmp/state/vdeck/audit.jsonl")" = 4

# the whole XML, byte for byte
run --dry-run -e "$pick d:attach_nic{ network = 'prod<&>', mac = '52:54:00:aa:bb:cc', vlan = 42, portgroup = \"pg'1\" }"
cat >"$tmp/want" <<'X'
<interface type='network'>
  <mac address='52:54:00:aa:bb:cc'/>
  <source network='prod&lt;&amp;&gt;' portgroup='pg&apos;1'/>
  <vlan>
    <tag id='42'/>
  </vlan>
  <model type='virtio'/>
</interface>
X
sed -n '/^<interface/,/^<\/interface>/p' "$tmp/out" >"$tmp/got"
check "dry-run NIC XML byte for byte" cmp -s "$tmp/want" "$tmp/got"

# --json dry-run is one JSON object per operation
run --dry-run --json -e "$pick d:set_vcpus(1)"
check "json dry-run line" has '{"dry_run":true,"operation":"set_vcpus"'

# --readonly
run --readonly -e "$pick d:set_vcpus(1)"
check "readonly refuses (exit 1)" rc 1
check "readonly says why" has '--readonly: refusing'
run --readonly -e "$pick return #d:snapshots()"
check "readonly still reads snapshots" rc 0

# refused operation uncaught: exit 1, names host and VM
run -e "$pick d:set_vcpus(d.max_vcpus + 5)"
check "refused op exits 1" rc 1
check "refusal names op, host and VM" grep -Eq '^vdeck: set_vcpus: cna0[0-9]+/[a-z]+-[0-9]+: [0-9]+ vCPUs is above' "$tmp/out"

# runbooks
vm=$("$VDECK" --demo=2x8 --no-lock -e "$pick return d.name" 2>/dev/null)
run --exec vcpu-set vm=no-such-vm count=1
check "runbook: unknown VM exits 2" rc 2
run --exec vcpu-set vm="$vm" count=abc
check "runbook: bad integer exits 2" rc 2
run --exec vcpu-set vm="$vm"
check "runbook: missing param exits 2" rc 2

# strict values (ops/value.c): exit 2 naming the parameter, nothing run
bad_value() { # name expected-message runbook k=v...
	bv_name=$1 bv_msg=$2; shift 2
	run --dry-run --exec "$@"
	check "runbook: $bv_name exits 2" rc 2
	check "runbook: $bv_name names the parameter" has "$bv_msg"
	check "runbook: $bv_name runs nothing" sh -c "! grep -q 'dry-run' '$tmp/out'"
}
bad_value "count=2.5" "parameter count: '2.5' is not an integer" vcpu-set vm="$vm" count=2.5
bad_value "count=1e3" "parameter count: '1e3' is not an integer" vcpu-set vm="$vm" count=1e3
bad_value "count=nan" "parameter count: 'nan' is not an integer" vcpu-set vm="$vm" count=nan
bad_value "count=0" "parameter count: 0 is below the minimum 1" vcpu-set vm="$vm" count=0
bad_value "live=flase" "parameter live: 'flase' is not a boolean" vcpu-set vm="$vm" count=1 live=flase
bad_value "size=10000P" "parameter size: '10000P' is too large" memory-set vm="$vm" size=10000P
bad_value "size=0x10G" "parameter size: '0x10G' is not a size" memory-set vm="$vm" size=0x10G
bad_value "concurrency=17" "parameter concurrency: 17 is above the maximum 16" evacuate-host host=cna01 concurrency=17
bad_value "sgio=bogus" "parameter sgio: 'bogus' is not one of filtered, unfiltered" rdm-attach vm="$vm" path=/dev/sdz sgio=bogus
mkdir -p "$tmp/rb"
cat > "$tmp/rb/typed.lua" <<'LUA'
return vdeck.runbook {
  name = "typed", description = "typed params (test)",
  params = {
    { name = "ratio", type = "number", min = 0, max = 1 },
    { name = "size", type = "size", max = "1T", default = "8G" },
    { name = "ports", type = "list" },
  },
  run = function(ctx, p)
    return { ratio = p.ratio, size = p.size, ports = p.ports and table.concat(p.ports, "+") }
  end,
}
LUA
bad_value "ratio=nan" "parameter ratio: 'nan' is not a finite number" "$tmp/rb/typed.lua" ratio=nan
bad_value "ratio=inf" "parameter ratio: 'inf' is not a finite number" "$tmp/rb/typed.lua" ratio=inf
bad_value "ratio=1.5" "parameter ratio: 1.5 is above the maximum 1" "$tmp/rb/typed.lua" ratio=1.5
bad_value "size beyond max" "parameter size: 2T is above the maximum 1T" "$tmp/rb/typed.lua" size=2T
run --exec "$tmp/rb/typed.lua" ratio=0.25 ports=eth1,eth2
check "runbook: typed values reach run()" has 'ports=eth1+eth2 ratio=0.25 size=8589934592'
printf 'return vdeck.runbook { name = "b", params = { { name = "n", type = "integer", min = 1, default = 0 } }, run = function() end }\n' > "$tmp/rb/bad-default.lua"
run --exec "$tmp/rb/bad-default.lua"
check "runbook: a default outside its bounds is refused" has "param 'n': default: 0 is below the minimum 1"
printf 'return vdeck.runbook { name = "b", params = { { name = "n", type = "hosts" } }, run = function() end }\n' > "$tmp/rb/bad-type.lua"
run --exec "$tmp/rb/bad-type.lua"
check "runbook: an unknown param type is refused" has "param 'n' has an unknown type"
run --exec vcpu-set vm="$vm" count=1
check "runbook vcpu-set runs" rc 0
check "runbook vcpu-set reports the new count" has "after=1"
run --exec vcpu-set vm="$vm" count=999
check "runbook with refused op exits 1" rc 1
run --exec snapshot-create vm="$vm" prefix=nightly keep=1
check "snapshot-create runs" rc 0
check "snapshot-create summary" has "snapshots=1"
run --dry-run --exec evacuate-host host=cna01
check "evacuate-host dry-run runs" rc 0
check "evacuate-host dry-run summary" has "failed=0"
check "evacuate-host prints its plan" has 'evacuate cna01: '

# h:run is an operation: refused under --readonly, printed not run under
# --dry-run, audited when it runs (the demo's hosts run commands here).
mark="$tmp/ran-by-h-run"
audit="$XDG_STATE_HOME/vdeck/audit.jsonl"
run --readonly -e "return vdeck.host('cna01'):run('touch $mark')"
check "h:run under --readonly exits 1" rc 1
check "h:run under --readonly says why" has "--readonly: refusing to run a command on the host's shell"
check "h:run under --readonly ran nothing" test ! -e "$mark"
run --dry-run -e "local o, e, s = vdeck.host('cna01'):run('touch $mark') return { out = o, status = s }"
check "h:run under --dry-run exits 0" rc 0
check "h:run under --dry-run prints the command" has "sh -c 'touch $mark'"
check "h:run under --dry-run returns empty output and status 0" has 'out="" status=0'
check "h:run under --dry-run ran nothing" test ! -e "$mark"
before=$(grep -c '"operation":"run"' "$audit" 2>/dev/null)
run -e "local o, e, s = vdeck.host('cna01'):run('touch $mark; echo made') return { out = o, status = s }"
check "h:run runs" has 'out="made\n" status=0'
check "h:run did run" test -e "$mark"
after=$(grep -c '"operation":"run"' "$audit" 2>/dev/null)
check "h:run is audited (a started and a result record)" [ "$after" -eq $((before + 2)) ]

run --list-runbooks
for rb in vcpu-set memory-set disk-grow snapshot-create snapshot-revert snapshot-merge migrate evacuate-host rebalance numa-place; do
	check "--list-runbooks lists $rb" grep -q "^$rb " "$tmp/out"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
