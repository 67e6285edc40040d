#!/usr/bin/env bash
# Measures the agent's upload speed, bandwidth cap, backpressure and peak
# memory against curl and rclone in the same run, over loopback. Linux
# only (reads rusage and needs curl; rclone is optional). Results and the
# method are in docs/benchmarks.md. Usage:
#   bench/pace.sh [RUNS]          full sizes, RUNS runs each (default 5)
#   bench/pace.sh --quick         tiny sizes, one run: a smoke test
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/hotfolder" ./cmd/hotfolder
go build -o "$out/pace" ./bench/pace
pace() { "$out/pace" -bin "$out/hotfolder" "$@"; }

if [[ ${1:-} == --quick ]]; then
  pace -mode big -size 16M -runs 1
  pace -mode small -files 50 -runs 1
  pace -mode cap -rate 1M -files 2 -size 256K -runs 1
  pace -mode slots -files 40 -runs 1
  pace -mode rss -size 64M
  exit 0
fi

runs=${1:-5}
pace -mode big -size 1G -runs "$runs"
pace -mode small -files 2000 -size 4K -runs "$runs"
pace -mode cap -rate 4M -files 4 -size 10M -runs "$runs"
pace -mode slots -files 400 -hold 20ms -runs "$runs"
pace -mode rss -size 10G
