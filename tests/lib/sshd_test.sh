# sshd_test.sh — the preamble of an integration test that runs vdeck against
# a private sshd: sourced after `root` is set.  Loads the harness and
# tests/lib/sshd.sh, makes $tmp (readable by the sshd's login user), points
# vdeck's XDG directories into it, and stops the sshd and removes $tmp at exit.
# The test calls sshd_start itself (and decides what a failure means).
. "$root/tests/lib/harness.sh"
VDECK=${VDECK:-$root/vdeck}
tmp=$(mktemp -d)
chmod 755 "$tmp"
SSHD_NO_TRAP=1
. "$root/tests/lib/sshd.sh"
cleanup() {
	sshd_stop >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config" XDG_RUNTIME_DIR="$tmp/run"
