#!/usr/bin/env bash
# Runs every test of eHR Counter, from a fresh clone: installs what is
# missing, then the gates in order (each stops the run on failure):
#   rustfmt, UI type check and unit tests, clippy (warnings denied),
#   all Rust tests (unit, integration, card reading through a real pcscd,
#   architecture, end to end), the logs' scan, the Debian packages in a
#   clean Debian 12 root, schemathesis against ehr-central's OpenAPI
#   document, then brief fuzzing of every parser.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# The landing gate (CI=true) is deterministic: proptest and libFuzzer start
# from fixed seeds, as schemathesis already does, so a run fails only on a
# change. Runs on a developer's machine keep drawing new seeds and exploring;
# a failure there prints its seed (proptest) or saves its input (libFuzzer).
if [ "${CI:-}" = "true" ]; then
    export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261201}"
    export FUZZ_SEED="${FUZZ_SEED:-20261201}"
fi

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
start=$(date +%s)

step "set-up"
bash scripts/setup.sh

# The clean Debian 12 root of the package tests is network and disk work:
# made in the background while the code builds (the tests wait for it).
target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target"
bash scripts/clean-root.sh "$target/clean-root" > "$target/clean-root.out" 2>&1 &
echo $! > "$target/clean-root.pid"

step "rustfmt"
cargo fmt --all --check

step "UI: type check, unit tests, build"
(cd ui && npm run --silent check && npm run --silent test && npm run --silent build)

step "clippy (warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "build the app and ehr-central for the end-to-end tests"
cargo build --locked -p ehr-counter -p ehr-central -p ehrctl

step "Rust tests: unit, integration, pcscd + virtual card, architecture, end to end"
cargo test --workspace --locked

step "the app's logs of the whole end-to-end suite: no seeded name, number or contact"
cargo test --locked -p ehr-tests --test log_scan -- --ignored

step "Debian packages: lintian, then installed, upgraded and removed in a clean Debian 12 root"
cargo test --locked -p ehr-tests --test packages -- --ignored --test-threads=1

step "ehr-central: schemathesis against its OpenAPI document"
bash scripts/central-schemathesis.sh

step "fuzzing: every parser target, briefly (FUZZ_SECONDS, default 10)"
bash scripts/fuzz.sh

step "all gates passed in $(( $(date +%s) - start )) s"
