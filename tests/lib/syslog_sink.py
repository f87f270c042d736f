#!/usr/bin/env python3
"""syslog_sink.py — a syslog receiver on a unix datagram socket, like the
/dev/log that rsyslog and journald listen on.

Usage: syslog_sink.py PATH OUT          each datagram, as a JSON string, one per line of OUT
       syslog_sink.py PATH OUT --stuck  binds and never reads: the queue fills
The socket exists once the process is ready; it runs until killed."""
import json
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
if len(sys.argv) > 3 and sys.argv[3] == "--stuck":
    while True:
        time.sleep(3600)
with open(out, "a", encoding="utf-8") as f:
    while True:
        data = s.recv(1 << 20)
        f.write(json.dumps(data.decode("utf-8", "strict")) + "\n")
        f.flush()
