#!/usr/bin/env bash
# Runs the bolt engine benchmark on Cairn (bench/Cairn.Bench, workload "bolt") and on Go's bbolt
# (bench/go/boltbench, built in GOPATH mode against Debian's go.etcd.io/bbolt) on the same machine,
# and prints ops/s, MB/s (key+value bytes) and the Cairn/Go ratio of each workload.
#   N=200000 ROUNDS=3 bench/bolt.sh [--nosync]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200000}
ROUNDS=${ROUNDS:-3}
extra=("$@")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

gopath="$work/gopath"
mkdir -p "$gopath/src/cairnbench"
for entry in /usr/share/gocode/src/*; do ln -s "$entry" "$gopath/src/"; done
ln -s "$PWD/bench/go/boltbench" "$gopath/src/cairnbench/boltbench"
(cd "$gopath/src/cairnbench/boltbench" && GOPATH="$gopath" GO111MODULE=off GOFLAGS= go build -o "$work/boltbench" .)
dotnet build -c Release bench/Cairn.Bench -v q -nologo >/dev/null

echo "bolt engine benchmark: $N keys per workload, best of $ROUNDS rounds ${extra[*]:-}" >&2
"$work/boltbench" -dir "$work/go" -n "$N" -rounds "$ROUNDS" ${extra[@]+"${extra[@]/--nosync/-nosync}"} >"$work/go.txt"
dotnet bench/Cairn.Bench/bin/Release/net10.0/Cairn.Bench.dll bolt --dir "$work/cairn" --n "$N" --rounds "$ROUNDS" ${extra[@]+"${extra[@]}"} >"$work/cairn.txt"

awk '
  FNR == 1 { file++ }
  $1 == "RESULT" {
    ops[file, $2] = $3 / $4; mbs[file, $2] = $5 / $4 / 1e6
    if (file == 1) order[++n] = $2
  }
  END {
    printf "%-24s %14s %10s %14s %10s %8s\n", "workload", "cairn ops/s", "cairn MB/s", "go ops/s", "go MB/s", "ratio"
    for (i = 1; i <= n; i++) {
      w = order[i]
      printf "%-24s %14.0f %10.1f %14.0f %10.1f %7.2fx\n", w, ops[1, w], mbs[1, w], ops[2, w], mbs[2, w], ops[1, w] / ops[2, w]
    }
  }' "$work/cairn.txt" "$work/go.txt"
