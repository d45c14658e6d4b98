#!/usr/bin/env bash
# The same KV workloads against Debian's etcd 3.4.23 and against cairn, on this machine, in one
# run; prints one side-by-side table. How to read it: docs/benchmarks.md.
#
# Each server is started once (new data dir on real disk, free loopback ports, the same flags,
# default snapshot and batching settings) and warmed up with the load of every row, so that
# cairn's JIT has tiered up before anything is measured. Then every row runs against etcd and
# against cairn in turn (who goes first alternates between rounds), with the server's CPU time and
# RSS read from /proc; the servers' peak RSS is reset before each row (/proc/PID/clear_refs), so
# "peak" is the row's own. The idle server beside costs ~1% of a core.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/kv.sh [options]
  --seconds S        measured seconds per row (default 5)
  --warmup S         seconds of the same load just before each row's measurement (default 1)
  --server-warmup S  seconds of each kind of load (put, range...) once per server before the
                     first row, so that the JIT has tiered up (default 8; 0 measures cold)
  --rounds N         run every row N times; the table shows each side's median round (default 1)
  --workloads LIST   comma-separated rows, each put-N, txn-put-N, range-l-N or range-s-N
                     with N clients (default put-1,put-64,put-256,range-l-64,range-s-64)
  --servers LIST     which servers (default etcd,cairn)
  --connections N    HTTP/2 connections of the load generator (default min(clients, 8))
  --client NAME      the load generator's client: h2 (hand-framed HTTP/2, cheap; default) or
                     grpc (the project's gRPC client on HttpClient)
  --key-space N      distinct keys the put rows write (default 100000; range rows put and read 10000)
  --etcd PATH        the etcd binary (default: etcd on PATH, Debian's 3.4.23)
  --cairn-dir DIR    an already published cairn (DIR/cairn) instead of publishing one
  --cairn-env LIST   comma-separated NAME=VALUE added to cairn's environment, to try runtime
                     settings (e.g. DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0)
  --tmp DIR          where the temp dir goes; must not be tmpfs (default: /var/tmp, else /tmp)
  --out FILE         also copy the raw results (one tab-separated line per run) here
  --keep             keep the temp dir (server and load logs)
  --perf             profile cairn's measured runs with perf (cairn started with
                     DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0); reports in the
                     temp dir, which is then kept. Numbers of such a run are perturbed.
Environment: PORT, when set, is the first of four loopback ports the servers take (etcd's client
and peer ports, then cairn's); otherwise each server gets free ports the system picks.
EOF
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=5
warmup=1
server_warmup=8
rounds=1
workloads=put-1,put-64,put-256,range-l-64,range-s-64
servers=etcd,cairn
connections=
client=h2
key_space=
etcd_bin=$(command -v etcd || true)
cairn_dir=
cairn_env=
tmp_base=
out=
keep=0
perf=0

while [[ $# -gt 0 ]]; do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --server-warmup) server_warmup=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --workloads) workloads=$2; shift 2 ;;
        --servers) servers=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --client) client=$2; shift 2 ;;
        --key-space) key_space=$2; shift 2 ;;
        --etcd) etcd_bin=$2; shift 2 ;;
        --cairn-dir) cairn_dir=$2; shift 2 ;;
        --tmp) tmp_base=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --cairn-env) cairn_env=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        --perf) perf=1; keep=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "kv.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done

say() { printf '%s\n' "$*" >&2; }
die() { say "kv.sh: $*"; exit 1; }

IFS=, read -r -a server_list <<<"$servers"
IFS=, read -r -a workload_list <<<"$workloads"
for s in "${server_list[@]}"; do
    [[ $s == etcd || $s == cairn ]] || die "unknown server '$s' (etcd or cairn)"
done
[[ $client == h2 || $client == grpc ]] || die "unknown client '$client' (h2 or grpc)"
for w in "${workload_list[@]}"; do
    [[ $w =~ ^(put|txn-put|range-l|range-s)-[0-9]+$ ]] || die "unknown workload '$w' (put-N, txn-put-N, range-l-N, range-s-N)"
done
if [[ " ${server_list[*]} " == *" etcd "* ]]; then
    [[ -n $etcd_bin && -x $etcd_bin ]] || die "etcd not found (apt-get install etcd-server, or --etcd PATH)"
fi

# Data dirs on real disk: an fsync on tmpfs costs nothing and would flatter both servers.
not_tmpfs() { [[ -d $1 && $(stat -f -c %T "$1") != tmpfs ]]; }
if [[ -z $tmp_base ]]; then
    for candidate in /var/tmp /tmp "$repo"; do
        if not_tmpfs "$candidate"; then tmp_base=$candidate; break; fi
    done
fi
not_tmpfs "$tmp_base" || die "$tmp_base is tmpfs or missing; give --tmp DIR on a real disk"
work=$(mktemp -d "$tmp_base/cairn-kvbench.XXXXXX")

# Processes this script started, by id: servers by name, the load generator, perf.
declare -A server_pid=() client_url=() server_dir=() server_failure=()
load_pid=
perf_pid=

stop_process() { # pid, seconds to wait for a graceful stop
    local pid=$1 grace=$2
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    [[ -n $load_pid ]] && stop_process "$load_pid" 2
    [[ -n $perf_pid ]] && stop_process "$perf_pid" 5
    for s in "${!server_pid[@]}"; do
        stop_process "${server_pid[$s]}" 10
    done
    if [[ $keep == 1 ]]; then
        say "kept $work"
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_ports() { # SERVER: prints its two loopback TCP ports, from PORT (etcd's first) or free ones
    if [[ -n ${PORT:-} ]]; then
        local first=$PORT
        [[ $1 == cairn ]] && first=$((PORT + 2))
        echo "$first $((first + 1))"
        return 0
    fi
    python3 -c '
import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])'
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

last_line() { tail -n 1 "$1" 2>/dev/null | tr '\t' ' ' | cut -c1-200; }

# --- build --------------------------------------------------------------------------------------

if [[ -z $cairn_dir && " ${server_list[*]} " == *" cairn "* ]]; then
    say "publishing cairn (Release) ..."
    dotnet publish "$repo/src/Cairn" -c Release -o "$work/cairn" --nologo -v quiet >"$work/publish-cairn.log" 2>&1 \
        || { cat "$work/publish-cairn.log" >&2; die "publishing cairn failed"; }
    cairn_dir=$work/cairn
fi
say "building the load generator (Release) ..."
dotnet publish "$repo/bench/Cairn.Bench" -c Release -o "$work/bench" --nologo -v quiet >"$work/publish-bench.log" 2>&1 \
    || { cat "$work/publish-bench.log" >&2; die "building bench/Cairn.Bench failed"; }
bench=(dotnet "$work/bench/Cairn.Bench.dll")

# --- servers ------------------------------------------------------------------------------------

start_server() { # name; on failure sets server_failure[name]
    local server=$1 dir=$work/$1
    mkdir -p "$dir"
    local cport pport
    read -r cport pport < <(free_ports "$server")
    local peer_url=http://127.0.0.1:$pport bin
    client_url[$server]=http://127.0.0.1:$cport
    server_dir[$server]=$dir
    case $server in
        etcd) bin=$etcd_bin ;;
        cairn) bin=$cairn_dir/cairn ;;
    esac
    local -a environment=()
    if [[ $server == cairn ]]; then
        [[ -n $cairn_env ]] && IFS=, read -r -a environment <<<"$cairn_env"
        # perf names JIT-compiled frames through the map file the runtime writes to /tmp, but only
        # in anonymous memory: with W^X on, code is double-mapped from a memfd and stays unnamed.
        [[ $perf == 1 ]] && environment+=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
    fi
    env "${environment[@]}" "$bin" --name kvbench --data-dir "$dir/data" \
        --listen-client-urls "${client_url[$server]}" --advertise-client-urls "${client_url[$server]}" \
        --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" \
        --initial-cluster "kvbench=$peer_url" >"$dir/server.log" 2>&1 &
    server_pid[$server]=$!

    for ((i = 0; i < 300; i++)); do
        if ! kill -0 "${server_pid[$server]}" 2>/dev/null; then
            server_failure[$server]="exited at start: $(last_line "$dir/server.log")"
            return 0
        fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$cport") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    server_failure[$server]="not listening on ${client_url[$server]} after 30 s"
}

# generator_args SERVER OP CLIENTS: the load generator's command line for one kind of load.
generator_args() {
    local server=$1 op=$2 clients=$3
    local args=(--target "${client_url[$server]}" --clients "$clients" --server-pid "${server_pid[$server]}" --label "$server" --client "$client")
    [[ -n $connections ]] && args+=(--connections "$connections")
    case $op in
        range-l) args=(range --consistency l "${args[@]}") ;;
        range-s) args=(range --consistency s "${args[@]}") ;;
        put|txn-put)
            args=("$op" "${args[@]}")
            [[ -n $key_space ]] && args+=(--key-space "$key_space")
            ;;
    esac
    printf '%s\n' kv "${args[@]}"
}

# start_load LOG ARGS...: the load generator in the background (so that a signal is handled at
# once); wait_load then returns its exit status.
start_load() {
    local log=$1
    shift
    "${bench[@]}" "$@" >"$log" 2>&1 &
    load_pid=$!
}

wait_load() {
    local status=0
    wait "$load_pid" || status=$?
    load_pid=
    return "$status"
}

run_load() {
    start_load "$@"
    wait_load
}

# Once per server: each kind of load the rows use, unmeasured, until the JIT has tiered up.
warm_server() {
    local server=$1 op
    local -a args
    [[ $server_warmup == 0 ]] && return 0
    declare -A seen=()
    for workload in "${workload_list[@]}"; do
        op=${workload%-*}
        [[ -n ${seen[$op]:-} ]] && continue
        seen[$op]=1
        mapfile -t args < <(generator_args "$server" "$op" 64)
        say "--- warming $server up: $op, 64 clients, ${server_warmup}s"
        if ! run_load "${server_dir[$server]}/warmup-$op.log" "${args[@]}" --seconds "$server_warmup" --warmup 0; then
            server_failure[$server]="warm-up ($op) failed: $(last_line "${server_dir[$server]}/warmup-$op.log")"
            return 0
        fi
    done
}

# --- one row ------------------------------------------------------------------------------------

results=$work/results.tsv
: >"$results"
loads=()

# run_row SERVER WORKLOAD ROUND: the load against the running server; appends to $results.
run_row() {
    local server=$1 workload=$2 round=$3
    local clients=${workload##*-} op=${workload%-*}
    local log=${server_dir[$server]}/$workload-r$round.log
    local failure=${server_failure[$server]:-}
    local -a args
    if [[ -z $failure ]] && ! kill -0 "${server_pid[$server]}" 2>/dev/null; then
        failure="server exited: $(last_line "${server_dir[$server]}/server.log")"
        server_failure[$server]=$failure
    fi
    if [[ -z $failure ]]; then
        mapfile -t args < <(generator_args "$server" "$op" "$clients")
        args+=(--seconds "$seconds" --warmup "$warmup" --result "$results")
        local profile=0
        if [[ $server == cairn && $perf == 1 ]]; then
            profile=1
            args+=(--mark-measuring "$log.measuring")
        fi
        # The row's own peak: VmHWM restarts from the current RSS.
        echo 5 >"/proc/${server_pid[$server]}/clear_refs" 2>/dev/null || true
        loads+=("$(loadavg)")
        say "--- $server $workload (round $round), load average $(loadavg)"
        start_load "$log" "${args[@]}"
        [[ $profile == 1 ]] && start_perf "$server" "$log"
        local status=0
        wait_load || status=$?
        [[ $profile == 1 ]] && finish_perf "$server" "$log"
        sed 's/^/    /' "$log" >&2
        if [[ $status != 0 ]]; then
            failure="load generator exited with $status: $(last_line "$log")"
        elif ! kill -0 "${server_pid[$server]}" 2>/dev/null; then
            failure="server exited during the run: $(last_line "${server_dir[$server]}/server.log")"
            server_failure[$server]=$failure
        fi
    else
        say "--- $server $workload (round $round): $failure"
    fi
    if [[ -n $failure ]]; then
        printf 'label=%s\tworkload=%s\tclients=%s\tfailed=%s\n' "$server" "$op" "$clients" "$failure" >>"$results"
    fi
}

# Samples the server's stacks during the measured run only (the load generator creates the marker
# file when it starts measuring).
start_perf() {
    local server=$1 log=$2
    (
        while [[ ! -e $log.measuring ]]; do
            kill -0 "$load_pid" 2>/dev/null || exit 0
            sleep 0.05
        done
        exec perf record -F 499 -g -p "${server_pid[$server]}" -o "$log.perf.data" -- sleep "$seconds"
    ) >"$log.perf-record.log" 2>&1 &
    perf_pid=$!
}

finish_perf() {
    local server=$1 log=$2
    wait "$perf_pid" 2>/dev/null || true
    perf_pid=
    [[ -s $log.perf.data ]] || { say "    perf recorded nothing (see $log.perf-record.log)"; return 0; }
    perf report -i "$log.perf.data" --no-children --sort dso,sym --stdio -g none --percent-limit 0.3 >"$log.perf-self.txt" 2>/dev/null || true
    perf report -i "$log.perf.data" --children --sort sym --stdio -g none --percent-limit 2 >"$log.perf-inclusive.txt" 2>/dev/null || true
    perf report -i "$log.perf.data" --no-children --sort comm --stdio -g none >"$log.perf-threads.txt" 2>/dev/null || true
    # perf.data needs /tmp/perf-PID.map to name JIT frames again later, so that map is kept.
    say "    perf: $log.perf-{self,inclusive,threads}.txt (JIT symbols: /tmp/perf-${server_pid[$server]}.map)"
}

# --- the runs -----------------------------------------------------------------------------------

started_load=$(loadavg)
say "kv bench: ${workload_list[*]}; ${seconds}s measured + ${warmup}s warmup per row, $rounds round(s); temp dir $work"
for server in "${server_list[@]}"; do
    start_server "$server"
    [[ -n ${server_failure[$server]:-} ]] && say "--- $server: ${server_failure[$server]}"
done
for server in "${server_list[@]}"; do
    [[ -z ${server_failure[$server]:-} ]] && warm_server "$server"
done
for ((round = 1; round <= rounds; round++)); do
    for workload in "${workload_list[@]}"; do
        order=("${server_list[@]}")
        # Alternate who goes first, so that neither always runs on the warmer (or busier) machine.
        if ((round % 2 == 0)); then
            order=()
            for ((k = ${#server_list[@]} - 1; k >= 0; k--)); do order+=("${server_list[k]}"); done
        fi
        for server in "${order[@]}"; do
            run_row "$server" "$workload" "$round"
        done
    done
done

[[ -n $out ]] && cp "$results" "$out"

echo
echo "kv bench $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
etcd_version=$("$etcd_bin" --version 2>/dev/null || true)
if [[ $cairn_dir == "$work/cairn" ]]; then
    cairn_version="published from $(git -C "$repo" describe --always --dirty 2>/dev/null || echo '?')"
else
    cairn_version="from $cairn_dir"
fi
[[ -n $cairn_env ]] && cairn_version+=" with $cairn_env"
echo "etcd: ${etcd_version%%$'\n'*}; cairn: $cairn_version"
echo "${seconds}s measured + ${warmup}s warmup per row after ${server_warmup}s of each load per server, $rounds round(s); 8-byte keys, 256-byte values; $client client"
echo "load average (1/5/15 min): at start $started_load; before each row: $(printf '%s; ' "${loads[@]}")at end $(loadavg)"
echo
"${bench[@]}" kv-table "$results"
