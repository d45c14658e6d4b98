#!/usr/bin/env bash
# Lease keep-alive throughput, cairn vs etcd 3.4.23, on this machine in one run: LEASES leases
# granted, then 1, 16, 64 and 256 keep-alive streams renewing them round-robin (one request in
# flight per stream, as clientv3's keep-alive loop for one lease); keep-alives per second and
# request-to-answer p50/p99. Each server runs alone on a fresh data dir (default flags) while
# it is measured; ROUNDS rounds alternate the servers and each side keeps its best row.
# Usage: bench/lease.sh [LEASES] [SECONDS] [ROUNDS]   (defaults 10000, 5, 2)
set -euo pipefail
cd "$(dirname "$0")/.."
leases="${1:-10000}"
seconds="${2:-5}"
rounds="${3:-2}"
streams="1,16,64,256"

bin=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null; rm -rf "$bin"; }
trap cleanup EXIT
dotnet publish src/Cairn -c Release -o "$bin/cairn" -v quiet -nologo >/dev/null
dotnet build bench/Cairn.Bench -c Release -o "$bin/bench" -v quiet -nologo >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# run SERVER: starts it on a fresh data dir, measures, stops it; prints the workload's rows.
run() {
  local program=$1 data client peer
  data=$(mktemp -d "$bin/data.XXXX")
  client=$(free_port); peer=$(free_port)
  "$program" --name m1 --data-dir "$data" \
    --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "m1=http://127.0.0.1:$peer" >"$data.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 300); do
    curl -s --noproxy '*' "http://127.0.0.1:$client/health" 2>/dev/null | grep -q '"true"' && break
    sleep 0.1
  done
  "$bin/bench/Cairn.Bench" lease-keepalive --target "http://127.0.0.1:$client" --leases "$leases" --streams "$streams" --seconds "$seconds" --warmup 3
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=""
  rm -rf "$data"
}

c=(); e=()
for round in $(seq "$rounds"); do
  echo "round $round: cairn" >&2; c+=("$(run "$bin/cairn/cairn")")
  echo "round $round: etcd" >&2; e+=("$(run etcd)")
done
printf '%s\n' "${c[@]}" | head -2 >&2
# Rows: streams keepalives/s p50 p99 keepalives; best = highest keep-alives/s per stream count.
printf '%8s | %14s %9s %9s | %14s %9s %9s | %6s\n' streams "cairn ka/s" "p50 µs" "p99 µs" "etcd ka/s" "p50 µs" "p99 µs" ratio
for s in ${streams//,/ }; do
  cb=$(printf '%s\n' "${c[@]}" | awk -v s="$s" '$1 == s { gsub(",", "", $2); gsub(",", "", $3); gsub(",", "", $4); print $2, $3, $4 }' | sort -gr | head -1)
  eb=$(printf '%s\n' "${e[@]}" | awk -v s="$s" '$1 == s { gsub(",", "", $2); gsub(",", "", $3); gsub(",", "", $4); print $2, $3, $4 }' | sort -gr | head -1)
  set -- $cb $eb
  printf '%8s | %14s %9s %9s | %14s %9s %9s | %6.2f\n' "$s" "$1" "$2" "$3" "$4" "$5" "$6" "$(awk -v a="$1" -v b="$4" 'BEGIN { print a / b }')"
done
