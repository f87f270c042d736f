#!/bin/sh
# test_balloon_lab.sh — memory-reclaim on a real guest: the lab's tiny guest
# (tests/lib/lab-guest.sh: Debian cloud kernel + busybox initramfs with the
# virtio balloon driver, 512 MiB) on QEMU (TCG) behind a private libvirtd.
# Once the balloon reports usable memory (virsh dommemstat):
#   - the dry run names VM, current, target and why, and changes nothing;
#   - a run with a high floor (min=70) lowers the balloon to the floor and
#     no further: the guest gives the memory back (dommemstat actual);
#   - a run with a low floor lowers it to used + headroom, where used is
#     the balloon less what the guest reports usable; the guest keeps about
#     the headroom usable and does not panic (a panic reboots it, and a
#     reboot destroys this domain);
#   - both changes are in the audit log, and vdeck.overcommit() counts the
#     512 MiB less the balloon as reclaimed on that host and the cluster.
# Run under the lab lock: flock /tmp/vdeck-lab.lock sh tests/integration/test_balloon_lab.sh
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
. "$LAB_LIB/lab-guest.sh"
VDECK=${VDECK:-$(cd "$(dirname "$0")/../.." && pwd)/vdeck}
MIB=1048576

if ! _why=$(lab_libvirtd_available) || ! _why=$(lab_guest_available); then
	lab_skip "balloon lab: $_why"
	lab_summary
	exit $?
fi
lab_init balloonlab
T0=$(lab_now)
lab_guest_build || { lab_fail "lab guest built (kernel package fetched, initramfs made)"; lab_summary; exit 1; }
lab_pass "lab guest: kernel $LAB_GUEST_VERSION ($(lab_elapsed "$T0") s, built once then cached)"
t=$(lab_now)
lab_libvirtd_start bal || { lab_fail "lab daemon up"; lab_summary; exit 1; }
URI=$(lab_libvirtd_uri bal)
lab_guest_define "$URI" tiny 512 || { lab_fail "guest started"; lab_summary; exit 1; }
if ! lab_guest_wait "$URI" tiny 180; then
	lab_fail "guest booted and its balloon reports usable memory"
	lab_summary
	exit 1
fi
lab_pass "guest booted, balloon statistics flowing ($(lab_elapsed "$t") s)"
timeout 10 virsh -q -c "$URI" dommemstat tiny | sed 's/^/# dommemstat: /'

memstat() { lab_guest_memstat "$URI" tiny "$1"; }
# balloon_at KIB: the guest has given back all it was asked to
balloon_at() { [ "$(memstat actual)" = "$1" ]; }
dominfo_used() {
	timeout 10 virsh -q -c "$URI" dominfo tiny | grep -Eq "^Used memory: +$1 KiB"
}
running() { [ "$(timeout 10 virsh -q -c "$URI" domstate tiny 2>/dev/null | head -n 1)" = running ]; }

export XDG_STATE_HOME="$LAB_ROOT/state"
AUDIT=$XDG_STATE_HOME/vdeck/audit.jsonl
echo "host { name = \"lab\", transport = \"none\", libvirt = \"$URI\", interval = 1 }" >"$LAB_ROOT/cluster.lua"
# reclaim [--dry-run] k=v...
reclaim() {
	_opt=
	[ "$1" = --dry-run ] && { _opt=$1; shift; }
	timeout 120 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock $_opt --exec memory-reclaim host=lab \
		headroom=128M min_gain=16M "$@"
}
# target_mib FILE: the "-> NM" of the runbook's line for tiny
target_mib() { sed -n 's/^lower tiny on lab: .* -> \([0-9]*\)M (.*/\1/p' "$1"; }

# --- dry run ---------------------------------------------------------------------
before=$(memstat actual)
t=$(lab_now)
reclaim --dry-run min=70 >"$LAB_ROOT/dry" 2>&1
rc=$?
echo "# dry run: $(lab_elapsed "$t") s, exit $rc"
sed 's/^/#   /' "$LAB_ROOT/dry"
lab_check "dry run exited 0" test "$rc" = 0
lab_check "dry run names VM, current, target (the floor, 70% of 512M) and why" grep -Eq \
	'^lower tiny on lab: 512M -> 359M \(guest uses [0-9.]+M of 512M \([0-9.]+M usable\), headroom 128M, held at the floor 70% of 512M\)' \
	"$LAB_ROOT/dry"
sleep 2
lab_check "dry run: the balloon is unchanged" test "$(memstat actual)" = "$before"
lab_check "dry run: no change in the audit log" sh -c "! grep -q '\"operation\":\"set_memory\".*\"result\":\"ok\"' '$AUDIT' 2>/dev/null"

# --- the floor holds ---------------------------------------------------------------
t=$(lab_now)
reclaim min=70 >"$LAB_ROOT/floor" 2>&1
rc=$?
echo "# run at min=70: $(lab_elapsed "$t") s, exit $rc"
sed 's/^/#   /' "$LAB_ROOT/floor"
lab_check "min=70 run exited 0" test "$rc" = 0
lab_check "min=70: held at the floor, 359M" test "$(target_mib "$LAB_ROOT/floor")" = 359
t=$(lab_now)
lab_check "the guest gave back down to 359M (dommemstat actual)" lab_wait 120 balloon_at $((359 * 1024))
echo "# balloon settled in $(lab_elapsed "$t") s"
# libvirt updates it from QEMU's balloon-change events, which QEMU spaces out
lab_check "virsh dominfo: used memory 359M" lab_wait 30 dominfo_used $((359 * 1024))
timeout 10 virsh -q -c "$URI" dominfo tiny | grep -i memory | sed 's/^/# dominfo: /'

# --- used + headroom ---------------------------------------------------------------
sleep 2   # a fresh statistics sample at the new size
cur=$(memstat actual) usable=$(memstat usable)
expect=$(( (cur - usable + 128 * 1024 + 1023) / 1024 ))
t=$(lab_now)
reclaim min=10 >"$LAB_ROOT/head" 2>&1
rc=$?
echo "# run at min=10: $(lab_elapsed "$t") s, exit $rc (virsh before: actual $cur KiB, usable $usable KiB -> ~${expect}M)"
sed 's/^/#   /' "$LAB_ROOT/head"
lab_check "min=10 run exited 0" test "$rc" = 0
got=$(target_mib "$LAB_ROOT/head")
lab_check "min=10: target is used + headroom (${got:-none}M, virsh says ~${expect}M)" \
	test -n "$got" -a "${got:-0}" -ge $((expect - 4)) -a "${got:-0}" -le $((expect + 4))
lab_check "min=10: target above the floor (52M) and below 359M" test "${got:-0}" -gt 52 -a "${got:-0}" -lt 359
t=$(lab_now)
lab_check "the guest gave back down to ${got:-?}M (dommemstat actual)" lab_wait 180 balloon_at $((${got:-0} * 1024))
echo "# balloon settled in $(lab_elapsed "$t") s"
lab_check "virsh dominfo: used memory ${got:-?}M" lab_wait 30 dominfo_used $((${got:-0} * 1024))
sleep 2
timeout 10 virsh -q -c "$URI" dommemstat tiny | sed 's/^/# dommemstat: /'
lab_check "the guest still runs (no panic)" running
lab_check "its console shows no panic and no OOM kill" sh -c \
	"! grep -Eq 'Kernel panic|Out of memory' '$LAB_ROOT/images/tiny.console'"
usable=$(memstat usable)
lab_check "the guest keeps about the headroom usable (${usable:-?} KiB, >= 96M)" \
	test "${usable:-0}" -ge $((96 * 1024))

lab_check "audit: set_memory to 359M, ok" sh -c \
	"grep '\"operation\":\"set_memory\"' '$AUDIT' | grep '\"result\":\"ok\"' | grep -q '$((359 * MIB))'"
lab_check "audit: set_memory to ${got:-?}M, ok" sh -c \
	"grep '\"operation\":\"set_memory\"' '$AUDIT' | grep '\"result\":\"ok\"' | grep -q '$((${got:-0} * MIB))'"

# --- vdeck.overcommit() ----------------------------------------------------------------
cat >"$LAB_ROOT/oc.lua" <<'LUA'
local o = vdeck.overcommit()
for _, h in ipairs(o.hosts) do
  if h.host == "lab" then
    print(string.format("host %d %d %d", h.configured, h.ballooned, h.balloon_reclaimed))
  end
end
print(string.format("cluster %d %d", o.cluster.balloon_reclaimed, o.cluster.hosts))
LUA
timeout 60 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --exec "$LAB_ROOT/oc.lua" >"$LAB_ROOT/oc" 2>&1
sed 's/^/# overcommit: /' "$LAB_ROOT/oc"
reclaimed=$(( (512 * 1024 - $(memstat actual)) * 1024 ))
lab_check "vdeck.overcommit(): host lab configured 512M, ballooned ${got:-?}M, reclaimed $reclaimed" \
	grep -qx "host $((512 * MIB)) $((${got:-0} * MIB)) $reclaimed" "$LAB_ROOT/oc"
lab_check "vdeck.overcommit(): the cluster counts the same reclaim" grep -qx "cluster $reclaimed 1" "$LAB_ROOT/oc"
echo "# total $(lab_elapsed "$T0") s"
lab_summary
