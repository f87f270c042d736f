#!/bin/sh
# check-layers.sh — fail when a file includes a layer above its own, or a
# system header outside its one home (libvirt/libssh2 in conn, curses in tui,
# readline in repl, Lua in lua), or when production code knows the demo.
#
# The demo is a platform (htop's linux/ and darwin/): it fills the transport
# contract of conn/ and only main.c uses it, so it ranks with main, may
# include conn/ and below only, and no other file names it.
cd "$(dirname "$0")/.." || exit 2
rank() {
	case "$1" in
	core) echo 0 ;; metrics) echo 1 ;; model) echo 2 ;;
	conn) echo 4 ;; ops) echo 5 ;; lua) echo 6 ;; repl|exec) echo 7 ;;
	tui) echo 8 ;; *) echo 9 ;;   # main.c, and the demo beside it
	esac
}
bad=0
for f in $(find src -name '*.[ch]' | sort); do
	layer=$(echo "$f" | cut -d/ -f2)
	case "$layer" in *.c|*.h) layer=main ;; esac
	mine=$(rank "$layer")
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z]*\)\/.*".*/\1/p' "$f"); do
		theirs=$(rank "$inc")
		if [ "$theirs" -gt "$mine" ] || { [ "$theirs" -eq "$mine" ] && [ "$inc" != "$layer" ] && [ "$layer" != main ]; }; then
			echo "layer violation: $f ($layer) includes $inc/"; bad=1
		elif [ "$layer" = demo ] && [ "$theirs" -gt "$(rank conn)" ] && [ "$inc" != demo ]; then
			echo "layer violation: $f (demo, a platform) includes $inc/, above conn/"; bad=1
		fi
	done
	check_home() { # pattern home
		if grep -Eq "^[[:space:]]*#[[:space:]]*include[[:space:]]*<($1)" "$f" && [ "$layer" != "$2" ]; then
			echo "layer violation: $f includes <$1...> outside src/$2/"; bad=1
		fi
	}
	check_home 'libvirt/|libssh2' conn
	check_home 'curses|ncurses' tui
	check_home 'readline/' repl
	check_home 'lua\.h|lauxlib|lualib' lua
	case "$f" in src/demo/*|src/main.c) continue ;; esac
	# "demo" as a word or part of an identifier (demo_x, is_demo), not "demote".
	if grep -inE '(^|[^[:alnum:]])demo([^[:alpha:]]|$)' "$f" | sed "s|^|demo in production code: $f:|" | grep .; then
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "layers: ok"
exit $bad
