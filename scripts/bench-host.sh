#!/usr/bin/env bash
# Load benchmark of the local pipelines host: 50 concurrent deployments
# (create → validate → settings → versions → deploy → poll) against one host
# over real HTTP. Prints throughput and request latency (p50/p90/p99/max) and
# fails if any deployment, run or artifact is lost.
#
#   scripts/bench-host.sh [deployments=50] [speed=20]
#
# speed 20 makes each deployment's phases last about one second.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench -p ferry-host --bench load -- "${1:-50}" "${2:-20}"
