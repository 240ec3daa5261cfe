#!/usr/bin/env bash
# The faceted search over `seed --synthetic 100000` on the embedded engine, at 1 and at 4
# clients: the time in the server (the `registry_search_seconds` summary at /metrics: query to
# results in the engine) and of whole requests (wrk). The per-address GraphQL limit is raised
# for the run, as every request comes from one address; the script fails on any non-2xx answer.
#
# Usage: bench/search-at-scale.sh [DATA_DIR] [SECONDS]
# Needs: wrk, curl, python3, and a release build (REGISTRY=path/to/registry if not in ./target).
set -euo pipefail
registry="${REGISTRY:-${CARGO_TARGET_DIR:-target}/release/registry}"
data="${1:-/tmp/b100k}"
seconds="${2:-20}"
addr=127.0.0.1:18090

if [ ! -e "$data/registry.sqlite3" ]; then
  "$registry" --data-dir "$data" seed --synthetic 100000
fi

script=$(mktemp --suffix .lua)
trap 'rm -f "$script"; kill "$server" 2>/dev/null || true' EXIT
cat > "$script" <<'EOF'
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.body = '{"query":"{ search(query: \\"virtual ward\\", filter: { kind: [PILOT], region: [SOUTH_WEST, LONDON] }, first: 20) { totalCount edges { node { title snippet } } facets { facet values { value count } } } }"}'
EOF

# Waits until /readyz says ready with nothing left in the outbox, so indexing does not share
# the cores with the searches measured.
settled() {
  for _ in $(seq 1 1200); do
    if curl -sf "http://$addr/readyz" | python3 -c \
      'import json,sys; d=json.load(sys.stdin); sys.exit(d["status"] != "ready" or d["search"]["outbox_pending"] != 0)' 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  echo "the registry did not settle within 10 minutes" >&2
  return 1
}

for clients in 1 4; do
  # A fresh server per load, since the summary covers every search since start.
  REGISTRY_GRAPHQL_PER_MINUTE=100000000 REGISTRY_LOG=warn \
    "$registry" --data-dir "$data" serve --addr "$addr" &
  server=$!
  settled
  out=$(wrk -t "$clients" -c "$clients" -d "${seconds}s" --latency -s "$script" "http://$addr/graphql")
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "$out" >&2
    echo "some answers were not 2xx" >&2
    exit 1
  fi
  echo "== $clients client(s)"
  grep -E 'Requests/sec|^ +(50|90|99)%' <<<"$out"
  curl -s "http://$addr/metrics" | grep '^registry_search_seconds{'
  kill "$server"
  wait "$server" 2>/dev/null || true
done
