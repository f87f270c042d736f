#!/bin/sh
# check-layers.sh — fail when a file includes a layer above its own, or a
# system header outside its one home (libvirt/libssh2 in conn, curses in tui,
# readline in repl, Lua in lua).
cd "$(dirname "$0")/.." || exit 2
rank() {
	case "$1" in
	core) echo 0 ;; metrics) echo 1 ;; model) echo 2 ;; demo) echo 3 ;;
	conn) echo 4 ;; ops) echo 5 ;; lua) echo 6 ;; repl|exec) echo 7 ;;
	tui) echo 8 ;; *) echo 9 ;;
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
done
[ $bad -eq 0 ] && echo "layers: ok"
exit $bad
