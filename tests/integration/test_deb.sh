#!/bin/sh
# test_deb.sh — the Debian package, end to end, as root:
#   - `make deb` builds it in a copy of the tree (the checkout stays clean),
#     versioned as the Makefile's VERSION;
#   - lintian reports no error and no warning;
#   - `apt-get install ./vdeck_*.deb` installs it; /usr/bin/vdeck reports
#     the version, runs a demo one-liner and lists the runbooks from
#     /usr/share/vdeck; man page, completions, type stubs, example
#     inventory and copyright are where Debian looks for them;
#   - `apt-get purge` leaves none of its files (dpkg -L before, gone after).
cd "$(dirname "$0")/../.." || exit 2
want=$(ls lua/runbooks/*.lua | wc -l)   # the runbooks the tree ships
. tests/lib/harness.sh
if [ "$(id -u)" != 0 ]; then
	skip "test_deb: apt-get install needs root"
	finish; exit
fi
if dpkg-query -W -f='${Status}' vdeck 2>/dev/null | grep -q 'ok installed'; then
	skip "test_deb: a vdeck package is already installed on this machine; not touching it"
	finish; exit
fi
tmp=$(mktemp -d)
installed=0
cleanup() {
	[ $installed -eq 1 ] && apt-get purge -y -q vdeck >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 "$@"; }
version=$(sed -n 's/^VERSION *:= *//p' Makefile)

# --- build ----------------------------------------------------------------------
before=$(git status --porcelain 2>/dev/null)
if make --no-print-directory deb DEBDIR="$tmp/deb" >"$tmp/build.log" 2>&1; then
	ok "make deb builds"
else
	fail "make deb builds" "$(tail -n 20 "$tmp/build.log")"
	finish; exit
fi
deb=$(ls "$tmp"/deb/vdeck_"$version"_*.deb 2>/dev/null)
check "the package is versioned $version" test -f "$deb"
check "the checkout is left as it was" test "$(git status --porcelain 2>/dev/null)" = "$before"

# --- lintian ----------------------------------------------------------------
lintian "$tmp"/deb/vdeck_"$version"_*.changes >"$tmp/lintian" 2>&1
tags=$(grep -E '^[EW]: ' "$tmp/lintian")
check "lintian: no error, no warning${tags:+ ($tags)}" test -z "$tags"

# --- install -------------------------------------------------------------------
if apt_get install -y -q "$deb" >"$tmp/install.log" 2>&1; then
	installed=1; ok "apt-get install ./vdeck_$version.deb"
else
	fail "apt-get install" "$(tail -n 20 "$tmp/install.log")"
	finish; exit
fi
dpkg -L vdeck | sort >"$tmp/files"
# Run from elsewhere, with no build tree or data directory in sight.
cd "$tmp" || exit 2
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state" XDG_RUNTIME_DIR="$tmp/run"
unset VDECK_DATADIR VDECK_CONFIG
out=$(/usr/bin/vdeck --version 2>&1)
check "/usr/bin/vdeck --version says $version" test "$out" = "vdeck $version"
out=$(/usr/bin/vdeck --demo -e 'return #vdeck.hosts()' 2>&1)
check "the demo one-liner runs (8 hosts: '$out')" test "$out" = 8
/usr/bin/vdeck --demo --json --list-runbooks >"$tmp/runbooks" 2>&1
n=$(grep -c '"path":"/usr/share/vdeck/lua/runbooks/' "$tmp/runbooks")
check "--list-runbooks lists the $want shipped runbooks from /usr/share/vdeck ($n)" test "$n" = "$want"
# Runbooks that require a shared Lua module find it under /usr/share/vdeck/lua.
check "rebalance (require \"planlib\") runs from the installed files" \
	/usr/bin/vdeck --demo --dry-run --exec rebalance by=memory
for f in /usr/share/man/man1/vdeck.1.gz /usr/share/doc/vdeck/copyright \
	 /usr/share/doc/vdeck/examples/cluster.lua /usr/share/vdeck/themes/mono.theme \
	 /usr/share/bash-completion/completions/vdeck /usr/share/zsh/vendor-completions/_vdeck \
	 /usr/share/vdeck/types/vdeck.lua; do
	check "installed: $f" grep -qx "$f" "$tmp/files"
done
out=$(/usr/bin/vdeck -q -c /usr/share/doc/vdeck/examples/cluster.lua -e 'return #vdeck.hosts()' 2>&1)
check "the example inventory loads (5 hosts: '$out')" test "$out" = 5

# --- purge ---------------------------------------------------------------------
apt_get purge -y -q vdeck >"$tmp/purge.log" 2>&1 && installed=0
check "apt-get purge vdeck" test $installed -eq 0
check "dpkg no longer knows vdeck" sh -c '! dpkg-query -W vdeck >/dev/null 2>&1'
left=
while read -r f; do
	# Directories shared with other packages (/usr/share/man/man1) stay.
	[ "$f" = /. ] && continue
	[ -d "$f" ] && dpkg-query -S "$f" >/dev/null 2>&1 && continue
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done <"$tmp/files"
check "nothing of the package is left${left:+:$left}" test -z "$left"
finish
