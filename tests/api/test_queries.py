"""Every query: what a caller with the permission sees, what one without it sees, and that
another tenant's data is out of reach (by listing, by id and by QR token)."""

import pytest

from identity import actions as identity
from identity.defaults import root_department
from identity.models import Department, Role
from tests.api.helpers import far_ids, gid

pytestmark = pytest.mark.django_db


def codes_of(body) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def nodes(body, field) -> list[dict]:
    return [edge["node"] for edge in body["data"][field]["edges"]]


@pytest.fixture
def nobody(tenants, in_tenant, api):
    """An API key of tenant A whose role grants nothing."""
    with in_tenant(tenants.a):
        Role.objects.create(code="nobody", name="无权限", permissions=[], data_scope="all")
    return api(tenants.a, role="nobody")


@pytest.fixture
def icu(tenants, in_tenant, person):
    """A department and a person in it, in tenant A."""
    far_ids(tenants.a, "identity_department", "identity_user")
    with in_tenant(tenants.a):
        department = identity.create_department(
            Department(code="ICU", name="重症医学科", name_en="ICU"), parent=root_department()
        )
    nurse = person(tenants.a, "nurse.zhang", "end_user", department=department, phone="13812345678")
    return {"department": department, "nurse": nurse}


class TestTenant:
    QUERY = "{ tenant { name kind enabledModules { key } branding { primaryColour shortName } } }"

    def test_each_domain_answers_for_its_own_tenant(self, tenants, api):
        a = api(tenants.a, role="worker")(self.QUERY)["data"]["tenant"]
        b = api(tenants.b, role="worker")(self.QUERY)["data"]["tenant"]
        assert (a["name"], a["kind"], b["name"], b["kind"]) == ("甲医院", "hospital", "乙大学", "university")
        assert "spaces" in {module["key"] for module in a["enabledModules"]}
        assert a["branding"]["primaryColour"].startswith("#")

    def test_a_role_without_permissions_still_sees_whom_it_talks_to(self, nobody):
        assert nobody(self.QUERY)["data"]["tenant"]["name"] == "甲医院"


class TestMe:
    QUERY = "{ me { username fullName department { code } roles { code } } }"

    def test_a_session_user_is_me(self, tenants, api, tenant_admin):
        me = api(tenants.a, user=tenant_admin(tenants.a))(self.QUERY)["data"]["me"]
        assert me["username"] == "admin@ta.test"
        assert [role["code"] for role in me["roles"]] == ["tenant_admin"]

    def test_an_api_key_is_nobody(self, tenants, api):
        assert api(tenants.a, role="tenant_admin")(self.QUERY) == {"data": {"me": None}}

    def test_on_b_me_is_bs_user(self, tenants, api, tenant_admin):
        assert api(tenants.b, user=tenant_admin(tenants.b))(self.QUERY)["data"]["me"]["username"] == (
            "admin@tb.test"
        )


class TestPermissions:
    QUERY = "{ permissions }"

    def test_lists_what_the_role_grants(self, tenants, api, nobody):
        worker = api(tenants.a, role="worker")(self.QUERY)["data"]["permissions"]
        dispatcher = api(tenants.a, role="dispatcher")(self.QUERY)["data"]["permissions"]
        assert "spaces.view" in worker and "identity.view_users" not in worker
        assert {"spaces.view", "identity.view_users", "console.access"} <= set(dispatcher)
        assert nobody(self.QUERY) == {"data": {"permissions": []}}

    def test_a_change_to_a_role_of_a_does_not_reach_b(self, tenants, api, in_tenant):
        with in_tenant(tenants.a):
            role = Role.objects.get(code="dispatcher")
            role.permissions = [*role.permissions, "spaces.change"]
            role.save()
        assert "spaces.change" in api(tenants.a, role="dispatcher")(self.QUERY)["data"]["permissions"]
        assert "spaces.change" not in api(tenants.b, role="dispatcher")(self.QUERY)["data"]["permissions"]


class TestDepartments:
    QUERY = "{ departments(first: 50) { edges { node { code name parent { code } depth } } } }"

    def test_view_users_permission_shows_the_tree(self, tenants, api, icu):
        found = nodes(api(tenants.a, role="dispatcher")(self.QUERY), "departments")
        assert [(d["code"], d["parent"] and d["parent"]["code"]) for d in found] == [
            ("ORG", None),
            ("ICU", "ORG"),
        ]

    def test_without_it_the_list_is_empty(self, tenants, api, icu, nobody):
        assert nodes(api(tenants.a, role="worker")(self.QUERY), "departments") == []
        assert nodes(nobody(self.QUERY), "departments") == []

    def test_b_sees_none_of_as_departments(self, tenants, api, icu):
        key_b = api(tenants.b, role="dispatcher")
        assert [d["code"] for d in nodes(key_b(self.QUERY), "departments")] == ["ORG"]
        assert nodes(key_b(self.QUERY), "departments")[0]["name"] == "乙大学"
        icu_id = gid("Department", icu["department"].pk)
        assert key_b("query($id: ID!) { node(id: $id) { id } }", {"id": icu_id}) == {"data": {"node": None}}
        # Filtering B's users by A's department finds nothing (and says nothing about A).
        body = key_b(
            "query($d: ID!) { users(first: 5, filter: {department: $d}) { edges { node { id } } } }",
            {"d": icu_id},
        )
        assert body == {"data": {"users": {"edges": []}}}


class TestUsers:
    QUERY = '{ users(first: 50, filter: {search: "nurse"}) { edges { node { username phone department { code } } } } }'

    def test_view_users_lists_people_with_phones_masked(self, tenants, api, icu):
        found = nodes(api(tenants.a, role="dispatcher")(self.QUERY), "users")
        assert found == [{"username": "nurse.zhang", "phone": "138****5678", "department": {"code": "ICU"}}]

    def test_personal_data_permission_unmasks(self, tenants, api, icu):
        found = nodes(api(tenants.a, role="tenant_admin")(self.QUERY), "users")
        assert found[0]["phone"] == "13812345678"

    def test_without_view_users_nobody_is_listed(self, tenants, api, icu, nobody):
        assert nodes(api(tenants.a, role="worker")(self.QUERY), "users") == []
        assert nodes(nobody(self.QUERY), "users") == []

    def test_b_cannot_list_or_fetch_as_people(self, tenants, api, icu):
        key_b = api(tenants.b, role="tenant_admin")
        assert nodes(key_b(self.QUERY), "users") == []
        nurse_id = gid("User", icu["nurse"].pk)
        assert key_b("query($id: ID!) { node(id: $id) { id } }", {"id": nurse_id}) == {"data": {"node": None}}


NAMES_IN_B = {"东校区", "图书馆", "图书馆一层", "乙大学阅览室"}
ANY_PLACE = "... on Campus { name } ... on Building { name } ... on Floor { name } ... on Room { name }"


@pytest.mark.parametrize(
    ("field", "codes_in_a", "codes_in_b"),
    [
        ("campuses", ["MAIN"], ["EAST"]),
        ("buildings", ["INP", "OUT"], ["LIB"]),
        ("floors", ["1F", "5F"], ["1F"]),
        ("rooms", ["101", "102", "501", "502", "503", "504", "505"], ["B101"]),
    ],
)
class TestSpaces:
    def query(self, field):
        return f"{{ {field}(first: 100) {{ edges {{ node {{ id code name }} }} }} }}"

    def test_spaces_view_lists_the_tenants_places(self, tenants, api, places, field, codes_in_a, codes_in_b):
        found = nodes(api(tenants.a, role="worker")(self.query(field)), field)
        assert [row["code"] for row in found] == codes_in_a

    def test_without_spaces_view_the_list_is_empty(self, places, nobody, field, codes_in_a, codes_in_b):
        assert nodes(nobody(self.query(field)), field) == []

    def test_b_lists_only_its_own_and_cannot_fetch_as_by_id(
        self, tenants, api, places, field, codes_in_a, codes_in_b
    ):
        key_b = api(tenants.b, role="tenant_admin")
        listed = nodes(key_b(self.query(field)), field)
        assert [row["code"] for row in listed] == codes_in_b
        assert {row["name"] for row in listed} <= NAMES_IN_B
        for row in nodes(api(tenants.a, role="worker")(self.query(field)), field):
            # Each schema numbers its own rows, so A's id may name one of B's own places;
            # it never names A's.
            found = key_b(f"query($id: ID!) {{ node(id: $id) {{ {ANY_PLACE} }} }}", {"id": row["id"]})
            assert "errors" not in found
            assert found["data"]["node"] is None or found["data"]["node"]["name"] in NAMES_IN_B


class TestNode:
    QUERY = "query($id: ID!) { node(id: $id) { __typename ... on Room { code floor { code building { code } } } } }"

    def test_fetches_what_the_caller_may_see(self, tenants, api, places):
        room_id = gid("Room", places["a"]["rooms"][0].pk)
        body = api(tenants.a, role="worker")(self.QUERY, {"id": room_id})
        assert body == {
            "data": {
                "node": {
                    "__typename": "Room",
                    "code": "501",
                    "floor": {"code": "5F", "building": {"code": "INP"}},
                }
            }
        }

    def test_null_without_permission(self, places, nobody):
        room_id = gid("Room", places["a"]["rooms"][0].pk)
        assert nobody(self.QUERY, {"id": room_id}) == {"data": {"node": None}}

    def test_null_on_another_tenant(self, tenants, api, places):
        room_id = gid("Room", places["a"]["rooms"][0].pk)
        assert api(tenants.b, role="tenant_admin")(self.QUERY, {"id": room_id}) == {"data": {"node": None}}

    @pytest.mark.parametrize("bad", ["nonsense", gid("Nope", 1), gid("Room", "abc"), gid("PageInfo", 1), ""])
    def test_malformed_ids_are_invalid_id(self, tenants, api, bad):
        body = api(tenants.a, role="worker")(self.QUERY, {"id": bad})
        assert body["data"] == {"node": None}
        assert codes_of(body) == ["INVALID_ID"]

    def test_an_id_of_the_wrong_type_in_a_filter_is_invalid_id(self, tenants, api, places):
        building_id = gid("Building", places["a"]["buildings"][0].pk)
        body = api(tenants.a, role="worker")(
            "query($f: ID!) { rooms(first: 5, filter: {floor: $f}) { edges { node { id } } } }",
            {"f": building_id},
        )
        assert codes_of(body) == ["INVALID_ID"]


class TestLocationByQr:
    QUERY = "query($t: String!) { locationByQr(token: $t) { __typename ... on Room { code } ... on Building { code } } }"

    def test_resolves_a_token_the_caller_may_see(self, tenants, api, places):
        token = places["a"]["rooms"][1].qr_token
        assert api(tenants.a, role="worker")(self.QUERY, {"t": token}) == {
            "data": {"locationByQr": {"__typename": "Room", "code": "502"}}
        }
        building_token = places["a"]["buildings"][1].qr_token
        assert api(tenants.a, role="worker")(self.QUERY, {"t": building_token})["data"]["locationByQr"] == {
            "__typename": "Building",
            "code": "OUT",
        }

    def test_null_without_permission_or_on_another_tenant(self, tenants, api, places, nobody):
        token = places["a"]["rooms"][1].qr_token
        assert nobody(self.QUERY, {"t": token}) == {"data": {"locationByQr": None}}
        assert api(tenants.b, role="tenant_admin")(self.QUERY, {"t": token}) == {
            "data": {"locationByQr": None}
        }
        assert api(tenants.a, role="worker")(self.QUERY, {"t": "no-such-token"}) == {
            "data": {"locationByQr": None}
        }


def test_data_scope_narrows_lists_and_node(tenants, in_tenant, api, places, person):
    """A building-scoped role sees the rooms of its building only, in lists and by id."""
    with in_tenant(tenants.a):
        Role.objects.create(
            code="inp_keeper",
            name="住院楼管理员",
            permissions=["spaces.view"],
            data_scope="all",
            building_ids=[places["a"]["buildings"][0].pk],
        )
    keeper = person(tenants.a, "keeper", "inp_keeper")
    caller = api(tenants.a, user=keeper)
    rooms = nodes(caller("{ rooms(first: 20) { edges { node { code } } } }"), "rooms")
    assert [room["code"] for room in rooms] == ["501", "502", "503", "504", "505"]
    hall_id = gid("Room", places["a"]["rooms"][5].pk)
    assert caller("query($id: ID!) { node(id: $id) { id } }", {"id": hall_id}) == {"data": {"node": None}}
