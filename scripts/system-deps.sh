#!/bin/sh
# Installs the Debian packages the toolkit needs when they are missing:
#   run:  WeasyPrint's Pango/HarfBuzz libraries;
#   test: also Chromium (browser tests), poppler-utils (pdftoppm, PDF smoke tests) and
#         postgresql-client (pg_dump/pg_restore for the PostgreSQL backup test).
# Needs root for apt-get; without root it only reports what is missing.
set -eu
want="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
if [ "${1:-run}" = "test" ]; then
  want="$want chromium poppler-utils postgresql-client"
fi
missing=""
for pkg in $want; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $pkg"
  fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages:$missing" >&2
  echo "Install them with: sudo apt-get install -y$missing" >&2
  exit 1
fi
echo "Installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# Another apt process (unattended upgrades) may hold the lock for a while: wait for it.
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $missing >/dev/null
