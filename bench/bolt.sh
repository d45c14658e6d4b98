#!/usr/bin/env bash
# Runs the bolt engine benchmark on Cairn (bench/Cairn.Bench, workload "bolt") and on Go's bbolt
# (bench/go/boltbench, built in GOPATH mode against Debian's go.etcd.io/bbolt) on the same machine,
# and prints ops/s, MB/s (key+value bytes) and the Cairn/Go ratio of each workload.
# The two alternate round by round (each run warms up first), so that both see the same machine
# load; the best round of each is reported.
#   N=200000 ROUNDS=3 bench/bolt.sh [--nosync]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200000}
ROUNDS=${ROUNDS:-3}
nosync=()
[ "${1:-}" = "--nosync" ] && nosync=(--nosync)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

gopath="$work/gopath"
mkdir -p "$gopath/src/cairnbench"
for entry in /usr/share/gocode/src/*; do ln -s "$entry" "$gopath/src/"; done
ln -s "$PWD/bench/go/boltbench" "$gopath/src/cairnbench/boltbench"
(cd "$gopath/src/cairnbench/boltbench" && GOPATH="$gopath" GO111MODULE=off GOFLAGS= go build -o "$work/boltbench" .)
dotnet build -c Release bench/Cairn.Bench -v q -nologo >/dev/null

echo "bolt engine benchmark: $N keys per workload, best of $ROUNDS alternating rounds ${nosync[*]:-(fdatasync on commit)}" >&2
for round in $(seq 1 "$ROUNDS"); do
  "$work/boltbench" -dir "$work/go" -n "$N" -rounds 1 ${nosync[@]+-nosync} | sed 's/^RESULT/GO/' >>"$work/results.txt"
  dotnet bench/Cairn.Bench/bin/Release/net10.0/Cairn.Bench.dll bolt --dir "$work/cairn" --n "$N" --rounds 1 ${nosync[@]+"${nosync[@]}"} \
    | sed 's/^RESULT/CAIRN/' >>"$work/results.txt"
done

awk '
  $1 == "GO" || $1 == "CAIRN" {
    key = $1 SUBSEP $2
    if (!(key in secs) || $4 < secs[key]) { secs[key] = $4; ops[key] = $3; bytes[key] = $5 }
    if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
  }
  END {
    printf "%-24s %14s %10s %14s %10s %8s\n", "workload", "cairn ops/s", "cairn MB/s", "go ops/s", "go MB/s", "ratio"
    for (i = 1; i <= n; i++) {
      w = order[i]; c = "CAIRN" SUBSEP w; g = "GO" SUBSEP w
      printf "%-24s %14.0f %10.1f %14.0f %10.1f %7.2fx\n", w, ops[c] / secs[c], bytes[c] / secs[c] / 1e6,
        ops[g] / secs[g], bytes[g] / secs[g] / 1e6, (ops[c] / secs[c]) / (ops[g] / secs[g])
    }
  }' "$work/results.txt"
