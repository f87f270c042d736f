#!/bin/sh
# test_clean_exit.sh — vdeck leaves promptly and cleanly while hosts hang:
# one in TCP connect (a listener whose backlog is full drops the SYN), one in
# the SSH handshake (accepts, never sends a banner), one half-way through a
# poll reply (a real sshd whose forced command prints part of it and sleeps)
# and one in libvirt's open (qemu+tcp to a listener that never answers).
# For --exec, an interrupted -e and the console's q: the exit comes within
# 3 s of the script's end (or the key), with the expected status and, under
# build/vdeck-asan, no AddressSanitizer or LeakSanitizer report.
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
. tests/integration/tui_lib.sh
tui_setup
SSHD_NO_TRAP=1
. tests/lib/sshd.sh
cleanup() {
	[ -n "$HOLES_PID" ] && kill "$HOLES_PID" 2>/dev/null
	[ -n "$RUN_PID" ] && [ -s "$TMP/pid" ] && kill "$(cat "$TMP/pid")" 2>/dev/null
	sshd_stop >/dev/null 2>&1
	tui_cleanup
}
trap cleanup EXIT INT TERM
: "${LSAN_OPTIONS:=suppressions=$root/tests/lsan.supp}"
export LSAN_OPTIONS
unset SSH_AUTH_SOCK
if ! command -v python3 >/dev/null 2>&1; then
	skip "python3 is needed for the hanging listeners"; tui_summary; exit 0
fi
chmod 755 "$TMP"
if ! SSHD_EXTRA_CONFIG= sshd_start >/dev/null 2>&1; then
	skip "sshd cannot run here"; tui_summary; exit 0
fi
T=5   # --connect-timeout: every hang outlasts the exit being measured

# The half-read host logs in with its own key, whose forced command prints
# the start of a poll reply and never the end marker.
mkdir -m 777 "$TMP/marks"
ssh-keygen -q -t ed25519 -N '' -f "$TMP/half_id"
cat > "$TMP/half.sh" <<SH
printf '\036F /proc/loadavg\n0.10 0.20'
: > "$TMP/marks/half.\$\$"
exec sleep 60
SH
chmod 644 "$TMP/half.sh"
printf 'command="sh %s" %s\n' "$TMP/half.sh" "$(cut -d' ' -f1,2 "$TMP/half_id.pub")" >> "$SSHD_DIR/authorized_keys"

# Listeners: "syn" has its backlog full (connects hang in SYN_SENT), "mute"
# and "virt" accept and never write.
python3 - "$TMP/ports" <<'PY' &
import socket, sys, time
syn = socket.socket(); syn.bind(("127.0.0.1", 0)); syn.listen(0)
filler = []
for _ in range(3):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(syn.getsockname())
    except BlockingIOError: pass
    filler.append(c)
time.sleep(0.3)
for c in filler:   # keep the queued connection, drop those still in SYN_SENT
    try: c.getpeername()
    except OSError: c.close()
quiet = []
for _ in range(2):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0)); s.listen(16); s.setblocking(False); quiet.append(s)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(" ".join(str(s.getsockname()[1]) for s in [syn] + quiet))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    for s in quiet:
        try: held.append(s.accept()[0])
        except BlockingIOError: pass
    time.sleep(0.05)
PY
HOLES_PID=$!
wait_file "$TMP/ports" 5 || { bad "listeners started"; tui_summary; exit 1; }
read -r syn_port mute_port virt_port < "$TMP/ports"

cat > "$TMP/cluster.lua" <<LUA
defaults { ssh = { user = "$SSHD_USER", known_hosts = "$SSHD_KNOWN_HOSTS", identity = "$SSHD_KEY" },
           interval = 0.2 }
host { name = "syn", address = "127.0.0.1", libvirt = "test:///default", ssh = { port = $syn_port } }
host { name = "mute", address = "127.0.0.1", libvirt = "test:///default", ssh = { port = $mute_port } }
host { name = "half", address = "127.0.0.1", libvirt = "test:///default",
       ssh = { port = $SSHD_PORT, identity = "$TMP/half_id" } }
host { name = "virt", transport = "none", libvirt = "qemu+tcp://127.0.0.1:$virt_port/system" }
LUA

# probe.sh: 0 when every host hangs right now, seen from vdeck's side of
# each connection (remote port, TCP state: 02 SYN_SENT, 01 ESTABLISHED).
hex() { printf '%04X' "$1"; }
cat > "$TMP/probe.sh" <<SH
ls "$TMP"/marks/half.* >/dev/null 2>&1 || exit 1
awk 'NR > 1 { if (\$3 ~ /:$(hex "$syn_port")\$/ && \$4 == "02") a = 1
             if (\$3 ~ /:$(hex "$mute_port")\$/ && \$4 == "01") b = 1
             if (\$3 ~ /:$(hex "$SSHD_PORT")\$/ && \$4 == "01") c = 1
             if (\$3 ~ /:$(hex "$virt_port")\$/ && \$4 == "01") d = 1 }
     END { exit !(a && b && c && d) }' /proc/net/tcp
SH
all_hanging() { sh "$TMP/probe.sh"; }
wait_hanging() {
	n=0
	while ! all_hanging && [ $n -lt 300 ]; do sleep 0.05; n=$((n + 1)); done
	all_hanging
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
no_report() { # NAME FILE
	if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$2"; then
		bad "$1" "$(grep -E -A12 'ERROR: |runtime error:' "$2" | head -n 40)"
	else
		ok "$1"
	fi
}

# The script waits until every host hangs, notes the time and returns.
# Marks of an earlier round go first: the half-read host is caught in one.
cat > "$TMP/wait.lua" <<LUA
os.execute("rm -f '$TMP'/marks/half.*")
local function hanging() return os.execute("sh '$TMP/probe.sh'") end
local deadline = os.time() + 20
local all = hanging()
while not all and os.time() < deadline do os.execute("sleep 0.05"); all = hanging() end
print(all and "all hosts hang" or "hosts not hanging")
os.execute("date +%s%N > '$TMP/ended'")
LUA

# run_bg ARGS...: vdeck in the background; its status lands in $TMP/rc and
# the time it ended in $TMP/exited.
run_bg() {
	rm -f "$TMP/ended" "$TMP/exited" "$TMP/rc" "$TMP/pid"
	( "$VDECK" "$@" > "$TMP/out" 2> "$TMP/err" & echo $! > "$TMP/pid"
	  wait $!; echo $? > "$TMP/rc"; date +%s%N > "$TMP/exited" ) &
	RUN_PID=$!
}
waited_ms() { # ms between $1's timestamp and vdeck's end
	echo $(( ($(cat "$TMP/exited") - $(cat "$1")) / 1000000 ))
}

# --exec: the script returns while the hosts hang.
run_bg -c "$TMP/cluster.lua" --connect-timeout $T --exec "$TMP/wait.lua"
wait_file "$TMP/exited" 40
wait "$RUN_PID"; RUN_PID=
if grep -q "all hosts hang" "$TMP/out"; then ok "--exec: every host hangs when the script ends"
else bad "--exec: every host hangs when the script ends" "$(cat "$TMP/out" "$TMP/err")"; fi
ms=$(waited_ms "$TMP/ended")
[ "$ms" -le 3000 ] && ok "--exec: exit ${ms} ms after the script ended" || bad "--exec exits within 3 s" "${ms} ms"
[ "$(cat "$TMP/rc")" = 0 ] && ok "--exec: exit status 0" || bad "--exec: exit status 0" "rc=$(cat "$TMP/rc") $(tail -n 5 "$TMP/err")"
no_report "--exec: no sanitizer report" "$TMP/err"

# -e interrupted (SIGINT) while the hosts hang: status 130.
run_bg -c "$TMP/cluster.lua" --connect-timeout $T -e "dofile('$TMP/wait.lua') while true do end"
wait_file "$TMP/ended" 40
kill -INT "$(cat "$TMP/pid")"
date +%s%N > "$TMP/signalled"
wait_file "$TMP/exited" 30
wait "$RUN_PID"; RUN_PID=
if grep -q "all hosts hang" "$TMP/out"; then ok "-e: every host hangs when ^C comes"
else bad "-e: every host hangs when ^C comes" "$(cat "$TMP/out" "$TMP/err")"; fi
ms=$(waited_ms "$TMP/signalled")
[ "$ms" -le 3000 ] && ok "-e: exit ${ms} ms after ^C" || bad "-e exits within 3 s of ^C" "${ms} ms"
[ "$(cat "$TMP/rc")" = 130 ] && ok "-e: exit status 130" || bad "-e: exit status 130" "rc=$(cat "$TMP/rc") $(tail -n 5 "$TMP/err")"
no_report "-e: no sanitizer report" "$TMP/err"

# The console: q while the hosts hang.
rm -f "$TMP"/marks/half.*
tui_start 120 30 -c "$TMP/cluster.lua" --connect-timeout $T
if wait_hanging; then ok "console: every host hangs"; else bad "console: every host hangs" "$(screen)"; fi
t0=$(now_ms)
keys q
wait_file "$TMP/rc" 30
ms=$(( $(now_ms) - t0 ))
[ "$ms" -le 3000 ] && ok "console: q exits in ${ms} ms" || bad "console: q exits within 3 s" "${ms} ms"
[ "$(cat "$TMP/rc" 2>/dev/null)" = 0 ] && ok "console: exit status 0" || bad "console: exit status 0" "rc=$(cat "$TMP/rc" 2>/dev/null)"
no_report "console: no sanitizer report" "$TMP/stderr"
tui_summary
