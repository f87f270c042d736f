#!/usr/bin/env python3
"""silent_peer.py — a listener that accepts and never sends a byte: a host
that hangs rather than refuses.

Usage: silent_peer.py tcp PORT_FILE   127.0.0.1, a free port written to PORT_FILE
       silent_peer.py unix PATH       a unix socket at PATH
Accepted connections are kept open (and read from, so writers never block)
until the process is killed."""
import os
import socket
import sys
import threading


def drain(conn):
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass


def main():
    kind, where = sys.argv[1], sys.argv[2]
    if kind == "tcp":
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", 0))
    else:
        ls = socket.socket(socket.AF_UNIX)
        ls.bind(where)
    ls.listen(64)
    if kind == "tcp":
        with open(where + ".tmp", "w") as f:
            f.write(str(ls.getsockname()[1]))
        os.rename(where + ".tmp", where)
    conns = []
    while True:
        c, _ = ls.accept()
        conns.append(c)
        threading.Thread(target=drain, args=(c,), daemon=True).start()


if __name__ == "__main__":
    main()
