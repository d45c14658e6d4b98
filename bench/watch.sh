#!/usr/bin/env bash
# Watch fan-out, cairn vs etcd 3.4.23 on this machine in one run: WATCHERS watchers on KEYS keys
# over STREAMS streams, puts at each of RATES per second; per rate, events delivered per second,
# put-to-event p99, and the server's CPU time per event delivered (the steadiest number on a
# shared machine). Both servers run side by side on fresh data dirs; the same C# client
# (bench/Cairn.Bench watch-fanout) measures each, alternating rounds; each side keeps its best.
# Usage: bench/watch.sh [ROUNDS] [RATES] [SECONDS]   (defaults: 3, 200,500,1000,2000, 10)
# Environment: WATCHERS (10000), KEYS (100), STREAMS (100), DIR (where data dirs go, /tmp),
# FIRST_WARMUP (seconds of puts before the first row, 20: cairn compiles its hot paths meanwhile),
# PORT (first of the four loopback ports the two servers take, 23791).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
rates="${2:-200,500,1000,2000}"
seconds="${3:-10}"
watchers="${WATCHERS:-10000}"
keys="${KEYS:-100}"
streams="${STREAMS:-100}"

work=$(mktemp -d "${DIR:-/tmp}/cairn-watch-bench.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

dotnet build src/Cairn -c Release -o "$work/cairn-bin" -v quiet -nologo >/dev/null
dotnet build bench/Cairn.Bench -c Release -o "$work/bench-bin" -v quiet -nologo >/dev/null

start() { # name program client-port peer-port
  "$2" --name default --data-dir "$work/$1" \
    --listen-client-urls "http://127.0.0.1:$3" --advertise-client-urls "http://127.0.0.1:$3" \
    --listen-peer-urls "http://127.0.0.1:$4" --initial-advertise-peer-urls "http://127.0.0.1:$4" \
    --initial-cluster "default=http://127.0.0.1:$4" >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q "ready to serve client requests" "$work/$1.log" && return 0; sleep 0.2; done
  echo "$1 did not start:"; cat "$work/$1.log"; exit 1
}
port="${PORT:-23791}"
start cairn "$work/cairn-bin/cairn" "$port" $((port + 2)); cairn_pid=${pids[-1]}
start etcd etcd $((port + 1)) $((port + 3)); etcd_pid=${pids[-1]}

run() { # url pid
  "$work/bench-bin/Cairn.Bench" watch-fanout --target "$1" --server-pid "$2" --watchers "$watchers" --keys "$keys" \
    --streams "$streams" --rates "$rates" --seconds "$seconds" --warmup 2 --first-warmup "${FIRST_WARMUP:-20}" | awk '$1 ~ /^[0-9]+$/'
}
: >"$work/cairn.rows"; : >"$work/etcd.rows"
for _ in $(seq "$rounds"); do
  run "http://127.0.0.1:$port" "$cairn_pid" >>"$work/cairn.rows"
  run "http://127.0.0.1:$((port + 1))" "$etcd_pid" >>"$work/etcd.rows"
done

# Columns of a row: rate puts/s events/s p50 p99 max missing cpu-us/event. Best of the rounds:
# most events/s; for p99 and CPU, the lowest.
best() { # file rate column max|min
  awk -v r="$2" -v c="$3" -v m="$4" '$1 == r { v = $c; gsub(/,/, "", v); if (n == 0 || (m == "max" ? v > b : v < b)) b = v; n++ } END { print b }' "$1"
}
echo "$watchers watchers on $keys keys over $streams streams, $seconds s per rate, best of $rounds rounds"
printf '%8s | %12s %9s %9s | %12s %9s %9s | %8s %8s\n' rate "cairn ev/s" "p99 ms" "µs/event" "etcd ev/s" "p99 ms" "µs/event" "ev/s x" "CPU x"
for rate in ${rates//,/ }; do
  ce=$(best "$work/cairn.rows" "$rate" 3 max); cp=$(best "$work/cairn.rows" "$rate" 5 min); cc=$(best "$work/cairn.rows" "$rate" 8 min)
  ee=$(best "$work/etcd.rows" "$rate" 3 max); ep=$(best "$work/etcd.rows" "$rate" 5 min); ec=$(best "$work/etcd.rows" "$rate" 8 min)
  printf '%8s | %12s %9s %9s | %12s %9s %9s | %8.2f %8.2f\n' "$rate" "$ce" "$cp" "$cc" "$ee" "$ep" "$ec" \
    "$(awk -v a="$ce" -v b="$ee" 'BEGIN { print a / b }')" "$(awk -v a="$ec" -v b="$cc" 'BEGIN { print a / b }')"
done

# The ceiling: each server's most events/s in any row (any rate, any round), with that row's p99.
peak() { # file -> "events/s p99 rate"
  awk '{ v = $3; gsub(/,/, "", v); p = $5; if (v + 0 > b + 0) { b = v; bp = p; br = $1 } } END { print b, bp, br }' "$1"
}
read -r cpk cpp cpr <<<"$(peak "$work/cairn.rows")"
read -r epk epp epr <<<"$(peak "$work/etcd.rows")"
printf 'peak: cairn %s events/s (p99 %s ms, at %s puts/s), etcd %s events/s (p99 %s ms, at %s puts/s): %.2fx\n' \
  "$cpk" "$cpp" "$cpr" "$epk" "$epp" "$epr" "$(awk -v a="$cpk" -v b="$epk" 'BEGIN { print a / b }')"

# The same ceiling under a latency bound: each server's most events/s in a row whose p99 is no
# higher than the p99 of cairn's peak row (etcd's peak usually comes with seconds of delay).
bounded() { # file bound-ms -> "events/s p99 rate", or "0 - -" when no row is within the bound
  awk -v m="$2" '{ v = $3; gsub(/,/, "", v); p = $5 + 0; if (p <= m + 0 && v + 0 > b + 0) { b = v; bp = p; br = $1 } }
    END { if (b == "") print 0, "-", "-"; else print b, bp, br }' "$1"
}
read -r ebk ebp ebr <<<"$(bounded "$work/etcd.rows" "$cpp")"
if [ "$ebk" = 0 ]; then
  printf 'within p99 %s ms: cairn %s events/s, etcd no row (its lowest p99: %s ms)\n' "$cpp" "$cpk" \
    "$(awk '{ p = $5 + 0; if (n++ == 0 || p < b) b = p } END { print b }' "$work/etcd.rows")"
else
  printf 'within p99 %s ms: cairn %s events/s, etcd %s events/s (p99 %s ms, at %s puts/s): %.2fx\n' \
    "$cpp" "$cpk" "$ebk" "$ebp" "$ebr" "$(awk -v a="$cpk" -v b="$ebk" 'BEGIN { print a / b }')"
fi
