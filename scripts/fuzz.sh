#!/usr/bin/env bash
# Run every cargo-fuzz target (the parsers of ehr-domain and ehr-card, and the
# image decoders behind ehr-capture) briefly; fail on any crash. New targets in
# fuzz/Cargo.toml are found by `cargo fuzz list`.
#
#   FUZZ_SECONDS=10 scripts/fuzz.sh          # all targets, 10 s each (default)
#   FUZZ_SECONDS=60 scripts/fuzz.sh date     # one target
#
# Needs the nightly toolchain (`rustup toolchain install nightly`); installs
# cargo-fuzz with `cargo install cargo-fuzz --locked` if it is missing.
# Crash inputs land in fuzz/artifacts/<target>/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fuzz_dir="$root/fuzz"
seconds="${FUZZ_SECONDS:-10}"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz.sh: the nightly toolchain is missing (rustup toolchain install nightly)" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

cd "$fuzz_dir"
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

logs="$root/target/fuzz-logs"
mkdir -p "$logs"
failed=()
for t in "${targets[@]}"; do
    echo "fuzz.sh: $t for ${seconds}s (log: target/fuzz-logs/$t.log)" >&2
    mkdir -p "corpus/$t"
    # libFuzzer reports every new input; keep that in the log and show its
    # end only when the target fails.
    # FUZZ_SEED fixes libFuzzer's seed (the CI gate sets it); unset, each
    # run draws a new one.
    seed=()
    if [ -n "${FUZZ_SEED:-}" ]; then seed=(-seed="$FUZZ_SEED"); fi
    if ! cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$seconds" -print_final_stats=0 "${seed[@]}" >"$logs/$t.log" 2>&1; then
        tail -n 60 "$logs/$t.log" >&2
        failed+=("$t")
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz.sh: FAILED: ${failed[*]} (inputs in $fuzz_dir/artifacts/)" >&2
    exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets ran ${seconds}s each with no crash" >&2
