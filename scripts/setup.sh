#!/usr/bin/env bash
# Installs what ServiceCircle needs on Debian when it is missing: PostgreSQL 15 with PostGIS 3, and zlib's headers
# (response compression links the system zlib through compress-nio).
# Idempotent; uses sudo when not root. Sourced by run.sh and test.sh (which set SETUP_PACKAGES for
# anything else they need; the caller's own arguments are not package names).
set -euo pipefail

need=()
for pkg in postgresql-15 postgresql-15-postgis-3 postgresql-contrib zlib1g-dev ${SETUP_PACKAGES:-}; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "error: need root or sudo to install: ${need[*]}" >&2; exit 1
  fi
  $SUDO apt-get update -qq
  # The Debian package would start a system-wide cluster; ServiceCircle runs its own, so none is needed.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if ! command -v swift >/dev/null; then
  for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do [ -x "$d/swift" ] && export PATH="$d:$PATH"; done
fi
command -v swift >/dev/null || { echo "error: the Swift 6 toolchain is required (https://www.swift.org/install/linux/)" >&2; exit 1; }
