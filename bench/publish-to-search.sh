#!/usr/bin/env bash
# Measures the time from publishPilot returning to the pilot appearing in search, against a
# running registry (embedded defaults and demo data). Usage: bench/publish-to-search.sh [URL] [N]
# Needs: curl, python3, and `registry` on PATH (or REGISTRY="path/to/registry --data-dir DIR").
set -euo pipefail
url="${1:-http://127.0.0.1:8080}"
runs="${2:-10}"
registry="${REGISTRY:-registry}"
token=$($registry token create --subject demo-trust-evaluator --scope read-write 2>/dev/null)
gql() { curl -s -H 'content-type: application/json' -H "authorization: Bearer $token" -d "$1" "$url/graphql"; }
ids=$(gql '{"query":"{ viewer { memberships { organisation { id } } } technologies(first: 1) { edges { node { id } } } }"}')
host=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1])["data"]; print(d["viewer"]["memberships"][0]["organisation"]["id"])' "$ids")
tech=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1])["data"]; print(d["technologies"]["edges"][0]["node"]["id"])' "$ids")
results=()
for i in $(seq 1 "$runs"); do
  word="benchmark$(date +%s%N)"
  created=$(gql "{\"query\":\"mutation { registerPilot(input: { technologyId: \\\"$tech\\\", hostOrganisationId: \\\"$host\\\", title: \\\"Pilot $word\\\", problem: \\\"Timing\\\", status: PLANNED, careSetting: COMMUNITY, specialty: CARDIOLOGY, population: \\\"Adults\\\", design: SERVICE_EVALUATION, evaluatorKind: INTERNAL }) { pilot { id version } } }\"}")
  id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["data"]["registerPilot"]["pilot"]["id"])' "$created")
  gql "{\"query\":\"mutation { publishPilot(id: \\\"$id\\\", version: 1, visibility: PUBLIC) { pilot { id } } }\"}" > /dev/null
  start=$(date +%s%N)
  while :; do
    found=$(curl -s -H 'content-type: application/json' -d "{\"query\":\"{ search(query: \\\"$word\\\") { totalCount } }\"}" "$url/graphql")
    case "$found" in *'"totalCount":1'*) break ;; esac
    if (( ($(date +%s%N) - start) > 10000000000 )); then echo "not found within 10 s" >&2; exit 1; fi
  done
  results+=($(( ($(date +%s%N) - start) / 1000000 )))
done
printf '%s\n' "${results[@]}" | sort -n | python3 -c 'import sys; v=[int(x) for x in sys.stdin]; print(f"publish to searchable over {len(v)} runs: median {v[len(v)//2]} ms, max {max(v)} ms")'
