"""Approval workflows on a big tenant: how long do starting, approving and the inbox take?

    .venv/bin/python benchmarks/workflows.py [--instances 100000] [--runs 300] [--inbox-runs 50]
        [--keep]

Against the embedded services (development database). Builds a benchmark tenant with a
small hospital — 4 divisions of 4 departments (each with a head), a repair desk of 5
people holding the role `bench_desk`, 201 people in all — and two published workflows
like the hospital case: the requester's head, then the desk; "hospital" gives the desk
step to its first member (mode one), "hospital_any" to all five (or-sign, mode any).
It then bulk-loads `--instances` (100,000) instances over two years with their tasks and
log entries (the audit trigger is off for the load only): 5,000 waiting for the desk
(4,000 of "hospital", 1,000 of "hospital_any": so the desk's head has 5,000 tasks waiting
and the other desk members 1,000 each), 12% waiting for a department head (about 750 per
head), 5% rejected by the head, 5% by the desk, 3% withdrawn, the rest approved.

The subjects are the benchmark's own subject type, "bench.request", registered for this
process only (`actions.subject_types` is patched; its callback path is None, so no outcome
callback runs): the engine alone is measured. With perf_counter, warm-ups excluded:

  start    `actions.start(...)` of a new instance on a new subject by a random person:
           resolving the head, creating the instance, its first task and log entries, in
           its transaction. Target: p95 <= 15 ms.
  approve  `actions.decide(task, actor=head, approve=True)` on a different waiting
           first-step task each time (of both workflows): the row lock, the decision, and
           moving on to the desk step. Target: p95 <= 15 ms.
  inbox    `selectors.inbox_page(desk_head, offset=0, size=25)` — the first page of the
           5,000 waiting tasks, newest first, and their count. Target: p95 <= 50 ms.

The inbox is measured before the approvals (each approval adds a task to the desk's
head). Setup is timed separately and the tenant is deleted afterwards unless --keep (then
reruns skip the setup; the inbox then also holds the previous runs' approvals).
"""

from __future__ import annotations

import argparse
import math
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
from lowcode.workflows import actions  # noqa: E402
from tenants import actions as tenant_actions  # noqa: E402
from tenants.models import Tenant  # noqa: E402

SCHEMA = "bench_workflows"
SUBJECT = "bench.request"
DIVISIONS, DEPARTMENTS, PEOPLE, DESK = 4, 4, 12, 5  # 4 + 4·4·12 + 5 = 201 people
INBOX_ONE, INBOX_ANY = 4000, 1000  # waiting for the desk: the desk's head has 5,000 tasks
WARM_UP = 10
TARGETS_MS = {"start": 15.0, "approve": 15.0, "inbox": 50.0}


def _register_subject() -> None:
    """The benchmark's own subject type, for this process only, without an outcome callback."""
    modules_subjects = actions.subject_types
    actions.subject_types = lambda: {**modules_subjects(), SUBJECT: (None,)}


def _approval(key: str, approvers: list, mode: str = "one") -> dict:
    return {"key": key, "kind": "approval", "mode": mode, "approvers": approvers}


def definition(mode: str) -> dict:
    return {
        "steps": [
            _approval("leader", [{"type": "requester_head", "levels": 1}]),
            _approval("desk", [{"type": "role", "code": "bench_desk"}], mode=mode),
        ]
    }


def _organisation() -> None:
    """Departments with heads, 201 people, the desk role and the two published workflows."""
    from identity.defaults import root_department
    from identity.models import Department, Role, User
    from lowcode.workflows.models import WorkflowDefinition

    started = time.perf_counter()
    with transaction.atomic():
        desk_department = root_department().add_child(code="DESK", name="维修班组", name_en="Repair desk")
        people, heads = [], {}
        for d in range(DIVISIONS):
            parent = Department.objects.get(pk=root_department().pk)  # treebeard counts children on it
            division = parent.add_child(code=f"DIV{d}", name=f"第{d + 1}分部")
            people.append(User(username=f"div{d}-head", full_name=f"分部{d}主任", department=division))
            heads[division.pk] = people[-1]
            for k in range(DEPARTMENTS):
                department = Department.objects.get(pk=division.pk).add_child(
                    code=f"D{d}{k}", name=f"科室{d}-{k}"
                )
                for i in range(PEOPLE):
                    people.append(
                        User(
                            username=f"d{d}{k}-{i:02d}", full_name=f"员工{d}{k}{i:02d}", department=department
                        )
                    )
                heads[department.pk] = people[-PEOPLE]  # the first of each department
        desk = [
            User(username=f"desk-{i}", full_name=f"班组{i}", department=desk_department) for i in range(DESK)
        ]
        for user in people + desk:
            user.password = "!"
        User.objects.bulk_create(people + desk)  # desk-0 gets the lowest id of the desk: its head
        for department_pk, head in heads.items():
            Department.objects.filter(pk=department_pk).update(head=head)
        Department.objects.filter(pk=desk_department.pk).update(head=desk[0])
        role = Role.objects.create(code="bench_desk", name="维修调度", name_en="Repair desk")
        role.users.set(desk)
        for code, mode in (("hospital", "one"), ("hospital_any", "any")):
            workflow = WorkflowDefinition.objects.create(
                code=code, name=f"报修审批（{mode}）", draft=definition(mode)
            )
            actions.publish(workflow)
    print(
        f"setup: {len(heads) + 1} departments with heads, {len(people) + len(desk)} people, "
        f"2 workflows in {time.perf_counter() - started:.1f} s"
    )


def _audited(tables: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        found = []
        for table in tables:
            cursor.execute(
                "SELECT 1 FROM pg_trigger WHERE tgname = 'facilis_audit' AND tgrelid = %s::regclass", [table]
            )
            if cursor.fetchone():
                found.append(table)
    return found


def _load(count: int) -> None:
    """`count` instances with their tasks and log, in SQL (generate_series), as the engine writes them."""
    from identity.models import Department, User
    from lowcode.workflows.models import WorkflowDefinition

    if count < 2 * (INBOX_ONE + INBOX_ANY):
        raise SystemExit(f"--instances: at least {2 * (INBOX_ONE + INBOX_ANY)}")
    started = time.perf_counter()
    versions = dict(WorkflowDefinition.objects.values_list("code", "current_version_id"))
    heads = set(Department.objects.exclude(head=None).values_list("head_id", flat=True))
    requesters = list(
        User.objects.filter(department__code__regex=r"^D\d\d$")
        .exclude(pk__in=heads)
        .values_list("pk", flat=True)
    )
    desk = list(User.objects.filter(roles__code="bench_desk").order_by("pk").values_list("pk", flat=True))
    # The states, by rank in a shuffled order: exact counts where the inbox needs them.
    bounds = {"running2_one": INBOX_ONE, "running2_any": INBOX_ONE + INBOX_ANY}
    bounds["running1"] = bounds["running2_any"] + round(0.12 * count)
    bounds["rejected1"] = bounds["running1"] + round(0.05 * count)
    bounds["rejected2"] = bounds["rejected1"] + round(0.05 * count)
    bounds["withdrawn"] = bounds["rejected2"] + round(0.03 * count)
    params = {
        "n": count,
        "requesters": requesters,
        "desk": desk,
        "one": versions["hospital"],
        "any": versions["hospital_any"],
        "subject": SUBJECT,
        **bounds,
    }
    audited = _audited(["lowcode_workflows_instance", "lowcode_workflows_task", "lowcode_workflows_logentry"])
    with connection.cursor() as cursor:
        # A bulk load for the benchmark only: the audit trigger is off while it runs.
        for table in audited:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER facilis_audit")
        cursor.execute("SELECT setseed(0.7)")
        cursor.execute(
            """
            CREATE TEMP TABLE bench_plan AS
            WITH people AS (
                SELECT row_number() OVER (ORDER BY u.id) AS n, u.id AS requester_id, u.department_id, d.head_id
                  FROM identity_user u JOIN identity_department d ON d.id = u.department_id
                 WHERE u.id = ANY(%(requesters)s::bigint[])
            ), drawn AS (
                SELECT g, random() AS r0, random() AS r1, random() AS r2, random() AS r3
                  FROM generate_series(1, %(n)s) AS g
            ), shuffled AS (
                SELECT *, row_number() OVER (ORDER BY r0) AS k FROM drawn
            )
            SELECT s.g, p.requester_id, p.department_id, p.head_id,
                   CASE WHEN s.k <= %(running2_any)s THEN 'running2'
                        WHEN s.k <= %(running1)s THEN 'running1'
                        WHEN s.k <= %(rejected1)s THEN 'rejected1'
                        WHEN s.k <= %(rejected2)s THEN 'rejected2'
                        WHEN s.k <= %(withdrawn)s THEN 'withdrawn'
                        ELSE 'approved' END AS state,
                   CASE WHEN s.k <= %(running2_one)s THEN %(one)s
                        WHEN s.k <= %(running2_any)s THEN %(any)s
                        WHEN s.r1 < 0.7 THEN %(one)s ELSE %(any)s END AS version_id,
                   CASE WHEN s.k <= %(running1)s THEN now() - s.r2 * interval '30 days'
                        ELSE now() - interval '3 days' - s.r2 * interval '730 days' END AS started_at,
                   1 + s.g %% %(desk_size)s AS decider
              FROM shuffled s
              JOIN people p ON p.n = 1 + floor(s.r3 * (SELECT count(*) FROM people))::int
            """,
            {**params, "desk_size": len(desk)},
        )
        cursor.execute(
            """
            INSERT INTO lowcode_workflows_instance
                (version_id, subject_type, subject_id, requester_id, department_id, status, step_index,
                 step_key, round, context, reason, started_at, finished_at)
            SELECT version_id, %(subject)s, g, requester_id, department_id,
                   CASE WHEN state LIKE 'running%%' THEN 'running' WHEN state LIKE 'rejected%%' THEN 'rejected'
                        ELSE state END,
                   CASE WHEN state IN ('running2', 'rejected2', 'approved') THEN 1 ELSE 0 END,
                   CASE state WHEN 'running1' THEN 'leader' WHEN 'running2' THEN 'desk' ELSE '' END,
                   CASE WHEN state IN ('running2', 'rejected2', 'approved') THEN 2 ELSE 1 END,
                   jsonb_build_object('amount', (g * 37) %% 20000, 'title', '报修 #' || g),
                   '', started_at,
                   CASE WHEN state LIKE 'running%%' THEN NULL ELSE started_at + interval '1 day' END
              FROM bench_plan
            """,
            params,
        )
        cursor.execute(
            """
            CREATE TEMP TABLE bench_loaded AS
            SELECT i.id AS instance_id, p.*,
                   CASE WHEN p.version_id = %(any)s THEN %(desk)s::bigint[] ELSE (%(desk)s::bigint[])[1:1] END
                       AS desk_people
              FROM bench_plan p
              JOIN lowcode_workflows_instance i ON i.subject_type = %(subject)s AND i.subject_id = p.g
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO lowcode_workflows_task
                (instance_id, step_key, round, assignee_id, status, comment, created_at, decided_at)
            SELECT instance_id, 'leader', 1, head_id,
                   CASE state WHEN 'running1' THEN 'pending' WHEN 'withdrawn' THEN 'cancelled'
                              WHEN 'rejected1' THEN 'rejected' ELSE 'approved' END,
                   '', started_at,
                   CASE state WHEN 'running1' THEN NULL WHEN 'withdrawn' THEN started_at + interval '1 day'
                              ELSE started_at + interval '3 hours' END
              FROM bench_loaded
            UNION ALL
            SELECT instance_id, 'desk', 2, d.assignee,
                   CASE WHEN state = 'running2' THEN 'pending'
                        WHEN cardinality(desk_people) > 1 AND d.ord <> decider THEN 'cancelled'
                        WHEN state = 'approved' THEN 'approved' ELSE 'rejected' END,
                   '', started_at + interval '3 hours',
                   CASE WHEN state = 'running2' THEN NULL ELSE started_at + interval '1 day' END
              FROM bench_loaded, unnest(desk_people) WITH ORDINALITY AS d(assignee, ord)
             WHERE state IN ('running2', 'rejected2', 'approved')
            """
        )
        cursor.execute(
            """
            INSERT INTO lowcode_workflows_logentry (instance_id, at, actor_id, kind, step_key, comment, data)
            SELECT instance_id, started_at, requester_id, 'started', '', '', '{}'::jsonb FROM bench_loaded
            UNION ALL
            SELECT instance_id, started_at, NULL, 'waiting', 'leader', '',
                   jsonb_build_object('people', jsonb_build_array(head_id), 'round', 1)
              FROM bench_loaded
            UNION ALL
            SELECT instance_id, started_at + interval '3 hours', head_id,
                   CASE state WHEN 'rejected1' THEN 'rejected' ELSE 'approved' END, 'leader', '', '{}'::jsonb
              FROM bench_loaded WHERE state NOT IN ('running1', 'withdrawn')
            UNION ALL
            SELECT instance_id, started_at + interval '3 hours', NULL, 'waiting', 'desk', '',
                   jsonb_build_object('people', to_jsonb(desk_people), 'round', 2)
              FROM bench_loaded WHERE state IN ('running2', 'rejected2', 'approved')
            UNION ALL
            SELECT instance_id, started_at + interval '1 day',
                   desk_people[CASE WHEN cardinality(desk_people) > 1 THEN decider ELSE 1 END],
                   CASE state WHEN 'approved' THEN 'approved' ELSE 'rejected' END, 'desk', '', '{}'::jsonb
              FROM bench_loaded WHERE state IN ('rejected2', 'approved')
            UNION ALL
            SELECT instance_id, started_at + interval '1 day', NULL,
                   CASE WHEN state LIKE 'rejected%' THEN 'rejected' ELSE state END, '', '',
                   jsonb_build_object('reason', '')
              FROM bench_loaded WHERE state NOT LIKE 'running%'
            """
        )
        cursor.execute("DROP TABLE bench_loaded, bench_plan")
        for table in audited:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER facilis_audit")
        # What autovacuum does soon after a bulk load; index-only scans need the visibility map.
        cursor.execute(
            "VACUUM ANALYZE lowcode_workflows_instance, lowcode_workflows_task, lowcode_workflows_logentry"
        )
        cursor.execute(
            "SELECT (SELECT count(*) FROM lowcode_workflows_task), (SELECT count(*) FROM lowcode_workflows_logentry)"
        )
        tasks, entries = cursor.fetchone()
    print(
        f"setup: {count:,} instances, {tasks:,} tasks, {entries:,} log entries "
        f"(audit trigger off on {len(audited)} tables during the load) in {time.perf_counter() - started:.1f} s"
    )


def _report(name: str, what: str, timings: list[float], warm_up: int = WARM_UP) -> None:
    timings = sorted(timings[warm_up:])
    p95 = timings[max(0, math.ceil(0.95 * len(timings)) - 1)]
    target = TARGETS_MS[name]
    print(
        f"  {name:<8} {what:<46} {len(timings):>4} runs  median {statistics.median(timings):6.2f} ms"
        f"  p95 {p95:6.2f} ms  max {timings[-1]:7.2f} ms  (target p95 <= {target:.0f} ms: "
        f"{'met' if p95 <= target else 'MISSED'})"
    )


def measure(runs: int, inbox_runs: int) -> None:
    from django.db.models import Max

    from identity.models import Department, User
    from lowcode.workflows import selectors
    from lowcode.workflows.models import Instance, Task, WorkflowDefinition

    rng = random.Random(7)
    workflows = list(
        WorkflowDefinition.objects.filter(code__in=["hospital", "hospital_any"]).order_by("code")
    )
    heads = set(Department.objects.exclude(head=None).values_list("head_id", flat=True))
    requesters = list(User.objects.filter(department__code__regex=r"^D\d\d$").exclude(pk__in=heads))
    desk_head = User.objects.filter(roles__code="bench_desk").order_by("pk").first()
    print(
        f"measures: {Instance.objects.count():,} instances, {Task.objects.count():,} tasks; "
        f"warm-ups excluded ({WARM_UP} for start and approve, 3 for the inbox)"
    )

    timings = []
    next_subject = (
        Instance.objects.filter(subject_type=SUBJECT).aggregate(Max("subject_id"))["subject_id__max"] or 0
    ) + 1
    for i in range(runs + WARM_UP):
        workflow, requester = workflows[i % 2], rng.choice(requesters)
        began = time.perf_counter()
        actions.start(
            workflow,
            subject_type=SUBJECT,
            subject_id=next_subject + i,
            requester=requester,
            context={"amount": rng.randint(100, 20000), "title": "更换门锁"},
        )
        timings.append(1000 * (time.perf_counter() - began))
    _report("start", "(resolve the head, instance, first task)", timings)

    timings = []
    for _ in range(inbox_runs + 3):
        user = User.objects.get(pk=desk_head.pk)  # a fresh principal: nothing cached between runs
        began = time.perf_counter()
        page, total = selectors.inbox_page(user, offset=0, size=25)
        timings.append(1000 * (time.perf_counter() - began))
    _report("inbox", f"(first page of {len(page)}, count {total:,} waiting)", timings, warm_up=3)

    waiting = list(
        Task.objects.filter(
            step_key="leader",
            status=Task.Status.PENDING,
            instance__subject_type=SUBJECT,
            instance__subject_id__lt=next_subject,
        ).order_by("?")[: runs + WARM_UP]
    )
    people = User.objects.in_bulk({task.assignee_id for task in waiting})
    timings = []
    for task in waiting:
        began = time.perf_counter()
        instance = actions.decide(task, actor=people[task.assignee_id], approve=True)
        timings.append(1000 * (time.perf_counter() - began))
        assert instance.step_key == "desk", instance
    _report("approve", "(first step, on to the desk step)", timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100_000, help="instances loaded")
    parser.add_argument("--runs", type=int, default=300, help="timed starts and approvals")
    parser.add_argument("--inbox-runs", type=int, default=50, help="timed inbox queries")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark tenant")
    args = parser.parse_args()
    _register_subject()
    tenant = Tenant.objects.filter(schema_name=SCHEMA).first()
    if tenant is None:
        tenant = tenant_actions.provision_tenant(
            tenant_actions.TenantRequest(
                schema_name=SCHEMA,
                name="审批基准医院",
                kind="hospital",
                domain="bench-workflows.localhost",
                admin_email="admin@bench-workflows.example",
                admin_password="Bench-Password-2026",
            ),
            actor="benchmark",
        )
        with tenant_schema(SCHEMA):
            _organisation()
            _load(args.instances)
    with tenant_schema(SCHEMA):
        measure(args.runs, args.inbox_runs)
    if not args.keep:
        tenant_actions.delete_tenant(
            Tenant.objects.get(schema_name=SCHEMA), confirm_schema=SCHEMA, actor="benchmark"
        )


if __name__ == "__main__":
    main()
