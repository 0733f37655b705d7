#!/usr/bin/env bash
# Runs every test of Ferry: formatting, lints (clippy, oxlint, cargo-deny), the Rust tests, the UI's type check
# and unit tests, the generated-bindings check, the no-Tauri-outside-the-app check,
# and end-to-end tests of the built desktop app under Xvfb through WebDriver.
# Installs whatever is missing first (see scripts/setup.sh).
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
START=$SECONDS

ensure_pinned_toolchain
ensure_apt_packages
ensure_npm_modules
ensure_tauri_driver
ensure_cargo_deny

step "cargo fmt --check"
cargo fmt --all --check

step "ui: type check, lint, unit tests, production build"
npm --prefix ui run --silent typecheck
npm --prefix ui run --silent lint
npm --prefix ui test
npm --prefix ui run --silent build -- --logLevel warn

# One feature set for every cargo command, so the app binary and all test
# harnesses come from one build (and the app embeds ui/dist).
FEATURES=(--workspace --all-targets --locked --features ferry-app/custom-protocol)

step "cargo build"
cargo build "${FEATURES[@]}"

step "cargo clippy -D warnings"
cargo clippy "${FEATURES[@]}" -- -D warnings

step "cargo deny: licenses, banned crates, sources (deny.toml)"
cargo deny --log-level error check licenses bans sources

step "no Tauri outside src-tauri"
scripts/check-no-tauri.sh

step "ferry-ops without the Local sandbox (no emulator in the build)"
cargo test -p ferry-ops --no-default-features --lib sandbox::
if cargo tree -p ferry-ops --no-default-features -e normal | grep -q ferry-host; then
    echo "ferry-ops without its sandbox feature still depends on ferry-host" >&2
    exit 1
fi

step "cargo test (unit, integration, CLI, bindings drift, real keyring)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export APP_BINARY="$TARGET_DIR/debug/ferry-app"
export E2E=1
# A private home, D-Bus session, keyring and virtual display, so neither the
# tests nor the services they start (WebKit's portal, the keyring) touch the
# real home directory; `timeout` so a stuck WebDriver can never hang the run.
# The desktop app's end-to-end tests get a session and keyring of their own,
# as a maker's desktop is not one where hundreds of test sign-ins came before.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
homes=()
trap 'rm -rf "${homes[@]}"' EXIT
in_session() {
  local home
  home="$(mktemp -d)"
  homes+=("$home")
  mkdir -m 700 "$home/run"
  HOME="$home" XDG_RUNTIME_DIR="$home/run" \
    XDG_CONFIG_HOME="$home/config" XDG_CACHE_HOME="$home/cache" \
    XDG_DATA_HOME="$home/data" \
    timeout 1800 dbus-run-session -- scripts/test-session.sh "$@"
}
in_session cargo test --no-fail-fast "${FEATURES[@]}" --exclude ferry-e2e

step "cargo test: the desktop app end to end (WebDriver under Xvfb)"
in_session cargo test --no-fail-fast --all-targets --locked --features ferry-app/custom-protocol \
  -p ferry-e2e -p ferry-app

step "all tests passed in $((SECONDS - START)) s"
