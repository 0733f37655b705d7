#!/usr/bin/env bash
# The desktop app's time to interactive and memory against a bare Tauri window, in one
# run (BENCHMARKS.md, "Desktop app: startup and memory"): installs what it needs, builds
# both in release (the app with its `bench` feature, whose page script reports the
# moment React's commit put the first cached history row in the DOM; the bare window
# also carries the "Fluent floor" page: React, a FluentProvider, one line of text),
# seeds a temp data dir per number of cached runs for a profile whose host is not
# running, then launches each RUNS times, interleaved, under Xvfb and a D-Bus session
# (the app at a first start and at a later start over each), and prints the times, the
# memory of all their processes, the medians and the ratios.
#   scripts/bench-app.sh [runs=5] [cached runs="10000 100000"]
# Exits non-zero only when a measurement fails, not when the goal (<= 1.3x) is missed.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
RUNS="${1:-5}"
read -r -a CACHED <<<"${2:-10000 100000}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BARE_TARGET="$TARGET/bare-window"

ensure_pinned_toolchain
ensure_apt_packages
ensure_npm_modules
command -v python3 >/dev/null || die "python3 (3.11 or newer) is missing: the runner and the lock check use it"

step "npm --prefix ui run build"
npm --prefix ui run build >/dev/null
step "cargo build --release -p ferry-app (custom-protocol, bench)"
cargo build --release --locked -q -p ferry-app --features ferry-app/custom-protocol,ferry-app/bench
step "cargo build --release -p ferry-cache --example seed_runs"
cargo build --release --locked -q -p ferry-cache --example seed_runs
step "the bare window uses Ferry's tauri, wry and webkit2gtk versions"
python3 - "$ROOT/Cargo.lock" "$ROOT/benches/bare-window/Cargo.lock" <<'PY'
import sys, tomllib
locks = [{p["name"]: p["version"] for p in tomllib.load(open(f, "rb"))["package"]} for f in sys.argv[1:]]
for name in ("tauri", "tauri-runtime-wry", "wry", "tao", "webkit2gtk"):
    if locks[0].get(name) != locks[1].get(name):
        sys.exit(f"benches/bare-window/Cargo.lock has {name} {locks[1].get(name)}, Ferry {locks[0].get(name)}: "
                 "copy the root Cargo.lock into benches/bare-window/ and run `cargo metadata` there")
    print(f"{name} {locks[0][name]}")
PY
step "the Fluent floor page (ui/bench/floor -> benches/bare-window/dist/floor)"
(cd ui && npx vite build bench/floor --config vite.config.ts --outDir "$ROOT/benches/bare-window/dist/floor" \
  --emptyOutDir --base ./ --logLevel warn)
step "cargo build --release bare window (target/bare-window)"
CARGO_TARGET_DIR="$BARE_TARGET" cargo build --release --locked -q \
  --manifest-path benches/bare-window/Cargo.toml --features custom-protocol

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A loopback port nothing listens on: the profile's host is "offline".
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
seeded=()
for n in "${CACHED[@]}"; do
  step "seed $n cached runs (host http://127.0.0.1:$port, not running)"
  mkdir -p "$work/$n"
  "$TARGET/release/examples/seed_runs" "$work/$n/cache.sqlite" "$n" "http://127.0.0.1:$port"
  seeded+=("$work/$n")
done

step "bench: $RUNS launches each, interleaved (Xvfb, D-Bus session); load: $(uptime | sed 's/.*load average/load average/')"
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  python3 scripts/bench_app_run.py "$TARGET/release/ferry-app" "$BARE_TARGET/release/bare-window" \
  "$RUNS" "${seeded[@]}"
