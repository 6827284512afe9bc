"""A small, hand-made history of orders for the statistics and printing tests (written
straight to the tables, like the demo's year of orders: the figures must be computable by
hand, so every time is chosen).

May 2026 in tenant A (Asia/Shanghai); departments: ORG → 医务部 MED → 重症医学科 ICU, and
ORG → 行政部 ADM. Times are minutes after submission.

| order | trade     | room  | dept | submitted    | respond | done      | worker | rating | notes            |
|-------|-----------|-------|------|--------------|---------|-----------|--------|--------|------------------|
| o7    | water     | ward  | ICU  | Apr 28 09:00 | 20      | 100       | chen   |        | last month       |
| o1    | water     | ward  | ICU  | May 4 09:00  | 30      | 120       | chen   | 5      |                  |
| o2    | water     | ward  | ICU  | May 10 10:00 | 60      | 240       | chen   | 4      | reopened once    |
| o3    | carpentry | lobby | MED  | May 12 08:00 | 90 late | 600 late  | liu    | 2      | free of charge   |
| o4    | carpentry | lobby | ADM  | May 20 14:00 | 10      | —         | liu    |        | in progress      |
| o5    | water     | lobby | ADM  | May 21 09:00 | —       | —         | —      |        | phone, by desk   |
| o6    | water     | ward  | MED  | May 25 11:00 | —       | —         | —      |        | rejected (desk2) |
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from identity.defaults import root_department
from identity.models import Department
from modules.workorders.models import Event, WorkOrder

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 5, 28)  # "this month" is May 2026
Status = WorkOrder.Status


def at(month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def departments() -> dict:
    """ORG → MED → ICU and ORG → ADM (each parent re-read before a child is added: treebeard
    works from the stored path and child count)."""

    def child(parent, code, name, name_en):
        found = Department.objects.filter(code=code).first()
        if found is None:
            Department.objects.get(pk=parent.pk).add_child(code=code, name=name, name_en=name_en)
        return Department.objects.get(code=code)

    root = root_department()
    child(child(root, "MED", "医务部", "Medical"), "ICU", "重症医学科", "ICU")
    child(root, "ADM", "行政部", "Admin")
    # Re-read at the end: siblings are kept ordered by name, so adding 行政部 moved 医务部.
    found = {d.code: d for d in Department.objects.filter(code__in=("MED", "ICU", "ADM"))}
    return {"root": root_department(), "med": found["MED"], "icu": found["ICU"], "adm": found["ADM"]}


def order(wo, key, *, trade, room, department, submitted, respond=None, done=None, **fields) -> WorkOrder:
    minutes = dt.timedelta(minutes=1)
    values = {
        "number": f"WOT{key.upper()}",
        "trade": wo[trade],
        "room": wo[room],
        "building_id": wo[room].floor.building_id,
        "department": department,
        "description": f"{key}: 水龙头漏水",
        "submitted_at": submitted,
        "response_due_at": submitted + 60 * minutes,
        "resolution_due_at": submitted + 480 * minutes,
        "responded_at": submitted + respond * minutes if respond is not None else None,
        "completed_at": submitted + done * minutes if done is not None else None,
        "reporter": wo["nurse"],
        "status": Status.SUBMITTED,
    }
    values.update(fields)
    return WorkOrder.objects.create(**values)


def build(wo) -> dict:
    """The orders of the table above, their desk events, and the departments."""
    deps = departments()
    chen, liu = wo["chen"], wo["liu"]
    made = {
        "o7": order(
            wo,
            "o7",
            trade="water",
            room="ward",
            department=deps["icu"],
            submitted=at(4, 28, 9),
            respond=20,
            done=100,
            assignee=chen,
            status=Status.VERIFIED,
            labour_minutes=30,
            labour_cost=Decimal("30.00"),
            total_cost=Decimal("30.00"),
        ),
        "o1": order(
            wo,
            "o1",
            trade="water",
            room="ward",
            department=deps["icu"],
            submitted=at(5, 4, 9),
            respond=30,
            done=120,
            assignee=chen,
            status=Status.VERIFIED,
            rating=5,
            labour_minutes=60,
            labour_cost=Decimal("60.00"),
            material_cost=Decimal("91.00"),
            total_cost=Decimal("151.00"),
        ),
        "o2": order(
            wo,
            "o2",
            trade="water",
            room="ward",
            department=deps["icu"],
            submitted=at(5, 10, 10),
            respond=60,
            done=240,
            assignee=chen,
            status=Status.CLOSED,
            rating=4,
            reopen_count=1,
            labour_minutes=50,
            labour_cost=Decimal("50.00"),
            total_cost=Decimal("50.00"),
        ),
        "o3": order(
            wo,
            "o3",
            trade="carpentry",
            room="lobby",
            department=deps["med"],
            submitted=at(5, 12, 8),
            respond=90,
            done=600,
            assignee=liu,
            status=Status.VERIFIED,
            rating=2,
            response_breached=True,
            resolution_breached=True,
            chargeable=False,
            labour_minutes=120,
            labour_cost=Decimal("120.00"),
            total_cost=Decimal("120.00"),
        ),
        "o4": order(
            wo,
            "o4",
            trade="carpentry",
            room="lobby",
            department=deps["adm"],
            submitted=at(5, 20, 14),
            respond=10,
            assignee=liu,
            status=Status.IN_PROGRESS,
        ),
        "o5": order(
            wo,
            "o5",
            trade="water",
            room="lobby",
            department=deps["adm"],
            submitted=at(5, 21, 9),
            channel=WorkOrder.Channel.PHONE,
            desk_officer=wo["desk"],
            reporter=None,
            contact_name="孙女士",
        ),
        "o6": order(
            wo,
            "o6",
            trade="water",
            room="ward",
            department=deps["med"],
            submitted=at(5, 25, 11),
            status=Status.REJECTED,
            reject_reason="重复报修",
        ),
    }
    desk, desk2 = wo["desk"], wo["desk2"]
    Event.objects.bulk_create(
        [
            Event(order=made["o3"], at=at(5, 12, 8, 5), actor=desk, kind="accepted"),
            Event(order=made["o3"], at=at(5, 12, 8, 10), actor=desk, kind="dispatched"),
            Event(order=made["o4"], at=at(5, 20, 14, 2), actor=desk, kind="dispatched"),
            Event(order=made["o6"], at=at(5, 25, 11, 30), actor=desk2, kind="rejected"),
            Event(order=made["o1"], at=at(5, 4, 9, 1), actor=None, kind="dispatched"),  # by a rule
            Event(order=made["o7"], at=at(4, 28, 9, 5), actor=desk, kind="dispatched"),  # April
        ]
    )
    made.update(deps)
    return made
