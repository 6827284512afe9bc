"""Portal search throughput: how many searches per second on 2 cores?

    .venv/bin/python benchmarks/search.py [--entries 20000] [--seconds 10] [--keep]

Against the embedded services. A benchmark tenant gets N searchable entries (Chinese FAQ-
and news-like text, indexed as the product indexes them), then concurrent clients run
searches through the search function (query cutting, the GIN index, ranking) for a fixed
time, as the portal's search page does minus HTML rendering. Prints searches per second
and latency percentiles (target: >= 100 searches/s).
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facilis.settings.dev")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402

from kernel import search  # noqa: E402
from kernel.context import tenant_schema  # noqa: E402
from tenants import actions  # noqa: E402
from tenants.models import Tenant  # noqa: E402

SCHEMA = "bench_search"
WORDS = [
    "空调",
    "不制冷",
    "漏水",
    "电梯",
    "故障",
    "停水",
    "停电",
    "照明",
    "门锁",
    "维修",
    "保洁",
    "会议室",
    "预约",
    "车辆",
    "派车",
    "宿舍",
    "热水",
    "暖气",
    "网络",
    "打印机",
    "报修",
    "验收",
    "投诉",
    "建议",
    "食堂",
    "一卡通",
    "充值",
    "物业费",
    "缴费",
    "巡检",
    "消防",
    "安全",
    "绿化",
    "垃圾",
    "清运",
    "搬运",
    "家具",
    "水管",
    "下水道",
]
QUERIES = [
    "空调",
    "不制冷",
    "电梯故障",
    "停水",
    "会议室预约",
    "一卡通充值",
    "水管漏水",
    "物业费",
    "派车",
    "打印机",
]


def build(entries: int) -> None:
    rng = random.Random(11)
    started = time.perf_counter()
    for i in range(entries):
        title = "".join(rng.sample(WORDS, 3)) + f"怎么办 {i}"
        body = "，".join(rng.sample(WORDS, 12))
        search.index(key=f"bench:{i}", kind="faq", title=title, summary=body, url=f"/faq/{i}/")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE kernel_searchentry")
    print(f"setup: {entries} entries indexed in {time.perf_counter() - started:.1f} s")


def measure(seconds: float, clients: int) -> None:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        mine = []
        with tenant_schema(SCHEMA):
            while time.perf_counter() < stop:
                query = rng.choice(QUERIES)
                began = time.perf_counter()
                search.search(query, limit=20)
                mine.append((time.perf_counter() - began) * 1000)
        connections.close_all()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    print(
        f"{len(latencies)} searches in {seconds:.0f} s with {clients} clients: {len(latencies) / seconds:.0f} searches/s "
        f"(target >= 100)"
    )
    print(
        f"  latency median {statistics.median(latencies):.1f} ms, p95 {latencies[int(0.95 * len(latencies)) - 1]:.1f} ms"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    tenant = Tenant.objects.filter(schema_name=SCHEMA).first()
    if tenant is None:
        tenant = actions.provision_tenant(
            actions.TenantRequest(
                schema_name=SCHEMA,
                name="检索基准",
                kind="hospital",
                domain="bench-search.localhost",
                admin_email="admin@bench.example",
                admin_password="Bench-Password-2026",
            ),
            actor="benchmark",
        )
        with tenant_schema(SCHEMA):
            build(args.entries)
    measure(args.seconds, args.clients)
    if not args.keep:
        actions.delete_tenant(
            Tenant.objects.get(schema_name=SCHEMA), confirm_schema=SCHEMA, actor="benchmark"
        )


if __name__ == "__main__":
    main()
