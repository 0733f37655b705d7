#!/usr/bin/env bash
# The desktop app's startup time and memory against a bare Tauri window, in one run
# (BENCHMARKS.md, "Desktop app: startup and memory"): builds both in release (the bare
# window also carries the "Fluent floor" page: React, a FluentProvider, one line of
# text), seeds a temp data dir with cached runs for a profile whose host is not running,
# then launches each RUNS times, interleaved, under Xvfb and a D-Bus session (the app as a
# returning maker starts it, with the first screen it kept once, and as at a first start),
# and prints the time to first data, the memory of all their processes, the medians and
# the ratios.
#   scripts/bench-app.sh [runs=5] [cached runs=10000]
# Exits non-zero only when a measurement fails, not when the goal (<= 1.3x) is missed.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
RUNS="${1:-5}"
CACHED="${2:-10000}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BARE_TARGET="$TARGET/bare-window"
for tool in xvfb-run dbus-run-session python3; do
  command -v "$tool" >/dev/null || die "$tool is missing: scripts/setup.sh lists the packages (xvfb, dbus)"
done

step "npm --prefix ui run build"
npm --prefix ui run build >/dev/null
step "cargo build --release -p ferry-app (custom-protocol)"
cargo build --release --locked -q -p ferry-app --features ferry-app/custom-protocol
step "cargo build -p ferry-cache --example seed_runs"
cargo build --locked -q -p ferry-cache --example seed_runs
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
step "seed $CACHED cached runs (host http://127.0.0.1:$port, not running)"
mkdir -p "$work/seeded"
"$TARGET/debug/examples/seed_runs" "$work/seeded/cache.sqlite" "$CACHED" "http://127.0.0.1:$port"

step "bench: $RUNS launches each, interleaved (Xvfb, D-Bus session)"
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  python3 scripts/bench_app_run.py "$TARGET/release/ferry-app" "$BARE_TARGET/release/bare-window" \
  "$work/seeded" "$RUNS"
