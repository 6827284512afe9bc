"""Fixtures for API tests: places (callers and people are shared: tests/fixtures.py)."""

import pytest

from tests.api.helpers import far_ids


@pytest.fixture
def places(tenants, in_tenant):
    """A small estate in tenant A (two buildings, seven rooms) and one room in tenant B."""
    from modules.spaces import actions as spaces

    made = {}
    far_ids(tenants.a, "spaces_campus", "spaces_building", "spaces_floor", "spaces_room")
    with in_tenant(tenants.a):
        campus = spaces.create_campus(code="MAIN", name="本部", name_en="Main campus")
        inpatient = spaces.create_building(campus=campus, code="INP", name="住院楼", name_en="Inpatient")
        outpatient = spaces.create_building(campus=campus, code="OUT", name="门诊楼", name_en="Outpatient")
        fifth = spaces.create_floor(building=inpatient, level=5, code="5F", name="五层")
        first = spaces.create_floor(building=outpatient, level=1, code="1F", name="一层")
        rooms = [
            spaces.create_room(floor=fifth, code=f"50{i}", name=f"病房{i}", kind="ward", area_m2=20 + i)
            for i in range(1, 6)
        ]
        rooms += [
            spaces.create_room(floor=first, code="101", name="挂号大厅", kind="area"),
            spaces.create_room(floor=first, code="102", name="诊室", kind="clinic"),
        ]
        made["a"] = {
            "campus": campus,
            "buildings": [inpatient, outpatient],
            "floors": [fifth, first],
            "rooms": rooms,
        }
    with in_tenant(tenants.b):
        campus = spaces.create_campus(code="EAST", name="东校区", name_en="East campus")
        building = spaces.create_building(campus=campus, code="LIB", name="图书馆")
        floor = spaces.create_floor(building=building, level=1, code="1F", name="图书馆一层")
        room = spaces.create_room(floor=floor, code="B101", name="乙大学阅览室", kind="room")
        made["b"] = {"campus": campus, "buildings": [building], "floors": [floor], "rooms": [room]}
    return made
