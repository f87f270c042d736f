#!/bin/sh
# check-layers.sh — reads the symbols every object defines and uses (nm over
# build/obj/src/**/*.o) and fails on any call between layers that goes up or
# sideways, and on any library call outside that library's home layers.
#
# Usage: check-layers.sh [OBJDIR [PROGRAM [SRCDIR]]]
#   OBJDIR   the compiled src/ tree (default build/obj/src); an object's layer
#            is its folder under OBJDIR, main.o at the top is `main`.
#   PROGRAM  the linked vdeck (default ./vdeck); `ldd PROGRAM` names the exact
#            library files whose exported symbols (nm -D) define each library.
#   SRCDIR   the sources (default src): no file outside SRCDIR/demo and
#            main.c may name the demo at all — a field, a flag, a comment
#            ("demo" as a word or inside an identifier; "demote" is fine).
#
# Layers, each may call only layers of a lower rank:
#   0 core      1 metrics   2 model     3 conn      4 ops
#   5 lua       6 tui, repl, exec (they never call each other)   7 main
#   demo has rank 4: a platform beside ops (htop's linux/ and darwin/).  It
#   may use conn and below (it fills the transport contract a real host
#   fills), and only main.c calls it (tests link it too, but they are not
#   under OBJDIR).
#
# Library homes (where the library's own symbols may be called):
#   libvirt, libssh2   conn
#   libxml2            metrics (domain/GPU/LUN XML parsers), conn (XPath over
#                      libvirt's answers, the generic error handler), ops
#                      (snapshot and restore XML builders)
#   curses             tui  (libncursesw and libtinfo)
#   readline           repl (the Lua shell), tui (the console's `:` line,
#                      readline's callback interface: tui/cmdline.c)
#   Lua                lua
#   libcurl            conn (Prometheus's HTTP API, conn/prom_source.c)
#   jansson            metrics (Prometheus's JSON answers), lua (--json output)
#
# Each object is one check: it passes when it has no violation.  A violation
# names the object, the symbol and the two layers (or the library).
cd "$(dirname "$0")/.." || exit 2
set -f   # the globs below are matched against sonames, never expanded
objdir=${1:-build/obj/src}; objdir=${objdir%/}
program=${2:-./vdeck}
srcdir=${3:-src}; srcdir=${srcdir%/}

# Allowed exceptions, printed on every run but not failing: lines of
# CALLER-LAYER CALLEE-LAYER SYMBOL-GLOB, each with its reason.  None today.
allow='
'

libs='
libvirt  conn              libvirt.so*
libssh2  conn              libssh2.so*
libxml2  metrics,conn,ops  libxml2.so*
curses   tui               libncurses*.so* libtinfo*.so*
readline repl,tui          libreadline.so* libhistory.so*
Lua      lua               liblua*.so*
libcurl  conn              libcurl*.so*
jansson  metrics,lua       libjansson.so*
'

[ -d "$objdir" ] || { echo "check-layers: no objects in $objdir (build vdeck first)"; exit 2; }
[ -x "$program" ] || { echo "check-layers: no program $program (build vdeck first)"; exit 2; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM

# One "LIBRARY HOMES SYMBOL" line per exported symbol of each library.
ldd "$program" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' >"$tmp/loaded"
echo "$libs" | while read -r name homes globs; do
	[ -n "$name" ] || continue
	found=0
	while read -r soname path; do
		for g in $globs; do
			# shellcheck disable=SC2254  # $g is a glob on purpose
			case $soname in $g)
				found=1
				nm -D -P --defined-only "$path" |
					awk -v n="$name" -v h="$homes" '$2 != "A" { sub(/@.*/, "", $1); print n, h, $1 }' ;;
			esac
		done
	done <"$tmp/loaded"
	[ $found -eq 1 ] || { echo "check-layers: $program loads no $name library ($globs)" >&2; echo fail; }
done >"$tmp/libsyms"
grep -qx fail "$tmp/libsyms" && exit 2

# One "OBJECT SYMBOL TYPE" line per global symbol of each object.
find "$objdir" -name '*.o' | sort >"$tmp/objects"
[ -s "$tmp/objects" ] || { echo "check-layers: no objects in $objdir"; exit 2; }
# shellcheck disable=SC2046
nm -A -P -g $(cat "$tmp/objects") >"$tmp/syms" || exit 2

echo "$allow" >"$tmp/allow"
# Production code that names the demo: one failed check per line found.
find "$srcdir" -name '*.[ch]' ! -path "$srcdir/demo/*" ! -path "$srcdir/main.c" | sort |
	xargs grep -inE '(^|[^[:alnum:]])demo([^[:alpha:]]|$)' >"$tmp/demotext" || true
awk -v objdir="$objdir/" '
BEGIN { split("core 0 metrics 1 model 2 conn 3 ops 4 demo 4 lua 5 tui 6 repl 6 exec 6 main 7", r, " ")
	for (i = 1; i in r; i += 2) rank[r[i]] = r[i + 1] }
FILENAME ~ /demotext$/ { report[++nbad] = "layer violation: demo in production code: " $0; ndemo++; next }
FILENAME ~ /allow$/ { if (NF == 3) { nallow++; acall[nallow] = $1; acallee[nallow] = $2; aglob[nallow] = $3 }; next }
FILENAME ~ /libsyms$/ { if (!($3 in lib)) { lib[$3] = $1; home[$3] = "," $2 "," }; next }
FILENAME ~ /objects$/ { obj = substr($0, length(objdir) + 1); order[++nobj] = obj
	layer[obj] = (obj ~ /\//) ? substr(obj, 1, index(obj, "/") - 1) : "main"; next }
{	# "DIR/x.o: sym T ..." (nm -A -P)
	obj = substr($1, length(objdir) + 1); sub(/:$/, "", obj)
	if ($3 == "U" || $3 == "w" || $3 == "v") uses[++nuse] = obj SUBSEP $2
	else definer[$2] = obj
}
function glob_match(s, g) { gsub(/\*/, ".*", g); return s ~ ("^" g "$") }
function allowed(from, to, sym,   i) {
	for (i = 1; i <= nallow; i++)
		if (acall[i] == from && acallee[i] == to && glob_match(sym, aglob[i])) { aused[i] = 1; return 1 }
	return 0
}
# Violations are printed last, so a short tail of the output shows them.
function bad(obj, msg) { report[++nbad] = "layer violation: " msg; failed[obj] = 1 }
END {
	for (i = 1; i <= nobj; i++)
		if (!(layer[order[i]] in rank)) bad(order[i], order[i] " is in an unknown layer `" layer[order[i]] "`")
	for (i = 1; i <= nuse; i++) {
		split(uses[i], u, SUBSEP); obj = u[1]; sym = u[2]; from = layer[obj]
		if (!(from in rank)) continue
		if (sym in definer) {
			to = layer[definer[sym]]
			if (to == from || !(to in rank)) continue
			if (to == "demo" && from != "main") why = "demo is a platform only main.c calls"
			else if (rank[to] > rank[from]) why = "upward"
			else if (rank[to] == rank[from]) why = "sideways"
			else continue
			edge = obj " (" from ") calls " sym " from " definer[sym] " (" to "): " why
			if (allowed(from, to, sym)) print "allowed for now: " edge
			else bad(obj, edge)
		} else if (sym in lib && index(home[sym], "," from ",") == 0) {
			h = substr(home[sym], 2, length(home[sym]) - 2); gsub(/,/, " ", h)
			bad(obj, obj " (" from ") calls " sym " from " lib[sym] ", whose home is " h)
		}
	}
	for (i = 1; i <= nallow; i++) if (!aused[i])
		print "note: temporary allowance `" acall[i] " " acallee[i] " " aglob[i] "` matches nothing now; delete it"
	for (i = 1; i <= nbad; i++) print report[i]
	nf = 0; for (o in failed) nf++
	nf += ndemo
	printf "%d passed, %d failed\n", nobj - (nf - ndemo), nf
	exit nf > 0
}' "$tmp/demotext" "$tmp/allow" "$tmp/libsyms" "$tmp/objects" "$tmp/syms"
