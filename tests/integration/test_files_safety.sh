#!/bin/sh
# test_files_safety.sh — the files vdeck runs code from or trusts keys from:
# "~" in ssh.known_hosts and ssh.identity is $HOME's (proved against a real
# sshd, with a decoy ./~/.ssh/known_hosts in the current directory), a
# missing known_hosts is reported and --accept-new-hostkeys creates it, a
# relative trust-store path is refused at its line, inventories and runbooks
# writable by others (or in such directories, or someone else's) are
# refused naming the file, and --exec NAME or require never take code from
# the current directory.
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/lib/sshd_test.sh"
# Every run starts in a directory that holds decoys: a cron job's cwd.
work=$tmp/work
mkdir -m 755 "$work"
cd "$work" || exit 1

run() { # run ARGS... : sets out (stdout and stderr) and rc
	out=$("$VDECK" "$@" 2>&1); rc=$?
}
run_home() { # run_home HOME ARGS... : run with that $HOME
	home_=$1; shift
	out=$(HOME=$home_ "$VDECK" "$@" 2>&1); rc=$?
}
refused() { # refused NAME WANT-IN-OUTPUT : exit 2 and the reason
	if [ "$rc" = 2 ]; then ok "$1: exit 2"; else fail "$1: exit 2" "exit $rc: $out"; fi
	contains "$1: says why" "$out" "$2"
}

# ---- trust-store paths must be absolute (or ~/) -----------------------------
cat > "$tmp/rel.lua" <<'LUA'
defaults { interval = 1 }
host { name = "a", address = "127.0.0.1", libvirt = "test:///default", ssh = { known_hosts = ".ssh/known_hosts" } }
LUA
run -c "$tmp/rel.lua" --connect-timeout 1 --check
refused "relative known_hosts" "$tmp/rel.lua:2: host a ssh: field 'known_hosts' must be an absolute path or start with ~/"
cat > "$tmp/relid.lua" <<'LUA'
defaults { ssh = { identity = "id_ed25519" } }
host { name = "a", address = "127.0.0.1", libvirt = "test:///default" }
LUA
run -c "$tmp/relid.lua" --connect-timeout 1 --check
refused "relative identity" "$tmp/relid.lua:1: defaults ssh: field 'identity' must be an absolute path"

# ---- inventories ------------------------------------------------------------
mkdir -m 755 "$tmp/cfg"
cat > "$tmp/cfg/inv.lua" <<'LUA'
host { name = "lv", transport = "none", libvirt = "test:///default" }
LUA
chmod 644 "$tmp/cfg/inv.lua"
run -c "$tmp/cfg/inv.lua" -e 'print("inventory ran")'
contains "a 0644 inventory in 0755 directories (under root's sticky /tmp) loads" "$out" "inventory ran"
chmod 666 "$tmp/cfg/inv.lua"
run -c "$tmp/cfg/inv.lua" -e 'print("inventory ran")'
refused "world-writable inventory" "inventory $tmp/cfg/inv.lua: refused: $tmp/cfg/inv.lua is world-writable (mode 0666)"
chmod 664 "$tmp/cfg/inv.lua"
run -c "$tmp/cfg/inv.lua" -e 'print("inventory ran")'
refused "group-writable inventory" "is group-writable (mode 0664)"
chmod 644 "$tmp/cfg/inv.lua"
chmod 777 "$tmp/cfg"
run -c "$tmp/cfg/inv.lua" -e 'print("inventory ran")'
refused "inventory in a world-writable directory" "directory $tmp/cfg is world-writable (mode 0777)"
chmod 755 "$tmp/cfg"
out=$(VDECK_CONFIG=$tmp/cfg/inv.lua "$VDECK" -e 'print("inventory ran")' 2>&1)
contains "\$VDECK_CONFIG is read when safe" "$out" "inventory ran"
if [ "$(id -u)" = 0 ]; then
	chown 4321 "$tmp/cfg/inv.lua"
	run -c "$tmp/cfg/inv.lua" -e 'print("inventory ran")'
	refused "someone else's inventory" "$tmp/cfg/inv.lua is owned by uid 4321, neither root nor uid 0"
	chown 0 "$tmp/cfg/inv.lua"
	chmod 1777 "$tmp/cfg"
	run -c "$tmp/cfg/inv.lua" -e 'print("inventory ran")'
	contains "root's sticky directory (like /tmp) is allowed" "$out" "inventory ran"
	chmod 755 "$tmp/cfg"
else
	skip "foreign owners and root's sticky directories need root"
fi

# ---- runbooks ---------------------------------------------------------------
rbdir=$tmp/config/vdeck/runbooks
mkdir -p "$rbdir"
chmod 755 "$tmp/config" "$tmp/config/vdeck" "$rbdir"
echo 'print("probe from the runbook directory")' > "$rbdir/probe.lua"
chmod 644 "$rbdir/probe.lua"
printf 'print("probe from the current directory")\nio.open("%s/ran", "w"):close()\n' "$tmp" > "$work/probe.lua"
cp "$work/probe.lua" "$work/migrate.lua"
chmod 644 "$work/probe.lua" "$work/migrate.lua"
run --demo=1x1 --no-lock --exec probe
contains "--exec NAME runs the runbook directory's file" "$out" "probe from the runbook directory"
run --demo=1x1 --no-lock --dry-run --exec migrate
contains "--exec NAME of a shipped runbook runs the shipped one" "$out" "parameter vm is required"
rm "$rbdir/probe.lua"
run --demo=1x1 --no-lock --exec probe
refused "--exec NAME found only in the current directory" "no runbook probe in $rbdir"
contains "and says how to run a local file" "$out" "./probe"
run --demo=1x1 --no-lock --exec probe.lua
refused "--exec NAME.lua found only in the current directory" "no runbook probe.lua"
[ ! -e "$tmp/ran" ] && ok "the current directory's file never ran" || fail "the current directory's file never ran"
run --demo=1x1 --no-lock --exec ./probe.lua
contains "--exec ./PATH runs the file named" "$out" "probe from the current directory"
rm -f "$tmp/ran"
chmod 666 "$work/probe.lua"
run --demo=1x1 --no-lock --exec ./probe.lua
refused "world-writable script" "./probe.lua: refused: $work/probe.lua is world-writable (mode 0666)"
[ ! -e "$tmp/ran" ] && ok "the refused script did not run" || fail "the refused script did not run"
cat > "$rbdir/grow.lua" <<'LUA'
return vdeck.runbook { name = "grow", description = "probe", params = {}, run = function() print("grow ran") end }
LUA
chmod 644 "$rbdir/grow.lua"
run --demo=1x1 --no-lock --exec grow
contains "a safe runbook by name runs" "$out" "grow ran"
chmod 646 "$rbdir/grow.lua"
run --demo=1x1 --no-lock --exec grow
refused "world-writable runbook by name" "--exec $rbdir/grow.lua: refused: $rbdir/grow.lua is world-writable (mode 0646)"
run --demo=1x1 --list-runbooks
contains "--list-runbooks names the refused runbook" "$out" "$rbdir/grow.lua is world-writable"
chmod 644 "$rbdir/grow.lua"
chmod 775 "$rbdir"
run --demo=1x1 --no-lock --exec grow
refused "runbook in a group-writable directory" "directory $rbdir is group-writable (mode 0775)"
chmod 755 "$rbdir"

# ---- require never searches the current directory ---------------------------
printf 'io.open("%s/ran", "w"):close()\nreturn {}\n' "$tmp" > "$work/evil.lua"
chmod 644 "$work/evil.lua"
run --demo=1x1 -e 'print("require:", (pcall(require, "evil")))'
contains "require does not find ./evil.lua" "$out" "require:	false"
[ ! -e "$tmp/ran" ] && ok "./evil.lua never ran" || fail "./evil.lua never ran"

# ---- the man page and --help say what runs code -----------------------------
run --help
contains "--help says -c, -e and --exec PATH run code" "$out" "-c FILE, -e CODE and --exec PATH run Lua code"
contains "--help warns about sudo rules" "$out" "sudo rule"
check "vdeck.1 says -c, -e and --exec PATH run code, and what a sudo rule must be" grep -q 'A sudo rule for vdeck must name the whole command line' "$root/doc/vdeck.1"

# ---- "~" against a real sshd ------------------------------------------------
if ! sshd_start >/dev/null 2>&1; then
	skip "sshd cannot run here"
	finish; exit $?
fi
home=$tmp/home
mkdir -p "$home/.ssh"
chmod 755 "$home"; chmod 700 "$home/.ssh"
cp "$SSHD_KEY" "$home/.ssh/id_ed25519" && chmod 600 "$home/.ssh/id_ed25519"
cp "$SSHD_KNOWN_HOSTS" "$home/.ssh/known_hosts" && chmod 644 "$home/.ssh/known_hosts"
# The decoy: before "~" was expanded, ./~/.ssh/known_hosts was the file read.
mkdir -p "$work/~/.ssh"
cat > "$tmp/tilde.lua" <<LUA
defaults { ssh = { user = "$SSHD_USER", port = $SSHD_PORT, identity = "~/.ssh/id_ed25519", known_hosts = "~/.ssh/known_hosts" } }
host { name = "s", address = "127.0.0.1", libvirt = "test:///default" }
LUA
chmod 644 "$tmp/tilde.lua"
state='local h = vdeck.host("s"); print("state=" .. h.state, h.shell_error)'
run_home "$home" -c "$tmp/tilde.lua" --connect-timeout 3 -e "$state"
contains "~/.ssh/known_hosts and ~/.ssh/id_ed25519 are \$HOME's: the host is up" "$out" "state=up"
# Only known_hosts has "~" from here on: what is refused is the host key.
cat > "$tmp/kh.lua" <<LUA
defaults { ssh = { user = "$SSHD_USER", port = $SSHD_PORT, identity = "$home/.ssh/id_ed25519", known_hosts = "~/.ssh/known_hosts" } }
host { name = "s", address = "127.0.0.1", libvirt = "test:///default" }
LUA
chmod 644 "$tmp/kh.lua"
: > "$home/.ssh/known_hosts"
cp "$SSHD_KNOWN_HOSTS" "$work/~/.ssh/known_hosts"
run_home "$home" -c "$tmp/kh.lua" --connect-timeout 3 -e "$state"
contains "\$HOME's known_hosts without the key: refused (the decoy in ./~ is not read)" "$out" "state=degraded"
contains "the refusal names \$HOME's file" "$out" "not in $home/.ssh/known_hosts"
rm "$home/.ssh/known_hosts"
run_home "$home" -c "$tmp/kh.lua" --connect-timeout 3 -e "$state"
contains "a missing known_hosts: refused" "$out" "state=degraded"
contains "the refusal says the file does not exist" "$out" "known_hosts file $home/.ssh/known_hosts does not exist"
contains "a warning at start says it too" "$out" "warning: known_hosts $home/.ssh/known_hosts does not exist"
rm -rf "$work/~"

# --accept-new-hostkeys with the default known_hosts and no ~/.ssh at all.
home2=$tmp/home2
mkdir -p "$home2/keys"
chmod 755 "$home2" "$home2/keys"
cp "$SSHD_KEY" "$home2/keys/id" && chmod 600 "$home2/keys/id"
cat > "$tmp/learn.lua" <<LUA
defaults { ssh = { user = "$SSHD_USER", port = $SSHD_PORT, identity = "~/keys/id" } }
host { name = "s", address = "127.0.0.1", libvirt = "test:///default" }
LUA
chmod 644 "$tmp/learn.lua"
run_home "$home2" -c "$tmp/learn.lua" --connect-timeout 3 --accept-new-hostkeys -e "$state"
contains "--accept-new-hostkeys: the host is up" "$out" "state=up"
check "the key is recorded in \$HOME/.ssh/known_hosts" grep -q "^\[127.0.0.1\]:$SSHD_PORT ssh-ed25519 " "$home2/.ssh/known_hosts"
contains "\$HOME/.ssh is made 0700" "$(stat -c %a "$home2/.ssh" 2>&1)" "700"
contains "and known_hosts 0600" "$(stat -c %a "$home2/.ssh/known_hosts" 2>&1)" "600"
[ ! -e "$work/~" ] && ok "nothing is written under ./~" || fail "nothing is written under ./~" "$(find "$work/~")"
run_home "$home2" -c "$tmp/learn.lua" --connect-timeout 3 -e "$state"
contains "the next run trusts the learned key" "$out" "state=up"
# A known_hosts others may write is no trust store.
chmod 666 "$home2/.ssh/known_hosts"
run_home "$home2" -c "$tmp/learn.lua" --connect-timeout 3 -e "$state"
refused "a world-writable known_hosts" "the default known_hosts $home2/.ssh/known_hosts: refused"
chmod 600 "$home2/.ssh/known_hosts"
chmod 646 "$home2/keys/id"
run_home "$home2" -c "$tmp/learn.lua" --connect-timeout 3 -e "$state"
refused "a world-writable identity" "$tmp/learn.lua:1: defaults ssh: identity $home2/keys/id: refused"

finish
