"""A scoped list on a big tenant: how long does restrict() + first page + count take?

    .venv/bin/python benchmarks/restrict.py [--rows 1000000] [--users 20000] [--keep]

Against the embedded services (development database). Builds a benchmark tenant with
500 departments six levels deep, 20,000 users and 1,000,000 rooms (the business table,
each room in a department), then times, for a user whose role sees "department and
below", the whole scoped list the console or API runs: the user's grants, the subtree,
the first page of 25 rows and the total count. Setup is measured separately and the
tenant is deleted afterwards unless --keep (then reruns skip the setup).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facilis.settings.dev")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from kernel.context import tenant_schema  # noqa: E402
from tenants import actions  # noqa: E402
from tenants.models import Tenant  # noqa: E402

SCHEMA = "bench_scope"
LEVELS = [1, 5, 20, 60, 150, 264]  # departments per depth: 500 in all, six levels


def build(rows: int, users: int) -> None:
    from identity.defaults import root_department
    from identity.models import Department, Role, User
    from modules.spaces.models import Building, Campus, Floor

    started = time.perf_counter()
    rng = random.Random(7)
    with transaction.atomic():
        levels = [[root_department()]]
        for depth, count in enumerate(LEVELS[1:], start=2):
            parents = levels[-1]
            level = []
            for i in range(count):
                parent = Department.objects.get(pk=parents[i % len(parents)].pk)
                level.append(parent.add_child(code=f"D{depth}-{i:03d}", name=f"部门{depth}-{i:03d}"))
            levels.append(level)
        departments = [d.pk for level in levels for d in level]
        Role.objects.create(
            code="bench_head", name="科室负责人", permissions=["spaces.view"], data_scope="subtree"
        )
        User.objects.bulk_create(
            [
                User(
                    username=f"u{i:05d}",
                    full_name=f"员工{i:05d}",
                    password="!",
                    department_id=rng.choice(departments),
                )
                for i in range(users)
            ],
            batch_size=2000,
        )
        campus = Campus.objects.create(code="C", name="院区")
        floors = []
        for b in range(10):
            building = Building.objects.create(campus=campus, code=f"B{b}", name=f"楼{b}")
            floors += [
                Floor.objects.create(building=building, level=level, code=f"{level}F", name=f"{level}层")
                for level in range(1, 11)
            ]
    print(f"setup: 500 departments, {users} users in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    floor_ids = [f.pk for f in floors]
    with connection.cursor() as cursor:
        # A bulk load for the benchmark only: the audit trigger is off while it runs.
        cursor.execute("ALTER TABLE spaces_room DISABLE TRIGGER facilis_audit")
        cursor.execute(
            """
            INSERT INTO spaces_room (name, name_en, code, qr_token, is_active, notes, created_at, updated_at,
                                     floor_id, kind, department_id, area_m2, capacity)
            SELECT '房间 ' || g, '', 'R' || g, substr(md5(g::text || random()::text), 1, 12), true, '', now(), now(),
                   (%s::bigint[])[1 + (g %% %s)], 'room', (%s::bigint[])[1 + floor(random() * %s)::int], 20, NULL
              FROM generate_series(1, %s) AS g
            """,
            [floor_ids, len(floor_ids), departments, len(departments), rows],
        )
        cursor.execute("ALTER TABLE spaces_room ENABLE TRIGGER facilis_audit")
        cursor.execute("ANALYZE")
    print(f"setup: {rows} rooms in {time.perf_counter() - started:.1f} s")


def measure(repeats: int = 30) -> None:
    from django.db.models import Count

    from identity.access import restrict
    from identity.models import Department, Role, User
    from modules.spaces.models import Room

    # A head of a third-level department: her subtree is a few dozen departments.
    head_department = Department.objects.filter(depth=3).annotate(n=Count("members")).order_by("code").first()
    head = User.objects.filter(department=head_department).first()
    head.roles.set([Role.objects.get(code="bench_head")])
    subtree = Department.objects.filter(path__startswith=head_department.path).count()
    timings = []
    for _ in range(repeats + 3):
        user = User.objects.get(pk=head.pk)  # a fresh principal: nothing cached between runs
        started = time.perf_counter()
        rooms = restrict(Room.objects.all(), user, "view").order_by("id")
        first_page = list(rooms[:25])
        total = rooms.count()
        timings.append((time.perf_counter() - started) * 1000)
    timings = sorted(timings[3:])
    everything = Room.objects.count()
    print(
        f"scoped list for 'department and below' ({subtree} departments): {total} of {everything} rooms visible"
    )
    print(f"  first page ({len(first_page)} rows) + count, {repeats} runs:")
    print(
        f"  median {statistics.median(timings):.1f} ms, p95 {timings[int(0.95 * len(timings)) - 1]:.1f} ms, "
        f"max {timings[-1]:.1f} ms   (target <= 50 ms)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    tenant = Tenant.objects.filter(schema_name=SCHEMA).first()
    if tenant is None:
        tenant = actions.provision_tenant(
            actions.TenantRequest(
                schema_name=SCHEMA,
                name="基准医院",
                kind="hospital",
                domain="bench-scope.localhost",
                admin_email="admin@bench.example",
                admin_password="Bench-Password-2026",
            ),
            actor="benchmark",
        )
        with tenant_schema(SCHEMA):
            build(args.rows, args.users)
    with tenant_schema(SCHEMA):
        measure()
    if not args.keep:
        actions.delete_tenant(
            Tenant.objects.get(schema_name=SCHEMA), confirm_schema=SCHEMA, actor="benchmark"
        )


if __name__ == "__main__":
    main()
