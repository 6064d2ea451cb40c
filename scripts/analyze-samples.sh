#!/bin/sh
# `npm start`: analyse every bundled sample capture on its own. The samples are separate captures
# (some are the same connection seen from two sides or written in several formats), so they are not
# merged into one timeline the way `tcpshake a.pcap b.pcap` merges rotated captures.
# Exit 1 only means the capture has warning findings (a refused port, a CLOSE_WAIT pile-up, ...),
# which some samples are made to show; anything else (2 usage, 3 unreadable) fails `npm start`.
set -e
cd "$(dirname "$0")/.."
for capture in samples/*.pcap samples/*.pcapng; do
  status=0
  node dist/cli/main.js "$capture" || status=$?
  [ "$status" -le 1 ] || exit "$status"
  echo
done
