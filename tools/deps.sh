#!/bin/sh
# deps.sh [build|test] — install the Debian packages vdeck builds (and,
# with "test", tests) with.  As root, installs what is missing; otherwise
# prints the exact command and fails.
set -e
what=${1:-build}
BUILD="gcc make pkg-config libvirt-dev liblua5.4-dev libncurses-dev libreadline-dev libssh2-1-dev libxml2-dev libcurl4-openssl-dev libjansson-dev"
TEST="libvirt-clients openssh-server openssh-client tmux lua5.4 python3 groff-base clang libclang-rt-14-dev procps qemu-system-x86 qemu-utils libvirt-daemon libvirt-daemon-driver-qemu tgt qemu-block-extra libvirt-daemon-driver-storage-iscsi-direct openvswitch-switch iproute2 util-linux prometheus-node-exporter ethtool debhelper devscripts lintian lua-check zsh busybox-static prometheus prometheus-libvirt-exporter"
# libvirt's ssh transport bridges to the daemon's socket with nc on the host side (bench)
TEST="$TEST netcat-openbsd"
missing=""
[ "$what" = test ] || TEST=""
for p in $BUILD $TEST; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "vdeck: missing packages; run as root:" >&2
	echo "  apt-get update && $cmd" >&2
	exit 1
fi
echo "vdeck: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || true
$cmd >/dev/null
