#!/usr/bin/env bash
# Builds and opens the Ferry desktop app. Installs whatever is missing first
# (see scripts/setup.sh). Extra arguments go to the app.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$ROOT"

ensure_pinned_toolchain
ensure_apt_packages
ensure_npm_modules

step "ui: production build"
npm --prefix ui run --silent build -- --logLevel warn

step "cargo build -p ferry-app"
cargo build -p ferry-app --features custom-protocol

APP="${CARGO_TARGET_DIR:-$ROOT/target}/debug/ferry-app"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo
  echo "No display found (DISPLAY and WAYLAND_DISPLAY are unset): starting the app on a"
  echo "virtual one with xvfb-run. To look at it, take a screenshot from inside, e.g."
  echo "  xvfb-run -a -s '-screen 0 1280x800x24' bash -c '$APP & sleep 8; import -window root ferry.png'"
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$APP" "$@"
fi
step "starting Ferry"
exec "$APP" "$@"
