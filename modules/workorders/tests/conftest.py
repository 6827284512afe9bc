"""Fixtures of the work-order tests: tenant A with the modules on, two buildings, a team
owning water faults by building, a desk officer, workers and a reporter."""

import pytest

from identity.defaults import root_department
from modules.spaces import actions as spaces
from modules.workorders.models import DispatchRule, Team, Trade
from tenants.actions import set_module_enabled


@pytest.fixture
def wo(tenants, in_tenant, person):
    for tenant in (tenants.a, tenants.b):
        for key in ("inventory", "workorders"):
            set_module_enabled(tenant, key, True, actor="tests")
    with in_tenant(tenants.a):
        campus = spaces.create_campus(code="MAIN", name="本部")
        east = spaces.create_building(campus=campus, code="E", name="东楼")
        west = spaces.create_building(campus=campus, code="W", name="西楼")
        east_floor = spaces.create_floor(building=east, level=3, code="3F", name="三层")
        west_floor = spaces.create_floor(building=west, level=1, code="1F", name="一层")
        ward = spaces.create_room(floor=east_floor, code="301", name="301 病房")
        lobby = spaces.create_room(floor=west_floor, code="101", name="101 大厅")
        department = root_department()
    made = {
        "desk": person(tenants.a, "desk", "dispatcher"),
        "desk2": person(tenants.a, "desk2", "dispatcher"),
        "chen": person(tenants.a, "chen", "worker"),
        "liu": person(tenants.a, "liu", "worker"),
        "boss": person(tenants.a, "boss", "worker"),
        "nurse": person(tenants.a, "nurse", "end_user"),
        "other": person(tenants.a, "other", "end_user"),
    }
    with in_tenant(tenants.a):
        team = Team.objects.create(code="wet", name="水电班", supervisor=made["boss"])
        team.members.set([made["chen"], made["liu"], made["boss"]])
        water = Trade.objects.get(code="water")
        team.trades.set([water])
        # 区域包干: water faults in the east building are chen's; elsewhere the team's queue.
        DispatchRule.objects.create(order=10, trade=water, building=east, team=team, worker=made["chen"])
        DispatchRule.objects.create(order=20, trade=water, team=team)
        made.update(
            {
                "ward": ward,
                "lobby": lobby,
                "east": east,
                "team": team,
                "water": water,
                "carpentry": Trade.objects.get(code="carpentry"),
                "department": department,
            }
        )
    return made
