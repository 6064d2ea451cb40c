#!/bin/sh
# `npm start`: analyse every bundled sample capture on its own. The samples are separate captures
# (some are the same connection seen from two sides or written in several formats), so they are not
# merged into one timeline the way `tcpshake a.pcap b.pcap` merges rotated captures.
# An analysis exits 0 whatever its findings (some samples are made to show a refused port or a
# CLOSE_WAIT pile-up), so any other exit (2 usage, 3 unreadable) fails `npm start`.
set -e
cd "$(dirname "$0")/.."
for capture in samples/*.pcap samples/*.pcapng; do
  node dist/cli/main.js "$capture"
  echo
done
