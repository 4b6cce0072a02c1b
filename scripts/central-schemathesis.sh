#!/usr/bin/env bash
# Runs schemathesis (pinned, from PyPI, in a venv under target/) against a
# freshly seeded ehr-central on loopback: every operation of the OpenAPI
# document, checking not_a_server_error and response_schema_conformance.
#
# Usage: scripts/central-schemathesis.sh [max-examples-per-operation]
# Exit status: 0 when schemathesis finds nothing.
set -euo pipefail

SCHEMATHESIS_VERSION="4.32.5"
MAX_EXAMPLES="${1:-40}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/target/central-schemathesis"
VENV="$WORK/venv"

mkdir -p "$WORK"
if [[ ! -x "$VENV/bin/schemathesis" ]] ||
    [[ "$("$VENV/bin/pip" show schemathesis 2>/dev/null | sed -n 's/^Version: //p')" != "$SCHEMATHESIS_VERSION" ]]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# Release build: argon2 (sign-in) is very slow unoptimised.
cargo build --quiet --release --locked -p ehr-central
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/ehr-central"

DATA="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$DATA"
}
trap cleanup EXIT

"$BIN" seed --data-dir "$DATA" --demo --applications 200 > /dev/null
KEY="$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(next(x["machine_key"] for x in c["counters"] if x["site_code"]=="RO-HK"))' "$DATA/demo-credentials.json")"

EHR_CENTRAL_LOG=warn "$BIN" serve --data-dir "$DATA" --addr 127.0.0.1:0 --insecure-http > "$DATA/server.out" 2> "$DATA/server.err" &
SERVER_PID=$!
URL=""
for _ in $(seq 1 100); do
    URL="$(sed -n 's/^listening on //p' "$DATA/server.out")"
    [[ -n "$URL" ]] && break
    sleep 0.1
done
[[ -n "$URL" ]] || { echo "ehr-central did not start" >&2; cat "$DATA/server.err" >&2; exit 1; }

TOKEN="$(curl -sf -X POST "$URL/v1/auth/sign-in" -H "X-Counter-Key: $KEY" -H 'content-type: application/json' \
    -d '{"staff_code":"clerk01","password":"demo-clerk-01"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"

# Sign-out is excluded: it would end the session the run uses. Run from the
# work directory so schemathesis's cache stays under target/.
cd "$WORK"
"$VENV/bin/schemathesis" run "$URL/v1/openapi.json" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --seed 20260101 \
    --workers 2 \
    --exclude-path /v1/auth/sign-out \
    --suppress-health-check all \
    --request-timeout 10 \
    -H "X-Counter-Key: $KEY" \
    -H "Authorization: Bearer $TOKEN"
