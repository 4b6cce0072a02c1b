#!/usr/bin/env bash
# Builds the Debian packages of eHR Counter (ADR 0007) into target/deb/:
#   ehr-counter           the app, ehrctl, desktop entry, icon, metainfo, man pages
#   ehr-counter-training  the training room's additions (reference service,
#                         virtual card, launcher)
#   ehr-central           the reference service with its systemd unit
# and checks each with lintian (errors and warnings fail; the tags ADR 0007
# lists are suppressed, with its reasons).
#
#   bash scripts/package.sh                  release build from the lock files, then package
#   bash scripts/package.sh --no-build --profile dev
#                                            package the binaries the tests built
#   --deb-version V    the packages' version (default: the workspace's, revision 1)
#   --out DIR          where the .deb files go (default target/deb)
#
# Reproducible: binaries from Cargo.lock (--locked), the UI from
# package-lock.json, and every file's time from the last commit
# (SOURCE_DATE_EPOCH).
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
profile=release
version=""
target="${CARGO_TARGET_DIR:-target}"
out="$target/deb"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --profile) profile="$2"; shift ;;
    --deb-version) version="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '\033[1m[package]\033[0m %s\n' "$*"; }

command -v cargo-deb > /dev/null || { say "installing cargo-deb 3.8.0 (about a minute)"; cargo install cargo-deb --version 3.8.0 --locked --quiet; }
command -v lintian > /dev/null || { echo "package.sh: lintian is missing: bash scripts/setup.sh installs it" >&2; exit 1; }

if [ $build = 1 ]; then
  say "building the UI and the binaries ($profile)"
  (cd ui && npm run --silent build)
  cargo build --locked --profile "$profile" -p ehr-counter -p ehrctl -p ehr-central
  cargo build --locked --profile "$profile" -p ehr-tests --bin vcard
fi
dir=$profile; [ "$profile" = dev ] && dir=debug
for b in ehr-counter ehrctl ehr-central vcard; do
  [ -x "$target/$dir/$b" ] || { echo "package.sh: $target/$dir/$b is not built (run without --no-build)" >&2; exit 1; }
done

SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH
mkdir -p "$out"
args=(--no-build --profile "$profile" --output "$out")
[ -n "$version" ] && args+=(--deb-version "$version")
[ "$profile" = release ] || args+=(--fast)
debs=()
for pkg in "-p ehr-counter" "-p ehr-counter --variant training" "-p ehr-central"; do
  # cargo-deb warns that a dev profile is meant for tests, not releases: it is.
  # shellcheck disable=SC2086
  deb=$(cargo deb $pkg "${args[@]}" 2> >(grep -v -e 'dev profile is not supported' -e 'To enable debug symbols' >&2) | tail -1)
  debs+=("$deb")
  say "built $deb"
done

# ADR 0007: initial-upload-closes-no-bugs asks for a Debian ITP bug, and these
# packages are not uploaded to Debian.
say "lintian"
set +e
report=$(lintian --fail-on error,warning --pedantic --display-experimental \
  --suppress-tags initial-upload-closes-no-bugs "${debs[@]}" 2>&1)
rc=$?
set -e
printf '%s\n' "$report" | grep -v -e 'running with root privileges' -e '^$' || true
[ $rc = 0 ] || { echo "package.sh: lintian found errors or warnings (above)" >&2; exit 1; }
say "lintian clean; packages in $out"
