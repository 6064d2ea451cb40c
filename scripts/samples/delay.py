#!/usr/bin/env python3
"""A tiny userspace IPv4 router that delays every forwarded frame by a fixed time.

scripts/make-samples.sh runs it in the router namespace (with the kernel's own forwarding
blocked by an iptables DROP in FORWARD) when it needs FINs to cross in flight and the kernel
has no netem qdisc. Python 3 stdlib only.

  delay.py --delay 0.05 --duration 10 \
      --port IFACE,LOCAL_MAC,PEER_MAC,NET/PREFIX --port IFACE,LOCAL_MAC,PEER_MAC,NET/PREFIX

A frame received on one port addressed to that port's MAC, carrying IPv4 to a destination
inside another port's network, leaves that port after --delay seconds with its MACs
rewritten and its TTL decremented (header checksum recomputed), like a kernel router.
"""
import argparse
import heapq
import ipaddress
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_HOST = 0


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def ip_checksum(hdr):
    total = 0
    for i in range(0, len(hdr), 2):
        total += (hdr[i] << 8) | hdr[i + 1]
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--delay", type=float, required=True)
    p.add_argument("--duration", type=float, required=True)
    p.add_argument("--port", action="append", required=True)
    p.add_argument("--ready")
    a = p.parse_args()

    ports = []
    for spec in a.port:
        iface, local, peer, net = spec.split(",")
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((iface, 0))
        ports.append({"iface": iface, "sock": s, "local": mac_bytes(local), "peer": mac_bytes(peer),
                      "net": ipaddress.ip_network(net)})
    if a.ready:
        open(a.ready, "w").close()

    queue = []  # (due, seq, port index, frame)
    seq = 0
    end = time.monotonic() + a.duration
    forwarded = 0
    while time.monotonic() < end:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            ports[out]["sock"].send(frame)
            forwarded += 1
        timeout = min(end - now, (queue[0][0] - now) if queue else 0.05)
        ready, _, _ = select.select([pt["sock"] for pt in ports], [], [], max(timeout, 0))
        for pt in ports:
            if pt["sock"] not in ready:
                continue
            frame, addr = pt["sock"].recvfrom(65535)
            if addr[2] != PACKET_HOST or len(frame) < 34 or frame[12:14] != b"\x08\x00":
                continue
            if frame[0:6] != pt["local"]:
                continue
            dst = ipaddress.ip_address(frame[30:34])
            out = next((i for i, o in enumerate(ports) if dst in o["net"] and o is not pt), None)
            if out is None:
                continue
            ihl = (frame[14] & 0x0F) * 4
            ttl = frame[22]
            if ttl <= 1:
                continue
            hdr = bytearray(frame[14:14 + ihl])
            hdr[8] = ttl - 1
            hdr[10:12] = b"\x00\x00"
            hdr[10:12] = struct.pack("!H", ip_checksum(hdr))
            o = ports[out]
            new = o["peer"] + o["local"] + frame[12:14] + bytes(hdr) + frame[14 + ihl:]
            seq += 1
            heapq.heappush(queue, (time.monotonic() + a.delay, seq, out, new))
    print(f"delay.py forwarded {forwarded} frames", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
