#!/usr/bin/env bash
# Runs eHR Counter: installs what is missing, builds the UI and the app, and
# opens the window.
#
#   bash scripts/run.sh           open the window on this display
#   bash scripts/run.sh --xvfb    run on a virtual display (no screen needed);
#                                 saves a screenshot to target/run-screenshot.png
set -euo pipefail
cd "$(dirname "$0")/.."

xvfb=0
for arg in "$@"; do
  case "$arg" in
    --xvfb) xvfb=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
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
cargo build --release --locked -p ehr-counter
bin="${CARGO_TARGET_DIR:-target}/release/ehr-counter"

if [ $xvfb = 0 ]; then
  exec "$bin"
fi

shot="${CARGO_TARGET_DIR:-target}/run-screenshot.png"
echo "[run] starting on a virtual display; screenshot: $shot; stop with Ctrl-C"
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
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
