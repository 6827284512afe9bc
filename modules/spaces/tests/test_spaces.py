"""Buildings and spaces: actions, console screens, portal pages, QR codes, GraphQL."""

import pytest
from django.core.exceptions import ValidationError

from kernel.models import OutboxEvent
from modules.spaces import actions
from modules.spaces.models import Building, Campus, Floor, Room

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(tenants, in_tenant):
    with in_tenant(tenants.a):
        campus = actions.create_campus(code="MAIN", name="本部", name_en="Main campus")
        building = actions.create_building(
            campus=campus, code="INP", name="住院楼", name_en="Inpatient Building"
        )
        floor = actions.create_floor(building=building, level=5, code="5F", name="五层")
        room = actions.create_room(
            floor=floor, code="501", name="ICU 监护室", name_en="ICU bay", kind="ward", area_m2=300
        )
        return {"campus": campus, "building": building, "floor": floor, "room": room}


class TestActions:
    def test_writes_emit_events_in_the_same_transaction(self, tenants, in_tenant, tree):
        with in_tenant(tenants.a):
            topics = list(OutboxEvent.objects.order_by("id").values_list("topic", flat=True))
        assert topics == [
            "spaces.campus.created",
            "spaces.building.created",
            "spaces.floor.created",
            "spaces.room.created",
        ]

    def test_duplicate_code_is_a_field_error(self, tenants, in_tenant, tree):
        with in_tenant(tenants.a), pytest.raises(ValidationError) as exc:
            actions.create_room(floor=tree["floor"], code="501", name="重复")
        assert [e.code for e in exc.value.error_dict["code"]] == ["duplicate_code"]

    def test_floor_zero_and_negative_area_are_refused(self, tenants, in_tenant, tree):
        with in_tenant(tenants.a):
            with pytest.raises(ValidationError) as exc:
                actions.create_floor(building=tree["building"], level=0, code="0F", name="零层")
            assert [e.code for e in exc.value.error_dict["level"]] == ["invalid_level"]
            with pytest.raises(ValidationError) as exc:
                actions.create_room(floor=tree["floor"], code="502", name="负面积", area_m2=-1)
            assert [e.code for e in exc.value.error_dict["area_m2"]] == ["min_value"]
            assert not Room.objects.filter(code="502").exists()

    def test_deleting_a_building_with_floors_is_refused_with_a_reason(self, tenants, in_tenant, tree):
        with in_tenant(tenants.a):
            with pytest.raises(ValidationError) as exc:
                actions.delete_location(tree["building"])
            assert "still contains" in exc.value.messages[0]
            assert Building.objects.filter(pk=tree["building"].pk).exists()
            actions.delete_location(tree["room"])
            actions.delete_location(tree["floor"])
            actions.delete_location(tree["building"])
            assert not Building.objects.exists()
            assert OutboxEvent.objects.filter(topic="spaces.building.deleted").count() == 1

    def test_qr_tokens_are_unique_and_url_safe(self, tenants, in_tenant, tree):
        tokens = {tree[k].qr_token for k in tree}
        assert len(tokens) == 4
        assert all(len(t) == 12 and t.replace("-", "").replace("_", "").isalnum() for t in tokens)


class TestPortal:
    def test_directory_and_floor_list(self, tenants, client_for, tenant_admin, tree):
        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        index = client.get("/spaces/").content.decode()
        assert "住院楼" in index and "1 room" in index or "1" in index
        page = client.get(f"/spaces/buildings/{tree['building'].pk}/").content.decode()
        assert "ICU 监护室" in page and "5F" in page

    def test_directory_needs_sign_in(self, tenants, client_for, tree):
        response = client_for(tenants.a).get("/spaces/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_qr_scan_page_is_public_and_shows_the_path(self, tenants, client_for, tree):
        page = client_for(tenants.a).get(f"/spaces/l/{tree['room'].qr_token}/").content.decode()
        assert "ICU 监护室" in page and "住院楼" in page and "本部" in page
        english = client_for(tenants.a, HTTP_ACCEPT_LANGUAGE="en").get(f"/spaces/l/{tree['room'].qr_token}/")
        assert "ICU bay" in english.content.decode()

    def test_qr_svg_encodes_the_scan_url(self, tenants, client_for, tree):
        response = client_for(tenants.a).get(f"/spaces/qr/{tree['room'].qr_token}.svg")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert response.content.startswith(b"<svg")
        assert client_for(tenants.a).get("/spaces/qr/nope.svg").status_code == 404

    def test_label_sheet(self, tenants, client_for, tenant_admin, tree):
        page = client_for(tenants.a, user=tenant_admin(tenants.a)).get(
            f"/spaces/buildings/{tree['building'].pk}/labels/"
        )
        html = page.content.decode()
        assert html.count("<svg") == 1
        assert "INP-501" in html


class TestConsole:
    def test_create_room_through_the_console_goes_through_the_action(
        self, tenants, in_tenant, client_for, tenant_admin, tree
    ):
        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        form = {
            "floor": tree["floor"].pk,
            "code": "503",
            "name": "示教室",
            "name_en": "",
            "kind": "room",
            "department": "",
            "area_m2": "40",
            "capacity": "20",
            "is_active": "on",
            "notes": "",
        }
        response = client.post("/console/spaces/rooms/new/", form)
        assert response.status_code == 302, response.content.decode()[:2000]
        with in_tenant(tenants.a):
            room = Room.objects.get(code="503")
            assert room.capacity == 20
            assert OutboxEvent.objects.filter(topic="spaces.room.created", payload__id=room.pk).exists()

    def test_console_shows_field_errors(self, tenants, client_for, tenant_admin, tree):
        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        form = {"floor": tree["floor"].pk, "code": "501", "name": "", "kind": "room", "is_active": "on"}
        response = client.post("/console/spaces/rooms/new/", form)
        assert response.status_code == 200
        html = response.content.decode()
        assert (
            'class="w-field w-field--char_field w-field--text_input w-field--error"' in html
            or "w-field--error" in html
        )
        assert "必需字段" in html or "This field is required" in html

    def test_console_delete_of_a_used_building_explains(
        self, tenants, in_tenant, client_for, tenant_admin, tree
    ):
        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        response = client.post(f"/console/spaces/buildings/delete/{tree['building'].pk}/")
        with in_tenant(tenants.a):
            assert Building.objects.filter(pk=tree["building"].pk).exists()
        assert response.status_code in (200, 302)


class TestGraphQL:
    def test_rooms_with_their_buildings_in_a_fixed_number_of_queries(
        self, tenants, in_tenant, client_for, tenant_admin, tree, django_assert_max_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        query = "{ rooms(first: 50) { edges { node { code name floor { level building { code campus { code } } } } } } }"

        def count_queries():
            client.post(
                "/graphql/", {"query": "{ tenant { name } }"}, content_type="application/json"
            )  # warm the session
            with CaptureQueriesContext(connection) as captured:
                body = client.post("/graphql/", {"query": query}, content_type="application/json").json()
            return len(captured), body

        with in_tenant(tenants.a):
            for i in range(10):
                actions.create_room(floor=tree["floor"], code=f"6{i:02d}", name=f"病房 {i}")
        few, body = count_queries()
        assert len(body["data"]["rooms"]["edges"]) == 11
        with in_tenant(tenants.a):
            for i in range(20):
                actions.create_room(floor=tree["floor"], code=f"7{i:02d}", name=f"病房 {i}")
        many, body = count_queries()
        edges = body["data"]["rooms"]["edges"]
        assert len(edges) == 31
        assert {e["node"]["floor"]["building"]["campus"]["code"] for e in edges} == {"MAIN"}
        # The same queries for 11 rooms as for 31: the schema switch, host, session, user,
        # audit context, roles, count and rows; never one per row.
        assert few == many <= 10

    def test_location_by_qr(self, tenants, client_for, tenant_admin, tree):
        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        query = "query($t: String!) { locationByQr(token: $t) { __typename ... on Room { code departmentName } } }"
        body = client.post(
            "/graphql/",
            {"query": query, "variables": {"t": tree["room"].qr_token}},
            content_type="application/json",
        ).json()
        assert body["data"]["locationByQr"] == {"__typename": "Room", "code": "501", "departmentName": None}


def test_demo_data_is_idempotent(tenants, in_tenant):
    from modules.spaces import demo

    with in_tenant(tenants.a):
        demo.seed(tenants.a)
        counts = (
            Campus.objects.count(),
            Building.objects.count(),
            Floor.objects.count(),
            Room.objects.count(),
        )
        demo.seed(tenants.a)
        assert (
            Campus.objects.count(),
            Building.objects.count(),
            Floor.objects.count(),
            Room.objects.count(),
        ) == counts
        assert counts[3] > 15
        assert Room.objects.filter(department__code="ICU").exists()


def test_portal_and_api_show_only_rooms_in_the_viewers_scope(tenants, in_tenant, client_for, tree):
    from identity import actions as identity
    from identity.defaults import root_department
    from identity.models import Department, Role, User

    with in_tenant(tenants.a):
        icu = identity.create_department(Department(code="ICU", name="重症医学科"), parent=root_department())
        other = identity.create_department(Department(code="ORTHO", name="骨科"), parent=root_department())
        actions.create_room(floor=tree["floor"], code="502", name="ICU 护士站", department=icu)
        actions.create_room(floor=tree["floor"], code="503", name="骨科库房", department=other)
        Role.objects.create(
            code="clerk", name="科室文员", permissions=["spaces.view"], data_scope="department"
        )
        clerk = identity.save_user(
            User(username="clerk", full_name="文员", department=icu), roles=[Role.objects.get(code="clerk")]
        )
    client = client_for(tenants.a, user=clerk)
    page = client.get(f"/spaces/buildings/{tree['building'].pk}/").content.decode()
    assert "ICU 护士站" in page and "骨科库房" not in page and "ICU 监护室" not in page
    body = client.post(
        "/graphql/",
        {"query": "{ rooms(first: 20) { edges { node { code } } } }"},
        content_type="application/json",
    ).json()
    assert [edge["node"]["code"] for edge in body["data"]["rooms"]["edges"]] == ["502"]
