#!/usr/bin/env bash
# Runs every Cairn test. Installs what the tests need (etcd 3.4 server and client as the oracle,
# Go and etcd's Go sources for the cross-checks against bbolt and etcd's WAL, curl for the HTTP
# endpoints over HTTP/1.1 and HTTP/2, procps for the kill(1) some tests stop servers with) when
# missing.
# Extra arguments go to `dotnet test` (e.g. --filter FullyQualifiedName~Raft).
# The last line is the summary: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need+=(etcd-client)
command -v go >/dev/null 2>&1 || need+=(golang-go)
command -v curl >/dev/null 2>&1 || need+=(curl)
type -P kill >/dev/null 2>&1 || need+=(procps)   # the executable, not bash's builtin
[ -d /usr/share/gocode/src/go.etcd.io/bbolt ] || need+=(golang-etcd-server-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null \
    || { echo "could not install ${need[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test Cairn.slnx -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One line per test assembly: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..."
read -r passed failed skipped < <(awk '
  /Failed:[[:space:]]*[0-9]+, Passed:/ {
    for (i = 1; i <= NF; i++) {
      v = $(i+1); gsub(/,/, "", v)
      if ($i == "Failed:") f += v; else if ($i == "Passed:") p += v; else if ($i == "Skipped:") s += v
    }
  }
  END { printf "%d %d %d\n", p, f, s }' "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # the build or the test host failed before any test could report
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
