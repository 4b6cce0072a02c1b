#!/usr/bin/env bash
# Runs eHR Counter: installs what is missing, builds the UI and the app, and
# opens the window.
#
#   bash scripts/run.sh           open the window on this display
#   bash scripts/run.sh --xvfb    run on a virtual display (no screen needed);
#                                 saves a screenshot to target/run-screenshot.png
#
# Without EHR_CENTRAL_URL it runs in training mode: the embedded ehr-central
# with demo data on loopback (sign in as clerk01 / demo-clerk-01), and, when
# no physical card reader is present, pcscd with the virtual reader and a
# virtual card of a demo applicant whose application is pending.
set -euo pipefail
cd "$(dirname "$0")/.."

xvfb=0
for arg in "$@"; do
  case "$arg" in
    --xvfb) xvfb=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg (see --help)" >&2; exit 2 ;;
  esac
done

if [ $xvfb = 0 ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  cat >&2 <<'MSG'
eHR Counter opens a window, and this session has no display (neither DISPLAY
nor WAYLAND_DISPLAY is set).

  - On a desktop, run this command from a terminal inside the desktop session.
  - On a machine without a screen, run it on a virtual display:
        bash scripts/run.sh --xvfb
    which uses Xvfb and saves a screenshot to target/run-screenshot.png.
MSG
  exit 2
fi

bash scripts/setup.sh
echo "[run] building the UI"
(cd ui && npm run --silent build)
echo "[run] building the app (release; the first build takes several minutes)"
target="${CARGO_TARGET_DIR:-target}"
if [ -n "${EHR_CENTRAL_URL:-}" ]; then
  cargo build --release --locked -p ehr-counter
else
  cargo build --release --locked -p ehr-counter -p ehr-central -p ehrctl -p ehr-tests
fi
bin="$target/release/ehr-counter"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if [ -z "${EHR_CENTRAL_URL:-}" ]; then
  demo="$target/demo"
  mkdir -p "$demo/central" "$demo/counter"
  if [ -f "$demo/central/central.sqlite3" ] && [ ! -f "$demo/central/central.key" ]; then
    # A demo folder from before ehr-central encrypted its database: keep it
    # aside (ehr-central never replaces a database) and seed a new one.
    old="$demo/central.unencrypted-$(date +%Y%m%d%H%M%S)"
    echo "[run] $demo/central predates encryption at rest: moved to $old, seeding afresh"
    mv "$demo/central" "$old"
    mkdir -p "$demo/central"
  fi
  if [ ! -f "$demo/central/demo-credentials.json" ]; then
    echo "[run] seeding the embedded ehr-central with demo data"
    "$target/release/ehr-central" seed --demo --data-dir "$demo/central" > /dev/null
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  EHR_CENTRAL_LOG=warn "$target/release/ehr-central" serve --insecure-http \
    --addr "127.0.0.1:$port" --data-dir "$demo/central" 2> "$demo/central.log" &
  pids+=($!)
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  export EHR_CENTRAL_URL="http://127.0.0.1:$port"
  export EHR_TRAINING=1
  export EHR_COUNTER_DATA_DIR="${EHR_COUNTER_DATA_DIR:-$demo/counter}"
  # The training counter enrols itself at the embedded service: a one-time
  # code is minted for it until it has enrolled (enrolment.json), and the
  # app uses it at start; nobody types a code.
  if [ ! -f "$EHR_COUNTER_DATA_DIR/enrolment.json" ]; then
    EHR_TRAINING_ENROLMENT_CODE=$("$target/release/ehr-central" counter enrol --data-dir "$demo/central" \
      --site HA-QEH --name TRAINING | sed -n 's/^enrolment code (valid 24 hours, use once): //p')
    export EHR_TRAINING_ENROLMENT_CODE
  fi
  echo "[run] training mode: ehr-central at $EHR_CENTRAL_URL; sign in as clerk01 / demo-clerk-01"

  # No physical reader: the virtual reader and a demo applicant's card.
  if ! pgrep -x pcscd > /dev/null; then
    pcscd --foreground > "$demo/pcscd.log" 2>&1 &
    pids+=($!)
    sleep 1
  fi
  readers=$("$target/release/ehrctl" card readers 2>/dev/null | grep -v '^Virtual PCD' || true)
  if [ -z "$readers" ]; then
    "$target/release/vcard" from-demo "$demo/central/demo-credentials.json" "$demo/people" > "$demo/people.txt"
    "$target/release/vcard" --control "$demo/vcard.sock" daemon > "$demo/vcard.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 50); do [ -S "$demo/vcard.sock" ] && break; sleep 0.1; done
    "$target/release/vcard" --control "$demo/vcard.sock" insert "$demo/people/person-1.json" || true
    echo "[run] virtual card inserted: $(head -1 "$demo/people.txt")"
    echo "[run] swap people with: $target/release/vcard --control $demo/vcard.sock swap $demo/people/person-2.json"
  fi
fi

if [ $xvfb = 0 ]; then
  "$bin"
  exit $?
fi

# A virtual session has no unlocked keyring to keep the store key in (its
# unlock prompt would wait for nobody): use the key file.
export EHR_COUNTER_KEYRING="${EHR_COUNTER_KEYRING:-off}"
shot="${CARGO_TARGET_DIR:-target}/run-screenshot.png"
echo "[run] starting on a virtual display; screenshot: $shot; stop with Ctrl-C"
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  "$1" & app=$!
  trap "kill $app 2>/dev/null" EXIT INT TERM
  for _ in $(seq 1 100); do
    if xwininfo -root -tree 2>/dev/null | grep -q "\"eHR Counter\""; then break; fi
    sleep 0.2
  done
  # WebKit paints a moment after the window maps: capture until the picture
  # is more than one flat colour (up to 20 s).
  for _ in $(seq 1 40); do
    import -window root "$2" 2>/dev/null
    [ "$(identify -format %k "$2" 2>/dev/null || echo 1)" -gt 1 ] && break
    sleep 0.5
  done
  echo "[run] screenshot saved to $2"
  wait $app
' run "$bin" "$shot"
