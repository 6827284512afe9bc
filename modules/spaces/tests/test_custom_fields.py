"""The organisation's custom fields on rooms (lowcode.forms extension "spaces.room"): the console's
edit screen, list filters and export, and the API — all checked by the forms engine."""

import csv
import io

import pytest

from lowcode.forms import actions as forms
from lowcode.forms.demo import ROOM_FIELDS
from lowcode.forms.models import FormDefinition
from modules.spaces import actions
from modules.spaces.models import Room
from tests.api.helpers import gid

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(tenants, in_tenant):
    """Two rooms in A, and A's published custom fields of rooms (the demo's: cleanliness
    class, piped oxygen, and a disinfection date shown only for clean and isolation rooms)."""
    with in_tenant(tenants.a):
        campus = actions.create_campus(code="MAIN", name="本部")
        building = actions.create_building(campus=campus, code="INP", name="住院楼")
        floor = actions.create_floor(building=building, level=5, code="5F", name="五层")
        icu = actions.create_room(floor=floor, code="501", name="ICU 监护室", kind="ward")
        store = actions.create_room(floor=floor, code="502", name="库房", kind="store")
        extension = forms.save_form(
            FormDefinition(code="room-fields", name="房间扩展字段", kind="extension", target="spaces.room")
        )
        forms.save_draft(extension, ROOM_FIELDS)
        forms.publish(extension)
        return {"floor": floor, "icu": icu, "store": store}


def room_form(room, **custom):
    data = {
        "floor": room.floor_id,
        "code": room.code,
        "name": room.name,
        "name_en": "",
        "kind": room.kind,
        "department": "",
        "area_m2": "",
        "capacity": "",
        "is_active": "on",
        "notes": "",
    }
    data.update({f"custom.{key}": value for key, value in custom.items()})
    return data


class TestConsole:
    def test_the_edit_screen_has_the_custom_fields_and_saves_them_checked(
        self, tenants, in_tenant, client_for, tenant_admin, estate
    ):
        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        url = f"/console/spaces/rooms/edit/{estate['icu'].pk}/"
        html = client.get(url).content.decode()
        assert 'name="custom.cleanliness"' in html and 'name="custom.has_oxygen"' in html
        # A date that is not one: refused next to the field, nothing stored.
        response = client.post(
            url,
            room_form(
                estate["icu"], cleanliness="isolation", has_oxygen="true", last_disinfected="2026-13-01"
            ),
        )
        assert response.status_code == 200
        assert "YYYY-MM-DD" in response.content.decode()
        with in_tenant(tenants.a):
            assert Room.objects.get(pk=estate["icu"].pk).custom == {}
        response = client.post(
            url,
            room_form(
                estate["icu"], cleanliness="isolation", has_oxygen="true", last_disinfected="2026-11-01"
            ),
        )
        assert response.status_code == 302
        with in_tenant(tenants.a):
            assert Room.objects.get(pk=estate["icu"].pk).custom == {
                "cleanliness": "isolation",
                "has_oxygen": True,
                "last_disinfected": "2026-11-01",
            }

    def test_a_field_hidden_by_its_condition_is_not_stored(
        self, tenants, in_tenant, client_for, tenant_admin, estate
    ):
        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        url = f"/console/spaces/rooms/edit/{estate['store'].pk}/"
        # A general area has no disinfection date: the answer is dropped, not stored.
        response = client.post(
            url, room_form(estate["store"], cleanliness="general", last_disinfected="2026-11-01")
        )
        assert response.status_code == 302
        with in_tenant(tenants.a):
            assert Room.objects.get(pk=estate["store"].pk).custom == {"cleanliness": "general"}

    def test_list_filters_and_export_columns(self, tenants, in_tenant, client_for, tenant_admin, estate):
        with in_tenant(tenants.a):
            actions.save_location(Room.objects.get(pk=estate["icu"].pk), custom={"cleanliness": "isolation"})
            actions.save_location(Room.objects.get(pk=estate["store"].pk), custom={"has_oxygen": False})
        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        listed = client.get("/console/spaces/rooms/?custom.cleanliness=isolation").content.decode()
        assert f"/console/spaces/rooms/edit/{estate['icu'].pk}/" in listed
        assert f"/console/spaces/rooms/edit/{estate['store'].pk}/" not in listed
        listed = client.get("/console/spaces/rooms/?custom.has_oxygen=false").content.decode()
        assert f"/console/spaces/rooms/edit/{estate['store'].pk}/" in listed
        assert f"/console/spaces/rooms/edit/{estate['icu'].pk}/" not in listed

        response = client.get("/console/spaces/rooms/?export=csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        header = rows[0]
        assert {"洁净等级", "有中心供氧", "上次消毒日期"} <= set(header)
        by_code = {row[header.index("编码")]: row for row in rows[1:]}
        assert by_code["501"][header.index("洁净等级")] == "隔离区"  # the option's label
        assert by_code["502"][header.index("有中心供氧")] == "否"

    def test_another_tenant_has_its_own_fields(self, tenants, client_for, tenant_admin, estate):
        client = client_for(tenants.b, user=tenant_admin(tenants.b))
        html = client.get("/console/spaces/rooms/new/").content.decode()
        assert "custom.cleanliness" not in html


class TestApi:
    def test_custom_values_and_their_definitions(self, tenants, in_tenant, api, estate):
        with in_tenant(tenants.a):
            actions.save_location(Room.objects.get(pk=estate["icu"].pk), custom={"cleanliness": "clean"})
        answer = api(tenants.a, role="tenant_admin")(
            '{ customFieldDefinitions(record: "spaces.room") rooms(first: 5) { edges { node { code custom } } } }'
        )
        assert "errors" not in answer, answer
        schema = answer["data"]["customFieldDefinitions"]
        assert schema["properties"]["cleanliness"]["enum"] == ["general", "clean", "isolation"]
        assert schema["properties"]["last_disinfected"]["x-visible-when"]["op"] == "in"
        custom = {edge["node"]["code"]: edge["node"]["custom"] for edge in answer["data"]["rooms"]["edges"]}
        assert custom == {"501": {"cleanliness": "clean"}, "502": {}}
        # Another organisation has no custom fields of rooms.
        other = api(tenants.b, role="tenant_admin")('{ customFieldDefinitions(record: "spaces.room") }')
        assert other["data"]["customFieldDefinitions"] == {}

    def test_update_room_checks_custom_values_per_field(self, tenants, in_tenant, api, estate):
        key = api(tenants.a, role="tenant_admin")
        mutation = (
            "mutation($id: ID!, $c: GenericScalar) { updateRoom(id: $id, input: {custom: $c}) "
            "{ result { custom } errors { field code } } }"
        )
        room_id = gid("Room", estate["icu"].pk)
        refused = key(mutation, {"id": room_id, "c": {"cleanliness": "nope", "has_oxygen": "yes"}})
        errors = {(e["field"], e["code"]) for e in refused["data"]["updateRoom"]["errors"]}
        assert errors == {("custom.cleanliness", "INVALID"), ("custom.has_oxygen", "INVALID")}
        with in_tenant(tenants.a):
            assert Room.objects.get(pk=estate["icu"].pk).custom == {}
        accepted = key(mutation, {"id": room_id, "c": {"cleanliness": "clean", "has_oxygen": True}})
        assert accepted["data"]["updateRoom"] == {
            "result": {"custom": {"cleanliness": "clean", "has_oxygen": True}},
            "errors": [],
        }
