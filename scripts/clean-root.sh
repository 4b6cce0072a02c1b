#!/usr/bin/env bash
# Makes a clean Debian 12 root for the package tests (tests/packages):
# debootstrap's minimal base from Debian's mirror with systemd (as every
# Debian 12 host has it; ehr-central's unit is checked against its units),
# services never started inside it (policy-rc.d), and apt's lists fetched. Made once per test run:
# scripts/test.sh starts it in the background while the code builds, and the
# package tests wait for it (the marker file .ehr-clean-root).
#
#   bash scripts/clean-root.sh DIR    (default target/clean-root; needs root)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-${CARGO_TARGET_DIR:-target}/clean-root}"
mirror="${EHR_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
[ "$(id -u)" = 0 ] || { echo "clean-root.sh: debootstrap and chroot need root" >&2; exit 1; }
command -v debootstrap > /dev/null || { echo "clean-root.sh: debootstrap is missing: bash scripts/setup.sh installs it" >&2; exit 1; }

# A root left by an earlier run: anything still mounted in it goes first.
if [ -d "$dir" ]; then
  for m in proc dev/pts; do mountpoint -q "$dir/$m" && umount -l "$dir/$m"; done
  rm -rf "$dir"
fi
mkdir -p "$(dirname "$dir")"
debootstrap --variant=minbase --include=systemd bookworm "$dir" "$mirror" > "$dir.log" 2>&1 \
  || { tail -20 "$dir.log" >&2; echo "clean-root.sh: debootstrap failed (log: $dir.log)" >&2; exit 1; }
printf '#!/bin/sh\n# Nothing starts inside the test root.\nexit 101\n' > "$dir/usr/sbin/policy-rc.d"
chmod 755 "$dir/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$dir/etc/resolv.conf"
chroot "$dir" apt-get update -qq >> "$dir.log" 2>&1
touch "$dir/.ehr-clean-root"
echo "clean Debian 12 root in $dir"
