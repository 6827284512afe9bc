"""Room mutations: typed payload errors, permissions, scope, other tenants, nothing half-written."""

import pytest

from kernel.models import OutboxEvent
from modules.spaces.models import Room
from tests.api.helpers import gid

pytestmark = pytest.mark.django_db

CREATE = """
mutation($input: CreateRoomInput!) {
  createRoom(input: $input) { result { id code name kind areaM2 floor { code } } errors { field code message } }
}"""
UPDATE = """
mutation($id: ID!, $input: RoomInput!) {
  updateRoom(id: $id, input: $input) { result { code name capacity } errors { field code message } }
}"""
DELETE = "mutation($id: ID!) { deleteRoom(id: $id) { deletedId errors { field code message } } }"


def errors(body, name) -> list[tuple]:
    return [(e["field"], e["code"]) for e in body["data"][name]["errors"]]


@pytest.fixture
def floor_id(places):
    return gid("Floor", places["a"]["floors"][0].pk)


@pytest.fixture
def room(places):
    return places["a"]["rooms"][0]


def rows(tenant, in_tenant, **filters):
    with in_tenant(tenant):
        return list(Room.objects.filter(**filters).values_list("code", flat=True))


def events(tenant, in_tenant, topic):
    with in_tenant(tenant):
        return OutboxEvent.objects.filter(topic=topic).count()


class TestCreateRoom:
    def test_creates_with_spaces_add(self, tenants, api, in_tenant, floor_id):
        body = api(tenants.a, role="tenant_admin")(
            CREATE,
            {
                "input": {
                    "floor": floor_id,
                    "code": "510",
                    "name": "处置室",
                    "kind": "CLINIC",
                    "areaM2": "18.5",
                }
            },
        )
        assert body["data"]["createRoom"]["errors"] == []
        result = body["data"]["createRoom"]["result"]
        assert (result["code"], result["kind"], result["areaM2"], result["floor"]["code"]) == (
            "510",
            "CLINIC",
            "18.5",
            "5F",
        )
        assert rows(tenants.a, in_tenant, code="510") == ["510"]
        assert events(tenants.a, in_tenant, "spaces.room.created") == 8  # seven from the fixture

    def test_view_only_callers_are_refused(self, tenants, api, in_tenant, floor_id):
        body = api(tenants.a, role="worker")(
            CREATE, {"input": {"floor": floor_id, "code": "510", "name": "处置室"}}
        )
        assert body["data"]["createRoom"]["result"] is None
        assert errors(body, "createRoom") == [("floor", "PERMISSION_DENIED")]
        assert rows(tenants.a, in_tenant, code="510") == []

    def test_field_errors_name_the_field_and_write_nothing(self, tenants, api, in_tenant, floor_id):
        admin = api(tenants.a, role="tenant_admin")
        duplicate = admin(CREATE, {"input": {"floor": floor_id, "code": "501", "name": "重复"}})
        assert errors(duplicate, "createRoom") == [("code", "DUPLICATE_CODE")]
        negative = admin(
            CREATE, {"input": {"floor": floor_id, "code": "511", "name": "负面积", "areaM2": "-3"}}
        )
        assert errors(negative, "createRoom") == [("areaM2", "MIN_VALUE")]
        assert "0" in negative["data"]["createRoom"]["errors"][0]["message"]
        too_long = admin(CREATE, {"input": {"floor": floor_id, "code": "X" * 200, "name": "长编号"}})
        assert errors(too_long, "createRoom") == [("code", "MAX_LENGTH")]
        assert rows(tenants.a, in_tenant, code__in=["511", "X" * 200]) == []
        assert events(tenants.a, in_tenant, "spaces.room.created") == 7

    def test_missing_required_input_is_a_query_error(self, tenants, api, floor_id):
        response = api(tenants.a, role="tenant_admin").post(
            CREATE, {"input": {"floor": floor_id, "name": "无编号"}}
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_QUERY"

    def test_a_floor_of_another_tenant_is_not_found_and_nothing_is_written(
        self, tenants, api, in_tenant, floor_id
    ):
        body = api(tenants.b, role="tenant_admin")(
            CREATE, {"input": {"floor": floor_id, "code": "X1", "name": "越权"}}
        )
        assert body["data"]["createRoom"]["result"] is None
        assert errors(body, "createRoom") == [("floor", "NOT_FOUND")]
        assert rows(tenants.a, in_tenant, code="X1") == rows(tenants.b, in_tenant, code="X1") == []

    @pytest.mark.parametrize("bad", ["garbage", gid("Room", 1), gid("Floor", "x")])
    def test_malformed_or_wrong_type_floor_ids_are_not_found(self, tenants, api, places, bad):
        body = api(tenants.a, role="tenant_admin")(
            CREATE, {"input": {"floor": bad, "code": "X2", "name": "坏编号"}}
        )
        assert errors(body, "createRoom") == [("floor", "NOT_FOUND")]


class TestUpdateRoom:
    def test_changes_with_spaces_change(self, tenants, api, in_tenant, room):
        body = api(tenants.a, role="tenant_admin")(
            UPDATE, {"id": gid("Room", room.pk), "input": {"name": "改名病房", "capacity": 4}}
        )
        assert body["data"]["updateRoom"] == {
            "result": {"code": "501", "name": "改名病房", "capacity": 4},
            "errors": [],
        }
        assert events(tenants.a, in_tenant, "spaces.room.updated") == 1

    def test_view_only_is_permission_denied_and_unknown_is_not_found(self, tenants, api, in_tenant, room):
        worker = api(tenants.a, role="worker")
        body = worker(UPDATE, {"id": gid("Room", room.pk), "input": {"name": "工人改的"}})
        assert errors(body, "updateRoom") == [("id", "PERMISSION_DENIED")]
        body = worker(UPDATE, {"id": gid("Room", 99_999_999), "input": {"name": "不存在"}})
        assert errors(body, "updateRoom") == [("id", "NOT_FOUND")]
        assert rows(tenants.a, in_tenant, name__in=["工人改的", "不存在"]) == []

    def test_a_duplicate_code_is_refused_and_the_room_is_unchanged(self, tenants, api, in_tenant, room):
        body = api(tenants.a, role="tenant_admin")(
            UPDATE, {"id": gid("Room", room.pk), "input": {"code": "502", "name": "不该保存"}}
        )
        assert errors(body, "updateRoom") == [("code", "DUPLICATE_CODE")]
        assert rows(tenants.a, in_tenant, pk=room.pk) == ["501"]
        assert rows(tenants.a, in_tenant, name="不该保存") == []

    def test_another_tenants_room_is_not_found(self, tenants, api, in_tenant, room):
        body = api(tenants.b, role="tenant_admin")(
            UPDATE, {"id": gid("Room", room.pk), "input": {"name": "乙改甲"}}
        )
        assert errors(body, "updateRoom") == [("id", "NOT_FOUND")]
        assert rows(tenants.a, in_tenant, name="乙改甲") == rows(tenants.b, in_tenant, name="乙改甲") == []

    def test_out_of_scope_rooms_are_not_found(self, tenants, api, in_tenant, places, person):
        from identity.models import Role

        with in_tenant(tenants.a):
            Role.objects.create(
                code="out_keeper",
                name="门诊楼管理员",
                permissions=["spaces.view", "spaces.add", "spaces.change"],
                data_scope="all",
                building_ids=[places["a"]["buildings"][1].pk],
            )
        keeper = api(tenants.a, user=person(tenants.a, "out.keeper", "out_keeper"))
        inside = gid("Room", places["a"]["rooms"][5].pk)
        outside = gid("Room", places["a"]["rooms"][0].pk)
        assert keeper(UPDATE, {"id": inside, "input": {"capacity": 30}})["data"]["updateRoom"]["errors"] == []
        assert errors(keeper(UPDATE, {"id": outside, "input": {"capacity": 30}}), "updateRoom") == [
            ("id", "NOT_FOUND")
        ]
        # Nor may it add rooms to a floor of the other building.
        fifth = gid("Floor", places["a"]["floors"][0].pk)
        body = keeper(CREATE, {"input": {"floor": fifth, "code": "599", "name": "越界"}})
        assert errors(body, "createRoom") == [("floor", "NOT_FOUND")]


class TestDeleteRoom:
    def test_deletes_with_spaces_delete(self, tenants, api, in_tenant, room):
        room_id = gid("Room", room.pk)
        body = api(tenants.a, role="tenant_admin")(DELETE, {"id": room_id})
        assert body == {"data": {"deleteRoom": {"deletedId": room_id, "errors": []}}}
        assert rows(tenants.a, in_tenant, pk=room.pk) == []
        assert events(tenants.a, in_tenant, "spaces.room.deleted") == 1

    def test_view_only_is_refused(self, tenants, api, in_tenant, room):
        body = api(tenants.a, role="dispatcher")(DELETE, {"id": gid("Room", room.pk)})
        assert body["data"]["deleteRoom"]["deletedId"] is None
        assert errors(body, "deleteRoom") == [("id", "PERMISSION_DENIED")]
        assert rows(tenants.a, in_tenant, pk=room.pk) == ["501"]

    def test_another_tenants_room_is_not_found(self, tenants, api, in_tenant, room):
        body = api(tenants.b, role="tenant_admin")(DELETE, {"id": gid("Room", room.pk)})
        assert errors(body, "deleteRoom") == [("id", "NOT_FOUND")]
        assert rows(tenants.a, in_tenant, pk=room.pk) == ["501"]


def test_mutations_over_get_are_refused(tenants, api, places):
    key = api(tenants.a, role="tenant_admin")
    response = key.client.get(
        "/graphql/", {"query": 'mutation { deleteRoom(id: "x") { deletedId } }'}, **key.headers
    )
    assert response.status_code == 405
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
