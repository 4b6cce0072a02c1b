#!/usr/bin/env bash
# Installs everything eHR Counter needs on Debian 12, and nothing twice:
# apt packages that are missing, tauri-driver, and the UI's npm packages from
# the lock file. Safe to run again; quick when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "run as root, or install sudo"
  SUDO="sudo"
fi

# Build tools and libraries for Tauri (webkit2gtk 4.1), PC/SC, the end-to-end
# harness (Xvfb, D-Bus, WebKitWebDriver, xwininfo), slip checks (poppler, zbarimg), and
# the store's keyring (libdbus for the Secret Service client, gnome-keyring for
# its test), printing (CUPS: lp/lpstat/cupsctl, ipptool for job states, and
# cupsd, which the ehr-print tests start privately on their own socket; a
# system cupsd the package may start does not matter to them), and
# systemd-analyze for the check of ehr-central's unit (nothing is started),
# and the Debian packages: cargo-deb's liblzma, lintian, and debootstrap for
# the clean root the package tests install into.
APT_PACKAGES=(
  build-essential pkg-config libssl-dev curl ca-certificates
  libwebkit2gtk-4.1-dev webkit2gtk-driver
  xvfb xauth x11-utils dbus-daemon dbus-bin dbus-tests imagemagick fonts-noto-cjk
  pcscd libpcsclite-dev pcsc-tools vsmartcard-vpcd
  poppler-utils unicode-data zbar-tools
  libdbus-1-dev gnome-keyring
  cups cups-client cups-ipp-utils
  python3 python3-venv
  systemd
  liblzma-dev lintian debootstrap
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js 18+ and npm for the UI build; Debian 12's own nodejs is 18.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  say "installing apt packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || die "Node.js 18 or newer is needed, found $(node --version)"

command -v cargo >/dev/null || die "Rust is not installed. Install the stable toolchain (1.85 or newer) with rustup, then run this again."
rust_minor=$(rustc --version | sed -E 's/^rustc 1\.([0-9]+).*/\1/')
[ "$rust_minor" -ge 85 ] || die "Rust 1.85 or newer is needed, found $(rustc --version)"
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy >/dev/null 2>&1 || true

if ! command -v tauri-driver >/dev/null; then
  say "installing tauri-driver (about 30 s)"
  cargo install tauri-driver --locked --version 2.1.0 --quiet
fi

# Fuzzing needs the nightly toolchain (for the sanitizers) and cargo-fuzz.
if ! cargo +nightly --version >/dev/null 2>&1; then
  say "installing the nightly toolchain for fuzzing"
  rustup toolchain install nightly --profile minimal >/dev/null \
    || die "the nightly Rust toolchain is needed for fuzzing and could not be installed"
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (about 90 s)"
  cargo install cargo-fuzz --locked --quiet
fi

if ! command -v cargo-deb >/dev/null || [ "$(cargo deb --version 2>/dev/null)" != "cargo-deb 3.8.0" ]; then
  say "installing cargo-deb 3.8.0 for the Debian packages (about a minute)"
  cargo install cargo-deb --locked --version 3.8.0 --quiet
fi

# Every crate of the lock file, for every platform: the architecture tests
# read the whole dependency graph with `cargo metadata --offline`.
say "fetching crates from Cargo.lock"
cargo fetch --locked --quiet

# npm packages, from the lock file only; redone when the lock file changes.
lock_sum=$(sha256sum ui/package-lock.json | cut -d' ' -f1)
if [ "$(cat ui/node_modules/.ehr-lock-sum 2>/dev/null)" != "$lock_sum" ]; then
  say "installing UI packages from ui/package-lock.json"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" > ui/node_modules/.ehr-lock-sum
fi

say "ready"
