#!/usr/bin/env bash
# Benchmarks of the local pipelines host (release build; figures in BENCHMARKS.md).
#
#   scripts/bench-host.sh [deployments=50] [speed=20] [makers=20]
#     Load: N concurrent deployments (create → validate → settings → versions → deploy →
#     poll) from M maker users against one host process over real HTTP. Prints throughput,
#     request latency (p50/p90/p99/max) and the host's peak memory as a ratio of a
#     50-deployment round run first in the same invocation; fails if any deployment, run or
#     artifact is lost. Speed 20 makes each deployment's phases last about one second.
#
#   scripts/bench-host.sh artifact [MB=100]
#     A deployment and downloads (raw, Range, JSON base64) of an MB-sized artifact: the host's
#     memory growth for each, and its SHA-256 throughput against a plain read of the file.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = artifact ]; then
    exec cargo bench -p ferry-host --bench artifact -- "${2:-100}"
fi
exec cargo bench -p ferry-host --bench load -- "${1:-50}" "${2:-20}" "${3:-20}"
