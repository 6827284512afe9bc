"""GraphQL API under load: requests/s and latency of list and detail queries with an API key.

    .venv/bin/python benchmarks/graphql_load.py [--seconds 60] [--workers 3] [--threads 1]
        [--list-connections 2] [--detail-connections 4] [--profile] [--keep]

On the running embedded services (`bin/services start`). A benchmark tenant gets an estate
(10 buildings × 10 floors × 20 rooms = 2,000 rooms, 60 departments, 300 people) and a
partner API key with the dispatcher role (sees everything, changes nothing). Gunicorn
serves it with production settings (DEBUG off, persistent connections) on loopback.

Two wrk processes (Debian's `wrk`, installed if missing) load it at the same time for
`--seconds`: one sends list queries (a page of 20 rooms of a building with their floors and
buildings, or 20 people with departments and roles), the other detail queries (`node(id)` of
a random room, or `locationByQr`). Each prints its own requests/s and p50/p95/p99, so the
detail figure is measured under the mixed load. Every answer is checked: a non-200 status
or a body with "errors" counts as an error. Targets: >= 300 requests/s in all, and p95 <=
30 ms for a detail query.

--profile additionally runs 2,000 detail and 500 list requests in this process (no
network, one thread) and says where a request's time goes: SQL, Redis, the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facilis.settings.dev")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "false")  # --profile measures requests as production runs them

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from graphql_relay import to_global_id  # noqa: E402

from identity import actions as identity  # noqa: E402
from identity.models import Department, Role, User  # noqa: E402
from kernel.context import tenant_schema  # noqa: E402
from modules.spaces import actions as spaces  # noqa: E402
from modules.spaces.models import Room  # noqa: E402
from tenants import actions  # noqa: E402
from tenants.models import Tenant  # noqa: E402

SCHEMA = "bench_api"
DOMAIN = "bench-api.localhost"

LIST_QUERIES = [
    "query($b: ID!) { rooms(first: 20, filter: {building: $b}) { edges { cursor node { id code name kind "
    "areaM2 floor { code level building { code name } } } } pageInfo { hasNextPage endCursor } } }",
    "{ users(first: 20) { edges { node { id username fullName department { code name } roles { code } } } } }",
]
DETAIL_QUERIES = [
    "query($id: ID!) { node(id: $id) { id ... on Room { code name kind areaM2 capacity "
    "floor { code level building { code name campus { code } } } } } }",
    "query($t: String!) { locationByQr(token: $t) { __typename ... on Room { id code name floor { code } } } }",
]


def build() -> None:
    """The benchmark tenant's estate and people (about a minute, once)."""
    started = time.perf_counter()
    root = Department.get_root_nodes().get()
    departments = []
    for i in range(6):
        division = identity.create_department(Department(code=f"D{i}", name=f"部门{i}"), parent=root)
        departments += [
            identity.create_department(Department(code=f"D{i}-{j}", name=f"科室{i}-{j}"), parent=division)
            for j in range(9)
        ]
    end_user = Role.objects.get(code="end_user")
    for n in range(300):
        identity.save_user(
            User(username=f"staff{n:03}", full_name=f"员工{n}", department=departments[n % len(departments)]),
            roles=[end_user],
        )
    campus = spaces.create_campus(code="MAIN", name="本部")
    for b in range(10):
        building = spaces.create_building(campus=campus, code=f"B{b:02}", name=f"{b + 1}号楼")
        for level in range(1, 11):
            floor = spaces.create_floor(building=building, level=level, code=f"{level}F", name=f"{level}层")
            for r in range(20):
                spaces.create_room(
                    floor=floor,
                    code=f"{level}{r:02}",
                    name=f"{level}{r:02}室",
                    kind="ward" if r % 3 else "office",
                    area_m2=12 + r,
                    department=departments[(b * 10 + r) % len(departments)],
                )
    print(f"setup: 2,000 rooms, 60 departments, 300 people in {time.perf_counter() - started:.0f} s")


def prepare() -> tuple[str, dict]:
    """(API key, ids and tokens to ask for)."""
    if not Tenant.objects.filter(schema_name=SCHEMA).exists():
        actions.provision_tenant(
            actions.TenantRequest(
                schema_name=SCHEMA,
                name="接口基准医院",
                kind="hospital",
                domain=DOMAIN,
                admin_email="admin@bench-api.example",
                admin_password="Bench-Password-2026",
            ),
            actor="benchmark",
        )
        with tenant_schema(SCHEMA):
            build()
    with tenant_schema(SCHEMA):
        _key, secret = identity.create_api_key(
            name=f"load test {int(time.time())}",
            role=Role.objects.get(code="dispatcher"),
            expires_at=None,
            requests_per_minute=10_000_000,  # the bucket is still consulted on every request
        )
        rooms = list(Room.objects.values_list("pk", "qr_token", "floor__building_id"))
    return secret, {
        "room_ids": [to_global_id("Room", pk) for pk, _, _ in rooms],
        "tokens": [token for _, token, _ in rooms],
        "building_ids": sorted({to_global_id("Building", b) for _, _, b in rooms}),
    }


def bodies(kind: str, material: dict, count: int = 400) -> list[str]:
    rng = random.Random(7)
    out = []
    for _ in range(count):
        if kind == "list":
            if rng.random() < 0.7:
                payload = {"query": LIST_QUERIES[0], "variables": {"b": rng.choice(material["building_ids"])}}
            else:
                payload = {"query": LIST_QUERIES[1]}
        elif rng.random() < 0.7:
            payload = {"query": DETAIL_QUERIES[0], "variables": {"id": rng.choice(material["room_ids"])}}
        else:
            payload = {"query": DETAIL_QUERIES[1], "variables": {"t": rng.choice(material["tokens"])}}
        out.append(json.dumps(payload, ensure_ascii=False))
    return out


LUA = r"""
local bodies = {}
for line in io.lines("%(bodies)s") do bodies[#bodies + 1] = line end
local counter = 0
local bad = 0
local threads = {}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(key)s"
wrk.headers["Host"] = "%(host)s"
function setup(thread) table.insert(threads, thread) end
function request()
  counter = counter + 1
  return wrk.format(nil, "/graphql/", nil, bodies[(counter %% #bodies) + 1])
end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local errors = 0
  for _, t in ipairs(threads) do errors = errors + (t:get("bad") or 0) end
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%.3f, "bad": %%d, "socket_errors": %%d, '
    .. '"p50": %%.2f, "p95": %%.2f, "p99": %%.2f, "max": %%.2f}\n',
    summary.requests, summary.duration / 1e6, errors,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    print("installing wrk from Debian's packages …")
    subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or "wrk"


def server_env() -> dict:
    db = settings.DATABASES["default"]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "facilis.settings.production",
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": ".localhost,127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        # The development keys: the data was written with them.
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "FIELD_DIGEST_KEY": settings.FIELD_DIGEST_KEY,
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": f"{ROOT}:{ROOT / 'platform'}",
    }


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "facilis.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--log-level",
        "warning",
        "--chdir",
        str(ROOT),
    ]
    server = subprocess.Popen(command, env=server_env(), start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def run_wrk(wrk: str, port: int, script: Path, connections: int, seconds: float) -> subprocess.Popen:
    return subprocess.Popen(
        [
            wrk,
            "--threads",
            "1",
            "--connections",
            str(connections),
            "--duration",
            f"{seconds:.0f}s",
            "--timeout",
            "10s",
            "--script",
            str(script),
            f"http://127.0.0.1:{port}/graphql/",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


def result_of(process: subprocess.Popen) -> dict:
    out, _ = process.communicate()
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise SystemExit(f"wrk printed no result:\n{out}")


class Timers:
    """Time spent in SQL and in Redis while requests run in this process."""

    def __init__(self):
        self.sql = self.redis = 0.0
        self.queries = 0

    def sql_wrapper(self, execute, query, params, many, context):
        began = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            self.sql += time.perf_counter() - began
            self.queries += 1

    def redis_wrapper(self, original):
        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.redis += time.perf_counter() - began

        return timed


# Where the rest of a request's time goes, by the function that encloses it.
STAGES = {
    "host -> tenant (cached)": "tenants/routing.py:domain_for",
    "API key lookup": "identity/actions.py:find_api_key",
    "audit binding": "kernel/audit.py:bind_request",
    "rate limit (Redis)": "kernel/graphql/limits.py:take_token",
    "limits (depth, cost…)": "kernel/graphql/limits.py:limit_errors",
    "parse + validate (cached)": "kernel/graphql/views.py:checked_document",
    "execute (resolvers, ORM)": "graphql/execution/execute.py:execute",
}


def profile(key: str, material: dict) -> None:
    """Where a request's time goes, measured in this process (test client, one thread)."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client

    from kernel.redis import get_redis

    client = Client(HTTP_HOST=DOMAIN, HTTP_AUTHORIZATION=f"Bearer {key}")
    redis_client = get_redis()
    original = redis_client.execute_command
    for kind, count in (("detail", 2000), ("list", 500)):
        payloads = bodies(kind, material, count)
        for body in payloads[:50]:  # warm-up: connections, caches
            client.post("/graphql/", body, content_type="application/json")
        timers = Timers()
        redis_client.execute_command = timers.redis_wrapper(original)
        began = time.perf_counter()
        try:
            with connection.execute_wrapper(timers.sql_wrapper):
                for body in payloads:
                    response = client.post("/graphql/", body, content_type="application/json")
                    assert response.status_code == 200 and b'"errors"' not in response.content, (
                        response.content
                    )
        finally:
            redis_client.execute_command = original
        per = (time.perf_counter() - began) / count * 1000
        sql, redis_ms = timers.sql / count * 1000, timers.redis / count * 1000
        print(
            f"{kind}: {per:.2f} ms a request in one thread — SQL {sql:.2f} ms in {timers.queries / count:.1f} "
            f"queries, Redis {redis_ms:.2f} ms, Python (Django, GraphQL, JSON) {per - sql - redis_ms:.2f} ms"
        )
        profiler = cProfile.Profile()
        profiler.enable()
        for body in payloads[:300]:
            client.post("/graphql/", body, content_type="application/json")
        profiler.disable()
        stats = pstats.Stats(profiler).stats
        whole = max(cumulative for (_c, _n, _t, cumulative, _callers) in stats.values())
        shares = []
        for stage, where in STAGES.items():
            path, name = where.split(":")
            cumulative = sum(
                row[3]
                for (filename, _line, function), row in stats.items()
                if filename.endswith(path) and function == name
            )
            shares.append(100 * cumulative / whole)
            print(f"    {stage:28} {shares[-1]:5.1f} % of the request (under the profiler)")
        print(f"    {'the rest: middleware, HTTP, JSON':28} {100 - sum(shares):5.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--list-connections", type=int, default=2)
    parser.add_argument("--detail-connections", type=int, default=4)
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark tenant for the next run")
    args = parser.parse_args()

    wrk = ensure_wrk()
    key, material = prepare()
    workdir = Path(tempfile.mkdtemp(prefix="facilis-load-"))
    scripts = {}
    for kind in ("list", "detail"):
        lines = workdir / f"{kind}.jsonl"
        lines.write_text("\n".join(bodies(kind, material)) + "\n", encoding="utf-8")
        scripts[kind] = workdir / f"{kind}.lua"
        scripts[kind].write_text(LUA % {"bodies": lines, "key": key, "host": DOMAIN}, encoding="utf-8")

    server = start_server(args.port, args.workers, args.threads)
    try:
        warm = [run_wrk(wrk, args.port, scripts[k], 2, 5) for k in ("list", "detail")]
        for process in warm:
            result_of(process)
        print(
            f"gunicorn: {args.workers} workers × {args.threads} thread(s); wrk: {args.list_connections} list + "
            f"{args.detail_connections} detail connections for {args.seconds:.0f} s on loopback; 2 cores shared"
        )
        running = {
            "list": run_wrk(wrk, args.port, scripts["list"], args.list_connections, args.seconds),
            "detail": run_wrk(wrk, args.port, scripts["detail"], args.detail_connections, args.seconds),
        }
        results = {kind: result_of(process) for kind, process in running.items()}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    total = 0.0
    for kind, r in results.items():
        rate = r["requests"] / r["seconds"]
        total += rate
        print(
            f"{kind:6} {r['requests']:7d} requests  {rate:7.1f} req/s  p50 {r['p50']:6.1f} ms  "
            f"p95 {r['p95']:6.1f} ms  p99 {r['p99']:6.1f} ms  max {r['max']:7.1f} ms  "
            f"errors {r['bad'] + r['socket_errors']}"
        )
    detail = results["detail"]
    print(
        f"all    {total:7.1f} req/s (target >= 300: {'met' if total >= 300 else 'MISSED'}); "
        f"detail p95 {detail['p95']:.1f} ms (target <= 30 ms: {'met' if detail['p95'] <= 30 else 'MISSED'})"
    )
    if args.profile:
        profile(key, material)
    shutil.rmtree(workdir, ignore_errors=True)
    if not args.keep:
        actions.delete_tenant(
            Tenant.objects.get(schema_name=SCHEMA), confirm_schema=SCHEMA, actor="benchmark"
        )


if __name__ == "__main__":
    main()
