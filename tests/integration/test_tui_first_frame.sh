#!/bin/sh
# test_tui_first_frame.sh — the console draws its first screen (every host
# listed, "connecting") before any host connection starts: no key exchange
# or libvirt open runs in front of the first draw (issue 12).  Each host's
# libvirt URI runs, as its ssh command, a script that notes whether the
# console's frame log (VDECK_BENCH_FRAMES) already holds a frame when libvirt
# spawns it; every note must say "after".
cd "$(dirname "$0")/../.." || exit 2
. tests/integration/tui_lib.sh
tui_setup

cat >"$TMP/ssh" <<EOF
#!/bin/sh
if [ -s "$TMP/frames" ]; then echo after; else echo before; fi >>"$TMP/opens"
exit 1
EOF
chmod 755 "$TMP/ssh"
{
	for i in 1 2 3 4 5 6 7 8; do
		printf 'host { name = "h%d", transport = "none",\n' "$i"
		printf '       libvirt = "test+ssh://nobody@127.0.0.1/default?no_tty=1&command=%s" }\n' "$TMP/ssh"
	done
} >"$TMP/cluster.lua"

TUI_ENV="VDECK_BENCH_FRAMES=$TMP/frames" tui_start 160 48 -c "$TMP/cluster.lua"
check "the first screen lists every host" '^  h8 ' 10
i=0
while [ "$(wc -l <"$TMP/opens" 2>/dev/null || echo 0)" -lt 8 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
n=$(wc -l <"$TMP/opens" 2>/dev/null || echo 0)
if [ "$n" -ge 8 ]; then ok "every host's libvirt open ran ($n)"; else bad "libvirt opens ran" "$n of 8"; fi
if [ "$n" -ge 8 ] && ! grep -q before "$TMP/opens"; then
	ok "no libvirt open started before the first frame"
else
	bad "libvirt opens after the first frame" "$(sort "$TMP/opens" | uniq -c)"
fi
first=$(head -1 "$TMP/frames")
case $first in
*" cluster 8 "*) ok "the first frame is the Cluster view with the 8 hosts" ;;
*) bad "first frame" "$first" ;;
esac
keys q
tui_summary
