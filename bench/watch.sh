#!/usr/bin/env bash
# Measures the watcher: a 100,000-file backlog at start (time to first
# upload, to queue all, to upload all; peak RSS) and idle CPU with 1,000
# watched subfolders. Linux only (reads /proc). Usage:
#   bench/watch.sh [FILES] [SUBDIRS] [IDLE]     defaults: 100000 1000 60s
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/hotfolder" ./cmd/hotfolder
go build -o "$out/watch" ./bench/watch
"$out/watch" -bin "$out/hotfolder" -mode backlog -files "${1:-100000}"
"$out/watch" -bin "$out/hotfolder" -mode idle -subdirs "${2:-1000}" -idle "${3:-60s}"
