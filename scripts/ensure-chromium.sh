#!/usr/bin/env sh
# The browser test (tests/browser/) drives Debian's Chromium. Installs it when it is missing and
# this user can; otherwise says how, and fails.
set -e
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing: installing Debian's chromium package with apt-get…"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
else
  echo "The browser test needs Debian's Chromium at /usr/bin/chromium: install it (apt-get install -y chromium) and run the tests again." >&2
  exit 1
fi
