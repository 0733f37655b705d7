#!/usr/bin/env bash
# Benchmark of the solution reader, as processes, in one run: `ferry solution inspect
# --json` against a Python baseline and against reading just the needed bytes.
# Figures go to BENCHMARKS.md ("Solution packages"). The in-process criterion bench is
# `cargo bench -p ferry-solution`.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$ROOT"
command -v unzip >/dev/null || die "unzip is needed for the raw-read baseline: apt-get install unzip"
step "cargo build --release -p ferry-cli"
cargo build --release --locked -q -p ferry-cli
step "bench"
python3 scripts/bench_solution_run.py "${CARGO_TARGET_DIR:-$ROOT/target}/release/ferry" \
  "$ROOT/../shared/corpus/solutions" "${RUNS:-30}"
