# lab-guest.sh — a tiny real guest for the lab daemons (POSIX sh, sourced).
#
# A guest without OS has no balloon driver, so it reports no memory
# statistics and ignores hot-plugged DIMMs.  This one boots Debian's cloud
# kernel straight from <kernel>/<initrd> into a busybox initramfs whose /init
# mounts proc, sys and dev, loads virtio_pci, virtio_balloon, virtio_net and
# virtio_blk (modules of the same kernel package, with their dependencies),
# prints "vdeck-lab-guest: up" on the serial console and sleeps.  Hot-plugged
# memory comes online by itself (memhp_default_state=online).  ~4 s to boot
# under TCG.
#
# The kernel package is downloaded (apt-get download) and unpacked
# (dpkg-deb) into the cache directory, never installed: a linux-image
# package pulls systemd-sysv on these machines.  The result (vmlinuz,
# initrd.gz, VERSION) is cached in $LAB_GUEST_CACHE (default
# build/lab-guest of the repository, not committed) and built again only
# when missing.  Needs apt-get, dpkg-deb and busybox-static (tools/deps.sh
# test) and a Debian mirror the first time.
#
# Usage (after `. tests/lib/lab-libvirtd.sh` and this file):
#   lab_guest_available            (prints why not and fails: for SKIP lines)
#   lab_guest_build                -> LAB_GUEST_KERNEL LAB_GUEST_INITRD LAB_GUEST_VERSION
#   lab_guest_xml NAME [MEM_MIB]   (prints the domain XML; MEM_MIB default 512;
#                                   serial console to $LAB_ROOT/images/NAME.console)
#   lab_guest_define URI NAME [MEM_MIB]  (define + start)
#   lab_guest_wait URI NAME [SECS] (until the guest said it is up and the
#                                   balloon reports usable memory; default 60 s)
#   lab_guest_memstat URI NAME KEY (one `virsh dommemstat` figure, KiB)
# Tunables: LAB_GUEST_PACKAGE (linux-image-cloud-amd64, a metapackage: the
# kernel package it depends on is the one fetched).

: "${LAB_LIB:=$(cd "$(dirname "$0")/../lib" 2>/dev/null && pwd)}"
. "$LAB_LIB/lab-common.sh"

LAB_GUEST_CACHE=${LAB_GUEST_CACHE:-$(cd "$LAB_LIB/../.." && pwd)/build/lab-guest}
LAB_GUEST_MODULES="virtio_pci virtio_balloon virtio_net virtio_blk"

lab_guest_available() {
	[ -s "$LAB_GUEST_CACHE/vmlinuz" ] && [ -s "$LAB_GUEST_CACHE/initrd.gz" ] && return 0
	lab_have apt-get apt-cache dpkg-deb gzip || {
		echo "apt-get, apt-cache, dpkg-deb or gzip missing"
		return 1
	}
	dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "ok installed" || {
		echo "busybox-static missing (tools/deps.sh test)"
		return 1
	}
	return 0
}

# lab_guest_kernel_package: the real kernel package behind the metapackage.
lab_guest_kernel_package() {
	apt-cache depends "${LAB_GUEST_PACKAGE:-linux-image-cloud-amd64}" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}

lab_guest_build() {
	local lock rc
	mkdir -p "$LAB_GUEST_CACHE" || return 1
	lock=$LAB_GUEST_CACHE.lock
	# two tests building at once would both download: one waits
	if lab_have flock; then
		LAB_LIB=$LAB_LIB LAB_GUEST_CACHE=$LAB_GUEST_CACHE \
			flock "$lock" sh -c '. "$LAB_LIB/lab-guest.sh" && lab_guest_build_locked'
		rc=$?
	else
		lab_guest_build_locked
		rc=$?
	fi
	[ $rc = 0 ] || return 1
	LAB_GUEST_KERNEL=$LAB_GUEST_CACHE/vmlinuz
	LAB_GUEST_INITRD=$LAB_GUEST_CACHE/initrd.gz
	LAB_GUEST_VERSION=$(cat "$LAB_GUEST_CACHE/VERSION")
	export LAB_GUEST_KERNEL LAB_GUEST_INITRD LAB_GUEST_VERSION
}

lab_guest_build_locked() {
	local pkg work deb ver kdir stage m dep rc
	[ -s "$LAB_GUEST_CACHE/vmlinuz" ] && [ -s "$LAB_GUEST_CACHE/initrd.gz" ] &&
		[ -s "$LAB_GUEST_CACHE/VERSION" ] && return 0
	pkg=$(lab_guest_kernel_package)
	if [ -z "$pkg" ]; then
		# a fresh machine may have no package lists yet
		timeout 300 apt-get update -q >/dev/null 2>&1
		pkg=$(lab_guest_kernel_package)
	fi
	[ -n "$pkg" ] || { lab_log "lab guest: no kernel package behind ${LAB_GUEST_PACKAGE:-linux-image-cloud-amd64}"; return 1; }
	work=$(mktemp -d "$LAB_GUEST_CACHE/build.XXXXXX") || return 1
	lab_log "lab guest: fetching $pkg (once; cached in $LAB_GUEST_CACHE)"
	# root downloads itself: the _apt user cannot write into this directory
	(cd "$work" && timeout 600 apt-get -q -o APT::Sandbox::User=root download "$pkg" >/dev/null) ||
		{ lab_log "lab guest: apt-get download $pkg failed"; rm -rf "$work"; return 1; }
	deb=$(ls "$work"/*.deb 2>/dev/null | head -n 1)
	# unpacked, never installed
	dpkg-deb -x "$deb" "$work/pkg" || { rm -rf "$work"; return 1; }
	ver=$(ls "$work/pkg/lib/modules" | head -n 1)
	kdir=$work/pkg/lib/modules/$ver
	[ -n "$ver" ] && [ -s "$work/pkg/boot/vmlinuz-$ver" ] ||
		{ lab_log "lab guest: no kernel in $deb"; rm -rf "$work"; return 1; }
	busybox depmod -b "$work/pkg" "$ver" || { rm -rf "$work"; return 1; }

	stage=$work/initrd
	mkdir -p "$stage/bin" "$stage/proc" "$stage/sys" "$stage/dev" "$stage/tmp" "$stage/lib/modules/$ver"
	cp /bin/busybox "$stage/bin/busybox" || { rm -rf "$work"; return 1; }
	# each module with the ones modules.dep says it needs, same paths
	for m in $LAB_GUEST_MODULES; do
		for dep in $(awk -v m="/$m.ko:" 'index($0, m) { sub(/:/, ""); print; exit }' "$kdir/modules.dep"); do
			mkdir -p "$stage/lib/modules/$ver/$(dirname "$dep")"
			cp "$kdir/$dep" "$stage/lib/modules/$ver/$dep" || { rm -rf "$work"; return 1; }
		done
	done
	busybox depmod -b "$stage" "$ver" || { rm -rf "$work"; return 1; }
	lab_guest_init >"$stage/init" && chmod 755 "$stage/init"
	(cd "$stage" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -9) >"$work/initrd.gz" ||
		{ rm -rf "$work"; return 1; }
	mv "$work/pkg/boot/vmlinuz-$ver" "$LAB_GUEST_CACHE/vmlinuz" &&
		mv "$work/initrd.gz" "$LAB_GUEST_CACHE/initrd.gz" &&
		echo "$ver" >"$LAB_GUEST_CACHE/VERSION"
	rc=$?
	rm -rf "$work"
	lab_log "lab guest: kernel $ver, initrd $(wc -c <"$LAB_GUEST_CACHE/initrd.gz") bytes"
	return $rc
}

# lab_guest_init: the initramfs's /init.
lab_guest_init() {
	cat <<EOF
#!/bin/busybox sh
# the lab guest's init (tests/lib/lab-guest.sh): drivers, then sleep
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $LAB_GUEST_MODULES; do
	modprobe \$m || echo "vdeck-lab-guest: modprobe \$m failed"
done
echo "vdeck-lab-guest: up \$(uname -r), \$(grep MemTotal /proc/meminfo)"
while :; do sleep 3600; done
EOF
}

# lab_guest_xml NAME [MEM_MIB]: the guest's domain.  A panic reboots
# (panic=1) and a reboot destroys it: a guest ballooned too far shows up as
# shut off instead of hanging.  maxMemory and a NUMA cell make DIMM hotplug
# possible; the balloon polls its statistics every second.
lab_guest_xml() {
	local mem="${2:-512}"
	cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <maxMemory slots='4' unit='MiB'>$((mem * 4))</maxMemory>
  <memory unit='MiB'>$mem</memory>
  <currentMemory unit='MiB'>$mem</currentMemory>
  <vcpu placement='static' current='1'>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$LAB_GUEST_KERNEL</kernel>
    <initrd>$LAB_GUEST_INITRD</initrd>
    <cmdline>console=ttyS0 memhp_default_state=online panic=1 loglevel=4</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <cpu mode='custom' match='exact' check='none'>
    <model fallback='allow'>qemu64</model>
    <numa>
      <cell id='0' cpus='0-1' memory='$mem' unit='MiB'/>
    </numa>
  </cpu>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'>
      <source path='$LAB_ROOT/images/$1.console'/>
      <target port='0'/>
    </serial>
    <memballoon model='virtio'>
      <stats period='1'/>
    </memballoon>
  </devices>
</domain>
EOF
}

lab_guest_define() {
	local xml
	[ -n "${LAB_GUEST_KERNEL:-}" ] || lab_guest_build || return 1
	mkdir -p "$LAB_ROOT/images"
	xml=$LAB_ROOT/images/$2.xml
	lab_guest_xml "$2" "${3:-}" >"$xml"
	timeout 30 virsh -q -c "$1" define "$xml" >/dev/null || return 1
	timeout 60 virsh -q -c "$1" start "$2" >/dev/null
}

# lab_guest_memstat URI NAME KEY: prints one dommemstat figure (KiB).
lab_guest_memstat() {
	timeout 10 virsh -q -c "$1" dommemstat "$2" 2>/dev/null | awk -v k="$3" '$1 == k { print $2; exit }'
}

lab_guest_ready() {
	grep -q "vdeck-lab-guest: up" "$LAB_ROOT/images/$2.console" 2>/dev/null &&
		[ -n "$(lab_guest_memstat "$1" "$2" usable)" ]
}

lab_guest_wait() {
	lab_wait "${3:-60}" lab_guest_ready "$1" "$2" && return 0
	lab_log "lab guest '$2' not up; its console:"
	tail -n 15 "$LAB_ROOT/images/$2.console" 2>/dev/null | sed 's/^/#   /' >&2
	return 1
}
