#!/bin/sh
# Make sure a system chromium exists for the browser tests (test/browser/*, `npm run test:browser`).
# The tests drive /usr/bin/chromium through playwright-core; they never download a browser.
# Idempotent: does nothing when chromium is already installed.
set -eu

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: /usr/bin/chromium is missing and apt-get is not available; install chromium by hand" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "setup-browser: installing chromium needs root (or sudo)" >&2
    exit 1
  fi
fi

echo "setup-browser: installing Debian's chromium" >&2
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
test -x /usr/bin/chromium
