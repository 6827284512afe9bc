"""Demo work orders (idempotent): teams and area ownership, a year of history so the
statistics show something real, and open orders in every state."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from identity.models import Role, User
from modules.workorders import actions
from modules.workorders.models import DispatchRule, Event, MaterialLine, Settings, Team, Trade, WorkOrder

WORKERS = (
    ("worker1", "陈师傅"),
    ("worker2", "刘师傅"),
    ("worker3", "杨师傅"),
    ("worker4", "黄师傅"),
    ("worker5", "周师傅"),
    ("worker6", "吴师傅"),
)
TEAMS = (
    # code, name, English, trades, members (indexes into the workers; 0 is the demo worker 李师傅)
    ("wet", "水电班", "Water and power team", ("water", "electric"), (0, 1, 2, 3)),
    ("general", "综合维修班", "General repairs team", ("carpentry", "masonry", "other"), (4, 5)),
    ("lv", "弱电班", "Low-voltage team", ("low-voltage",), (6,)),
    ("hvac", "空调班", "HVAC team", ("hvac", "pressure", "lift"), (2, 6)),
)
FAULTS = {
    "water": ("水龙头漏水", "下水道堵塞", "马桶冲水不停", "热水器不出热水"),
    "electric": ("灯管不亮", "插座没电", "空气开关跳闸", "走廊应急灯损坏"),
    "low-voltage": ("网口不通", "电话无信号", "门禁刷卡失灵", "监控画面黑屏"),
    "carpentry": ("门锁损坏", "柜门合页脱落", "窗户关不严", "桌椅松动"),
    "hvac": ("空调不制冷", "空调漏水", "风机盘管噪音大", "暖气不热"),
    "masonry": ("墙面渗水", "地砖破裂", "吊顶脱落"),
    "lift": ("电梯按键失灵", "电梯异响"),
    "other": ("窗帘轨道坏了", "指示牌掉落"),
}


def _people(tenant) -> list[User]:
    role = Role.objects.get(code="worker")
    people = list(User.objects.filter(username=f"worker@{tenant.schema_name}.demo"))
    for prefix, name in WORKERS:
        username = f"{prefix}@{tenant.schema_name}.demo"
        user = User.objects.filter(username=username).first()
        if user is None:
            from tenants.demo import DEMO_PASSWORD

            department = people[0].department if people else None
            user = User.objects.create_user(
                username=username,
                email=username,
                password=DEMO_PASSWORD,
                full_name=name,
                department=department,
                language="zh-hans",
            )
            user.roles.add(role)
        people.append(user)
    return people


def seed(tenant) -> None:
    from analytics import rollups
    from identity import demo as identity_demo
    from modules.inventory import demo as inventory_demo
    from modules.spaces import demo as spaces_demo
    from modules.spaces.models import Building, Room

    if WorkOrder.objects.exists():
        rollups.reconcile(tenant)  # the headquarters' figures of what is already there
        return
    # What the orders stand on (each idempotent), whatever order the modules' demos run in.
    for prerequisite in (spaces_demo.seed, identity_demo.seed, inventory_demo.seed):
        prerequisite(tenant)
    if not Room.objects.filter(is_active=True).exists():
        return
    workers = _people(tenant)
    dispatcher = User.objects.filter(username=f"dispatcher@{tenant.schema_name}.demo").first()
    trades = {t.code: t for t in Trade.objects.all()}
    teams = {}
    for code, name, name_en, trade_codes, members in TEAMS:
        team, _created = Team.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "supervisor": workers[members[0]]}
        )
        team.members.set([workers[i] for i in members if i < len(workers)])
        team.trades.set([trades[c] for c in trade_codes if c in trades])
        teams[code] = team
    # 区域包干: each building's water and power faults go to the worker who owns it.
    buildings = list(Building.objects.filter(is_active=True).order_by("code"))
    wet_members = list(teams["wet"].members.order_by("pk"))
    for index, building in enumerate(buildings):
        for code in ("water", "electric"):
            DispatchRule.objects.get_or_create(
                trade=trades[code],
                building=building,
                team=teams["wet"],
                defaults={"order": 10, "worker": wet_members[index % len(wet_members)]},
            )
    for code, team in (("low-voltage", "lv"), ("hvac", "hvac"), ("lift", "hvac"), ("pressure", "hvac")):
        DispatchRule.objects.get_or_create(
            trade=trades[code], building=None, team=teams[team], defaults={"order": 50}
        )
    # Masonry (renovation-like work) needs the hospital's two-level pre-approval.
    from lowcode.workflows.models import WorkflowDefinition

    repair = WorkflowDefinition.objects.filter(code="repair-preapproval").first()
    if repair is not None:
        Trade.objects.filter(code="masonry").update(approval_workflow=repair)
    _history(tenant, workers, teams, trades, dispatcher)
    _open_orders(tenant, workers, dispatcher)
    rollups.reconcile(tenant)  # bulk-loaded history passes no outbox: roll it up for the HQ


def _history(tenant, workers, teams, trades, dispatcher) -> None:
    """About 300 finished orders over the last year, with realistic times, costs and ratings."""
    from identity.models import Department
    from modules.inventory.models import Item
    from modules.spaces.models import Room

    rng = random.Random(f"workorders-{tenant.schema_name}")
    rooms = list(Room.objects.filter(is_active=True).select_related("floor"))
    reporters = list(User.objects.filter(is_active=True).exclude(roles__code="worker")) or workers
    items = list(Item.objects.filter(is_active=True))
    departments = list(Department.objects.values_list("pk", flat=True))
    settings = Settings.current()
    now = timezone.now()
    team_of = {code: team for team in teams.values() for code in team.trades.values_list("code", flat=True)}
    orders, lines = [], []
    weights = {
        "water": 30,
        "electric": 28,
        "hvac": 14,
        "carpentry": 10,
        "low-voltage": 9,
        "masonry": 4,
        "lift": 3,
        "other": 2,
    }
    codes = [c for c in weights if c in trades]
    start_number = 1
    for index in range(320):
        code = rng.choices(codes, [weights[c] for c in codes])[0]
        trade = trades[code]
        team = team_of.get(code, teams["general"])
        members = list(team.members.all()) or workers
        worker = rng.choice(members)
        submitted = now - dt.timedelta(days=rng.uniform(4, 365), hours=rng.uniform(0, 10))
        priority = rng.choices(["low", "normal", "high", "urgent"], [15, 60, 20, 5])[0]
        rule = actions.sla_rule_for(trade.pk, priority)
        response_due, resolution_due = actions.due_times(submitted, rule, settings)
        responded = submitted + dt.timedelta(minutes=rng.lognormvariate(3.6, 0.7))
        started = responded + dt.timedelta(minutes=rng.uniform(5, 60))
        completed = started + dt.timedelta(minutes=rng.lognormvariate(4.6, 0.8))
        verified = completed + dt.timedelta(hours=rng.uniform(1, 60))
        labour = max(10, int((completed - started).total_seconds() // 60))
        rating = rng.choices([5, 4, 3, 2, 1], [55, 28, 10, 5, 2])[0]
        room = rng.choice(rooms)
        reporter = rng.choice(reporters)
        order = WorkOrder(
            number=f"WO{submitted:%y%m}{start_number + index:06d}",
            channel=rng.choices(["portal", "qr", "phone", "walk_in"], [50, 25, 20, 5])[0],
            status=WorkOrder.Status.CLOSED if rng.random() < 0.85 else WorkOrder.Status.VERIFIED,
            trade=trade,
            priority=priority,
            room=room,
            building_id=room.floor.building_id,
            description=rng.choice(FAULTS.get(code, ("需要维修",))),
            reporter=reporter,
            department_id=reporter.department_id or (rng.choice(departments) if departments else None),
            contact_name=reporter.full_name,
            team=team,
            assignee=worker,
            submitted_at=submitted,
            accepted_at=submitted + dt.timedelta(minutes=2),
            dispatched_at=submitted + dt.timedelta(minutes=3),
            responded_at=responded,
            started_at=started,
            completed_at=completed,
            verified_at=verified,
            closed_at=verified + dt.timedelta(hours=2),
            response_due_at=response_due,
            resolution_due_at=resolution_due,
            sla_rule=rule or {},
            response_breached=bool(response_due and responded > response_due),
            resolution_breached=bool(resolution_due and completed > resolution_due),
            completion_notes="已处理完毕",
            labour_minutes=labour,
            rating=rating,
            rating_comment="" if rating > 2 else "等了很久",
            auto_accepted=False,
            chargeable=rng.random() < 0.8,
        )
        used = rng.sample(items, k=min(len(items), rng.choice([0, 1, 1, 2]))) if items else []
        material = Decimal("0.00")
        for item in used:
            quantity = Decimal(rng.choice([1, 1, 2, 3]))
            lines.append((index, item, quantity))
            material += quantity * item.unit_cost
        order.material_cost = material
        order.labour_cost = (Decimal(labour) / 60 * settings.hourly_rate).quantize(Decimal("0.01"))
        order.total_cost = order.material_cost + order.labour_cost
        orders.append(order)
    with transaction.atomic():
        from django.db import connection

        WorkOrder.objects.bulk_create(orders)
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval('workorders_number_seq', %s)", [start_number + len(orders)])
        MaterialLine.objects.bulk_create(
            [
                MaterialLine(
                    order=orders[i],
                    item=item,
                    quantity=q,
                    unit_cost=item.unit_cost,
                    added_by=orders[i].assignee,
                )
                for i, item, q in lines
            ]
        )
        events = []
        for order in orders:
            for kind, at, actor, status in (
                ("submitted", order.submitted_at, order.reporter, ""),
                ("dispatched", order.dispatched_at, None, "dispatched"),
                ("taken", order.responded_at, order.assignee, ""),
                ("started", order.started_at, order.assignee, "in_progress"),
                ("completed", order.completed_at, order.assignee, "completed"),
                ("verified", order.verified_at, order.reporter, "verified"),
            ):
                events.append(Event(order=order, kind=kind, at=at, actor=actor, to_status=status))
            if order.status == WorkOrder.Status.CLOSED:
                events.append(
                    Event(
                        order=order, kind="closed", at=order.closed_at, actor=dispatcher, to_status="closed"
                    )
                )
        Event.objects.bulk_create(events)


def _open_orders(tenant, workers, dispatcher) -> None:
    """Today's work: an order in every state, made through the actions."""
    from modules.spaces.models import Room

    staff = User.objects.filter(username=f"staff@{tenant.schema_name}.demo").first()
    if staff is None or dispatcher is None:
        return
    rooms = list(Room.objects.filter(is_active=True).order_by("pk")[:12])
    trades = {t.code: t for t in Trade.objects.all()}

    def report(code, text, index, priority="normal"):
        return actions.submit(
            user=staff,
            trade=trades[code],
            room=rooms[index % len(rooms)],
            description=text,
            priority=priority,
        )

    report("carpentry", "办公室门锁坏了，钥匙插不进去", 0)  # no rule: waits on the dispatch board
    accepted = report("other", "会议室窗帘轨道脱落", 1)
    actions.accept(accepted, actor=dispatcher)
    report("water", "三楼开水间水龙头一直滴水", 2, "high")  # dispatched by area ownership
    started = report("electric", "病房走廊两盏灯不亮", 3)
    started.refresh_from_db()
    if started.assignee:
        actions.start(started, actor=started.assignee)
    done = report("hvac", "护士站空调不制冷", 4, "urgent")
    done.refresh_from_db()
    worker = done.assignee or done.team.members.first() if done.team_id else None
    if worker:
        actions.start(done, actor=worker)
        actions.complete(done, actor=worker, notes="清洗滤网，补充冷媒", labour_minutes=50)
    rejected = report("other", "帮忙搬运私人家具", 5, "low")
    actions.reject(rejected, actor=dispatcher, reason="不属于后勤维修服务范围")
    cancelled = report("carpentry", "抽屉拉不开", 6, "low")
    actions.cancel(cancelled, actor=staff, reason="自己修好了")
    report("masonry", "卫生间墙面大面积渗水，需要重新做防水", 7)  # waits for the pre-approval
    phone = actions.submit(
        user=dispatcher,
        channel=WorkOrder.Channel.PHONE,
        trade=trades["low-voltage"],
        room=rooms[8 % len(rooms)],
        description="来电：收费处网络中断",
        contact_name="收费处 孙女士",
        contact_phone="0571-8888 1234",
        priority="high",
    )
    del phone
