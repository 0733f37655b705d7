# Shared set-up for run.sh and test.sh (sourced, not run). Installs only what is
# missing, so a second run takes seconds:
#   - Debian/Ubuntu packages through apt (as root, or with sudo),
#   - the UI's npm modules with `npm ci` from ui/package-lock.json,
#   - cargo tools (tauri-driver) with `cargo install --locked`.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-auto}"

step() { printf '\n=== %s (%s)\n' "$*" "$(date +%T)"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Build and run dependencies of a Tauri v2 app, plus what the tests need:
# a virtual display (xvfb), WebKit's WebDriver, a D-Bus session and a Secret
# Service (gnome-keyring) for the real-keyring test.
APT_PACKAGES=(
  build-essential pkg-config file libssl-dev
  libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  librsvg2-dev libayatana-appindicator3-dev
  xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring fonts-dejavu-core
)

ensure_apt_packages() {
  command -v dpkg-query >/dev/null || die "this script installs packages with apt (Debian/Ubuntu). On other systems install the Tauri v2 prerequisites by hand."
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  step "apt-get install ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "run as root, or install sudo, to install: ${missing[*]}"
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_npm_modules() {
  command -v npm >/dev/null || die "npm is missing: install Node.js 20 or newer with npm"
  local stamp="$ROOT/ui/node_modules/.ferry-lock-sha256" want
  want="$(sha256sum "$ROOT/ui/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  step "npm ci (ui)"
  npm ci --prefix "$ROOT/ui" --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
}

TAURI_DRIVER_VERSION="2.1.0"

# rust-toolchain.toml pins a version. Where rustup can download, it installs it; where
# it cannot (a machine with one preinstalled toolchain and no rustup server), the
# installed default toolchain is that version under another name ("stable"): name it.
ensure_pinned_toolchain() {
  local channel host default_dir
  channel="$(sed -n 's/^channel = "\(.*\)"/\1/p' "$ROOT/rust-toolchain.toml")"
  [ -n "$channel" ] || die "rust-toolchain.toml names no channel"
  command -v rustup >/dev/null || return 0
  rustup toolchain list | grep -q "^$channel-" && return 0
  host="$(RUSTUP_TOOLCHAIN="$(rustup default | cut -d' ' -f1)" rustc -vV | sed -n 's/^host: //p')"
  if rustup toolchain install "$channel" --profile minimal -c rustfmt -c clippy >/dev/null 2>&1; then
    return 0
  fi
  default_dir="$(RUSTUP_TOOLCHAIN="$(rustup default | cut -d' ' -f1)" rustc --print sysroot)"
  "$default_dir/bin/rustc" --version | grep -q "^rustc $channel " ||
    die "rust-toolchain.toml wants Rust $channel; rustup cannot install it and the default toolchain is $("$default_dir/bin/rustc" --version)"
  step "naming the installed toolchain $channel"
  ln -s "$default_dir" "${RUSTUP_HOME:-$HOME/.rustup}/toolchains/$channel-$host"
}

# cargo-deny checks licenses, banned crates and sources (deny.toml) in the test command.
CARGO_DENY_VERSION=0.20.2
ensure_cargo_deny() {
  local bin="${CARGO_HOME:-$HOME/.cargo}/bin"
  export PATH="$bin:$PATH"
  if command -v cargo-deny >/dev/null &&
    cargo deny --version | grep -q "^cargo-deny $CARGO_DENY_VERSION$"; then
    return 0
  fi
  step "cargo install cargo-deny $CARGO_DENY_VERSION"
  cargo install cargo-deny --locked --version "$CARGO_DENY_VERSION"
}

ensure_tauri_driver() {
  local bin="${CARGO_HOME:-$HOME/.cargo}/bin"
  export PATH="$bin:$PATH"
  # tauri-driver has no --version; cargo's install list knows what is there.
  if command -v tauri-driver >/dev/null &&
    cargo install --list | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
    return 0
  fi
  step "cargo install tauri-driver $TAURI_DRIVER_VERSION"
  cargo install tauri-driver --locked --version "$TAURI_DRIVER_VERSION"
}
