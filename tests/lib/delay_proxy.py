#!/usr/bin/env python3
"""delay_proxy.py — a TCP relay that answers late, for tests of slow hosts.

Usage: delay_proxy.py PORT_FILE TARGET_PORT DELAY_SECONDS [per-chunk]
Listens on 127.0.0.1 (a free port, written to PORT_FILE once listening);
each accepted connection waits DELAY_SECONDS, then is relayed both ways to
127.0.0.1:TARGET_PORT.  With "per-chunk", the connection is relayed at once
but every chunk read, in each direction, waits DELAY_SECONDS before it is
passed on: a host behind a very slow link.  Runs until killed."""
import os
import socket
import sys
import threading
import time


def pipe(src, dst, chunk_delay=0.0):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if chunk_delay:
                time.sleep(chunk_delay)
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(client, target, delay, per_chunk):
    if not per_chunk:
        time.sleep(delay)
    try:
        upstream = socket.create_connection(("127.0.0.1", target))
    except OSError:
        client.close()
        return
    chunk_delay = delay if per_chunk else 0.0
    threading.Thread(target=pipe, args=(upstream, client, chunk_delay), daemon=True).start()
    pipe(client, upstream, chunk_delay)


def main():
    port_file, target, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    per_chunk = len(sys.argv) > 4 and sys.argv[4] == "per-chunk"
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(ls.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c, target, delay, per_chunk), daemon=True).start()


if __name__ == "__main__":
    main()
