#!/usr/bin/env python3
"""Abusive clients for the intake's abuse test: opens COUNT connections to
127.0.0.1:PORT and holds them for SECONDS, then prints what became of them.

  hold_connections.py PORT COUNT SECONDS MODE
    idle         connect and send nothing
    slow-header  send a request's headers one byte a second, never ending them
    slow-body    send whole headers announcing a 1000-byte body, then one body byte a second

Prints "connected N" once every connect finished (N may be short of COUNT when
the kernel refused some), then at the end "open N closed M": connections still
open, and those the server closed (EOF or reset)."""
import errno
import resource
import select
import socket
import sys
import time


def main():
    port, count, seconds, mode = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    socks = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex(("127.0.0.1", port))
        if err not in (0, errno.EINPROGRESS):
            s.close()
            continue
        socks.append(s)
    # Wait for the connects to complete.
    # poll, not select: descriptors go far past select's 1024.
    by_fd = {s.fileno(): s for s in socks}
    pending = set(socks)
    poller = select.poll()
    for s in socks:
        poller.register(s, select.POLLOUT)
    deadline = time.monotonic() + 30
    while pending and time.monotonic() < deadline:
        for fd, _ in poller.poll(500):
            s = by_fd[fd]
            if s in pending:
                pending.discard(s)
                poller.unregister(fd)
    ok = [s for s in socks if s not in pending and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0]
    print("connected %d" % len(ok), flush=True)

    header = b"POST /webhook/diun HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    body_head = b"POST /webhook/diun HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
    if mode == "slow-body":
        for s in ok:
            try:
                s.send(body_head)
            except OSError:
                pass
    open_socks = set(ok)
    closed = 0
    sent = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if mode in ("slow-header", "slow-body"):
            byte = header[sent % len(header):sent % len(header) + 1] if mode == "slow-header" else b"x"
            for s in list(open_socks):
                try:
                    s.send(byte)
                except OSError:
                    open_socks.discard(s)
                    closed += 1
            sent += 1
        # Notice connections the server closed.
        watcher = select.poll()
        for s in open_socks:
            watcher.register(s, select.POLLIN)
        for fd, _ in watcher.poll(0):
            s = by_fd[fd]
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data and s in open_socks:
                open_socks.discard(s)
                closed += 1
        time.sleep(1.0 if mode != "idle" else 0.2)
    print("open %d closed %d" % (len(open_socks), closed), flush=True)


if __name__ == "__main__":
    main()
