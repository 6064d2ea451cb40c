#!/usr/bin/env python3
"""One end of a tcpshake sample connection, driven by a list of steps.

Used by scripts/make-samples.sh inside network namespaces; Python 3 stdlib only.

  peer.py server --listen IP --port P [--accepts N] --sync DIR --steps "STEP ..."
  peer.py client --bind IP --sport P --connect IP --port P --sync DIR --steps "STEP ..."

Steps (run in order on the connected socket):
  send:N        send N bytes
  recv:N        receive exactly N bytes
  eof           read until end of stream (a reset is reported, not fatal)
  reset         read and require the connection to be reset by the peer
  sleep:S       sleep S seconds
  at:T          sleep until absolute wall-clock time T (seconds since the epoch)
  atfile:NAME   sleep until the absolute time written in DIR/NAME
  shut          shutdown(SHUT_WR): send FIN, keep reading
  close         close() the socket
  linger0       SO_LINGER on, timeout 0: the next close() sends RST (abortive close)
  keepalive:I,V,C  SO_KEEPALIVE with TCP_KEEPIDLE=I, TCP_KEEPINTVL=V, TCP_KEEPCNT=C
  mark:NAME     create DIR/NAME (tells the script something happened)
  wait:NAME     wait (bounded) until DIR/NAME exists
Every blocking call is bounded by a socket timeout and the whole process by an alarm.
"""
import argparse
import errno
import os
import signal
import socket
import sys
import time

WAIT_LIMIT = 30.0


def log(role, msg):
    print(f"[{role} {time.time():.6f}] {msg}", file=sys.stderr, flush=True)


def touch(sync, name):
    path = os.path.join(sync, name)
    with open(path + ".tmp", "w") as f:
        f.write(f"{time.time():.6f}\n")
    os.replace(path + ".tmp", path)


def wait_for(sync, name):
    path = os.path.join(sync, name)
    deadline = time.monotonic() + WAIT_LIMIT
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited too long for {name}")
        time.sleep(0.005)
    return path


def sleep_until(t):
    # Coarse sleep, then a short spin so both peers wake within a few microseconds of t.
    while True:
        left = t - time.time()
        if left <= 0:
            return
        if left > 0.002:
            time.sleep(left - 0.0015)


def run_steps(role, sock, steps, sync):
    for step in steps:
        name, _, arg = step.partition(":")
        if name == "send":
            n = int(arg)
            sock.sendall(bytes((i % 26) + 97 for i in range(n)))
            log(role, f"sent {n}")
        elif name == "recv":
            n = int(arg)
            got = 0
            while got < n:
                chunk = sock.recv(n - got)
                if not chunk:
                    raise ConnectionError(f"EOF after {got} of {n} bytes")
                got += len(chunk)
            log(role, f"received {n}")
        elif name == "eof":
            total = 0
            try:
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    total += len(chunk)
                log(role, f"EOF after {total} bytes")
            except ConnectionResetError:
                log(role, f"reset after {total} bytes")
        elif name == "reset":
            try:
                while sock.recv(65536):
                    pass
            except ConnectionResetError:
                log(role, "reset by peer, as expected")
            else:
                raise ConnectionError("expected a reset, got EOF")
        elif name == "sleep":
            time.sleep(float(arg))
        elif name == "at":
            sleep_until(float(arg))
        elif name == "atfile":
            with open(wait_for(sync, arg)) as f:
                sleep_until(float(f.read().strip()))
        elif name == "shut":
            sock.shutdown(socket.SHUT_WR)
            log(role, "shutdown(SHUT_WR)")
        elif name == "close":
            sock.close()
            log(role, "closed")
        elif name == "linger0":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        elif name == "keepalive":
            idle, intvl, cnt = (int(x) for x in arg.split(","))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, intvl)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, cnt)
        elif name == "mark":
            touch(sync, arg)
        elif name == "wait":
            wait_for(sync, arg)
        else:
            raise ValueError(f"unknown step {step!r}")


def family_of(ip):
    return socket.AF_INET6 if ":" in ip else socket.AF_INET


def main():
    p = argparse.ArgumentParser()
    p.add_argument("role", choices=["server", "client"])
    p.add_argument("--listen")
    p.add_argument("--bind")
    p.add_argument("--sport", type=int)
    p.add_argument("--connect")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--accepts", type=int, default=1)
    p.add_argument("--reuseaddr", action="store_true")
    p.add_argument("--rcvbuf", type=int, default=0, help="SO_RCVBUF of the (listening) socket, set before listen()")
    p.add_argument("--expect-refused", action="store_true")
    p.add_argument("--expect-timeout", action="store_true")
    p.add_argument("--sync", required=True)
    p.add_argument("--steps", default="")
    p.add_argument("--timeout", type=float, default=40.0)
    a = p.parse_args()
    steps = a.steps.split()
    signal.alarm(int(a.timeout) + 5)

    if a.role == "server":
        ls = socket.socket(family_of(a.listen), socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if a.rcvbuf:
            # Set before listen() so accepted sockets inherit it and the window they offer fits it.
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
        ls.bind((a.listen, a.port))
        ls.listen(8)
        ls.settimeout(a.timeout)
        touch(a.sync, f"listening-{a.port}")
        log("server", f"listening on {a.listen}:{a.port}")
        for i in range(a.accepts):
            conn, peer = ls.accept()
            conn.settimeout(a.timeout)
            log("server", f"accepted #{i + 1} from {peer[0]}:{peer[1]}")
            run_steps("server", conn, steps, a.sync)
            touch(a.sync, f"served-{a.port}-{i + 1}")
        ls.close()
        return 0

    s = socket.socket(family_of(a.connect), socket.SOCK_STREAM)
    if a.reuseaddr:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.bind, a.sport))
    s.settimeout(a.timeout)
    try:
        s.connect((a.connect, a.port))
    except ConnectionRefusedError:
        if a.expect_refused:
            log("client", "connection refused, as expected")
            return 0
        raise
    except (TimeoutError, socket.timeout, OSError) as e:
        if a.expect_timeout and (isinstance(e, (TimeoutError, socket.timeout)) or e.errno == errno.ETIMEDOUT):
            log("client", f"connect gave up ({e}), as expected")
            return 0
        raise
    if a.expect_refused or a.expect_timeout:
        raise ConnectionError("connection unexpectedly succeeded")
    log("client", f"connected {a.bind}:{a.sport} -> {a.connect}:{a.port}")
    touch(a.sync, f"connected-{a.sport}")
    run_steps("client", s, steps, a.sync)
    return 0


if __name__ == "__main__":
    sys.exit(main())
