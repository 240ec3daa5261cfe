#!/usr/bin/env bash
# Measures how fast the search outbox worker of `registry serve` drains a backlog on the embedded
# engine and SQLite. It builds a fresh data directory with the demo data and a current index
# (`reindex`), then adds N synthetic pilots, whose outbox rows the index has not seen: `serve`
# does not rebuild (the index is current as far as its watermark goes), so its worker must index
# every one. The clock runs from starting `serve` (migrations included) until `/readyz` reports
# no pending change; documents/s counts each changed record once (pilots and technologies).
#
# Usage: bench/outbox-drain.sh [N]            (default 20000)
# Needs: curl, jq, sqlite3, and a release build (REGISTRY=path/to/registry to choose another).
set -euo pipefail
count="${1:-20000}"
registry="${REGISTRY:-target/release/registry}"
dir="${DATA_DIR:-/tmp/registry-outbox-drain}"
addr="${ADDR:-127.0.0.1:18095}"

rm -rf "$dir"
"$registry" --data-dir "$dir" seed --demo > /dev/null 2>&1
"$registry" --data-dir "$dir" reindex > /dev/null 2>&1
"$registry" --data-dir "$dir" seed --synthetic "$count" > /dev/null 2>&1
db="$dir/registry.sqlite3"
rows=$(sqlite3 "$db" 'select count(*) from search_outbox')
records=$(sqlite3 "$db" 'select count(*) from (select distinct entity_kind, entity_id from search_outbox)')

start=$(date +%s%N)
RUST_LOG=warn "$registry" --data-dir "$dir" serve --addr "$addr" > "$dir/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2> /dev/null || true' EXIT
until curl -sf "http://$addr/healthz" > /dev/null; do
  kill -0 "$server" 2> /dev/null || { echo "serve exited; see $dir/serve.log" >&2; exit 1; }
  sleep 0.05
done
while :; do
  pending=$(curl -s "http://$addr/readyz" | jq -r '.search.outbox_pending')
  [ "$pending" = 0 ] && break
  sleep 0.1
done
end=$(date +%s%N)

ms=$(( (end - start) / 1000000 ))
written=$(curl -s "http://$addr/metrics" | awk '$1 == "registry_search_writes_total{source=\"outbox\"}" { print $2 }')
echo "drained $rows outbox rows ($records records) in $ms ms:" \
  "$(( records * 1000 / (ms > 0 ? ms : 1) )) documents/s, $(( rows * 1000 / (ms > 0 ? ms : 1) )) rows/s;" \
  "documents written by the worker: ${written:-not counted by this build}"
