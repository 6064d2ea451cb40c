#!/usr/bin/env python3
"""Cross-check a sample capture against its samples/<name>.expect.json with tshark.

Only what tshark itself computes is compared: the number of TCP conversations (tshark's
tcp.stream; Wireshark also starts a new stream when a SYN reuses a closed 4-tuple) against a
`capture.connections` rule, and Wireshark's tcp.completeness of each selected connection against
the rule's `completeness`. scripts/make-samples.sh runs it on every fresh capture so that a
regenerated capture cannot silently drift away from the hand-written expectations.
Python 3 stdlib only; exits 1 with one line per mismatch.

  crosscheck.py CAPTURE EXPECT.json
"""
import json
import subprocess
import sys


def streams(capture):
    out = subprocess.run(
        ["tshark", "-r", capture, "-o", "tcp.analyze_sequence_numbers:TRUE", "-2", "-T", "fields",
         "-E", "separator=|", "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
         "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack",
         "-e", "tcp.completeness"],
        check=True, capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        stream, src4, src6, sport, dst4, dst6, dport, syn, ack, comp = line.split("|")
        src, dst = src4 or src6, dst4 or dst6
        s = found.setdefault(int(stream), {"first": (src, sport, dst, dport), "client": None})
        if s["client"] is None and syn in ("1", "True") and ack not in ("1", "True"):
            s["client"] = (src, sport, dst, dport)
        if comp:
            s["completeness"] = int(comp)
    return found


def endpoint(ip, port):
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def main():
    capture, expect_path = sys.argv[1], sys.argv[2]
    with open(expect_path) as f:
        expect = json.load(f)
    found = streams(capture)
    ordered = [found[k] for k in sorted(found)]
    problems = []
    for rule in expect["rules"]:
        if "capture" in rule:
            want = rule["capture"].get("connections")
            if want is not None and want != len(ordered):
                problems.append(f"connections: expected {want}, tshark sees {len(ordered)} streams")
            continue
        sel = rule["select"]
        if sel == "all":
            chosen = ordered
        elif "id" in sel:
            chosen = ordered[sel["id"] - 1:sel["id"]]
        else:
            chosen = []
            for s in ordered:
                src, sport, dst, dport = s["client"] or s["first"]
                if sel.get("client") in (None, endpoint(src, sport)) and sel.get("server") in (None, endpoint(dst, dport)):
                    chosen.append(s)
        if not chosen:
            problems.append(f"select {sel}: no tshark stream matches")
            continue
        want = rule["expect"].get("completeness")
        for s in chosen:
            if want is not None and s.get("completeness") != want:
                problems.append(f"select {sel}: completeness expected {want}, tshark says {s.get('completeness')}")
    for p in problems:
        print(f"{capture}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
