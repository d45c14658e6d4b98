#!/usr/bin/env bash
# WAL append throughput, Cairn vs etcd 3.4's Go WAL, on this machine and disk in one run:
# 256-byte entries, one Save (one fdatasync) per batch of 1, 10 and 100 entries; then the same
# without fsync (etcd's --unsafe-no-fsync), which shows the CPU cost of encoding and writing.
# Each row runs both ROUNDS times, alternating, and keeps each side's best: fsync latency on a
# shared machine varies a lot from one moment to the next.
# Usage: bench/wal.sh [DIR] [ROUNDS]   (DIR: where the WALs go, default /tmp; ROUNDS default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-/tmp}"
rounds="${2:-3}"

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd bench/go/walbench && GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS=-mod=mod go build -o "$bin/walbench" .)
dotnet build bench/Cairn.Bench -c Release -o "$bin/cairn" -v quiet -nologo >/dev/null

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
best() { sort -g | tail -1; }

printf '%-6s %-6s %-8s | %15s %8s | %15s %8s | %6s\n' fsync batch entries "cairn entries/s" "MB/s" "etcd entries/s" "MB/s" ratio
for row in "yes 1 3000" "yes 10 30000" "yes 100 300000" "no 1 300000" "no 100 1000000"; do
  set -- $row
  flag=(); [ "$1" = no ] && flag=(--no-fsync)
  c=(); e=()
  for _ in $(seq "$rounds"); do
    c+=("$("$bin/cairn/Cairn.Bench" wal-append --batch "$2" --entries "$3" --size 256 --dir "$dir" "${flag[@]}")")
    e+=("$("$bin/walbench" -batch "$2" -entries "$3" -size 256 -dir "$dir" "${flag[@]}")")
  done
  ce=$(printf '%s\n' "${c[@]}" | field entries_per_s | best)
  cm=$(printf '%s\n' "${c[@]}" | field mb_per_s | best)
  ee=$(printf '%s\n' "${e[@]}" | field entries_per_s | best)
  em=$(printf '%s\n' "${e[@]}" | field mb_per_s | best)
  printf '%-6s %-6s %-8s | %15s %8s | %15s %8s | %6.2f\n' "$1" "$2" "$3" "$ce" "$cm" "$ee" "$em" "$(awk -v a="$ce" -v b="$ee" 'BEGIN { print a / b }')"
done
