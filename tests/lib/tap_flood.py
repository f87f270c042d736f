#!/usr/bin/env python3
"""tap_flood.py TAP RATE_BEFORE RATE_AFTER FRAMES SECONDS — UDP frames into a
tap, as a VM's NIC would send them, at a paced rate.

Opens TAP (IFF_TAP | IFF_NO_PI; its carrier comes up) and writes Ethernet
frames of UDP packets from 10.77.0.2 to the tap's 10.77.0.1, port 9: the
kernel receives each (the tap's rx_packets).  RATE_BEFORE frames/s until
`ethtool -c TAP` shows rx-frames FRAMES (the change a runbook applies),
RATE_AFTER from then on (checked every 50 ms by ethtool's ioctl); stops after SECONDS.  Pacing is by deadline, so a
late tick catches up and the average rate holds on a busy machine.  Prints
"switched" when it saw the change, and "sent N" at the end."""
import ctypes
import fcntl
import os
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
SIOCETHTOOL, ETHTOOL_GCOALESCE = 0x8946, 0x0E


def checksum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    return ~(s + (s >> 16)) & 0xFFFF


def frame(dst_mac):
    payload = b"vdeck-coalesce-tune" + bytes(13)
    udp = struct.pack("!HHHH", 40000, 9, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     socket.inet_aton("10.77.0.2"), socket.inet_aton("10.77.0.1"))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return dst_mac + bytes.fromhex("020000770002") + b"\x08\x00" + ip + udp


def rx_frames(sock, tap):
    """What `ethtool -c` shows as rx-frames, by the same ioctl (no process
    to start: the check must not hold up the frames)."""
    coal = ctypes.create_string_buffer(struct.pack("I", ETHTOOL_GCOALESCE) + bytes(4 * 22))
    ifr = struct.pack("16sP", tap.encode(), ctypes.addressof(coal)).ljust(40, b"\0")
    fcntl.ioctl(sock, SIOCETHTOOL, ifr)
    return str(struct.unpack_from("I", coal.raw, 8)[0])   # cmd, rx_coalesce_usecs, rx_max_coalesced_frames


def main():
    tap, before, after, frames, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], \
        float(sys.argv[5])
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", tap.encode(), IFF_TAP | IFF_NO_PI))
    with open("/sys/class/net/%s/address" % tap) as f:
        pkt = frame(bytes.fromhex(f.read().strip().replace(":", "")))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rate, sent, start = before, 0, time.monotonic()
    next_check = due = start
    print("started", flush=True)
    while True:
        now = time.monotonic()
        if now - start >= seconds:
            break
        if rate == before and now >= next_check:
            next_check = now + 0.05
            if rx_frames(sock, tap) == frames:
                rate = after
                print("switched", flush=True)
        while due <= now:   # every frame due by now
            os.write(fd, pkt)
            sent += 1
            due += 1.0 / rate
        time.sleep(min(0.005, max(0.0, due - time.monotonic())))
    print("sent", sent, flush=True)


if __name__ == "__main__":
    main()
