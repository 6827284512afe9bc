"""Roles, permission codes and data scopes; restrict() is the one gate."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from identity import actions
from identity.access import has_code, restrict
from identity.models import Department, Role, User
from identity.tests.conftest import make_user
from modules.spaces import actions as spaces
from modules.spaces.models import Room

pytestmark = pytest.mark.django_db

CODES = [
    "console.access",
    "identity.view_users",
    "identity.manage_users",
    "identity.manage_roles",
    "identity.view_personal_data",
    "audit.view",
    "spaces.view",
    "spaces.add",
    "spaces.change",
    "spaces.delete",
]
# Which codes each default role holds (with the spaces module's grants).
MATRIX = {
    "tenant_admin": set(CODES),
    "dispatcher": {"console.access", "identity.view_users", "spaces.view"},
    "worker": {"spaces.view"},
    "approver": {"identity.view_users", "spaces.view"},
    "end_user": {"spaces.view"},
    "hq_viewer": {"console.access", "spaces.view"},  # reads the group overview in the console
}


@pytest.mark.parametrize("role_code", sorted(MATRIX))
def test_permission_matrix_of_the_default_roles(tenants, in_tenant, role_code):
    with in_tenant(tenants.a):
        from identity.defaults import root_department

        user = make_user(f"only-{role_code}", root_department(), role_code)
        user = User.objects.get(pk=user.pk)
        granted = {code for code in CODES if has_code(user, code)}
    assert granted == MATRIX[role_code]


@pytest.mark.parametrize(
    ("role_code", "console", "users_list", "add_user"),
    [
        ("tenant_admin", 200, 200, 200),
        ("dispatcher", 200, 200, 302),  # Wagtail sends the refused user back to the dashboard
        ("approver", 403, 403, 403),  # no console access at all: a plain "no access" page
        ("end_user", 403, 403, 403),
    ],
)
def test_console_follows_the_roles(tenants, in_tenant, client_for, role_code, console, users_list, add_user):
    with in_tenant(tenants.a):
        from identity.defaults import root_department

        user = make_user(f"web-{role_code}", root_department(), role_code)
    client = client_for(tenants.a, user=user)
    assert client.get("/console/").status_code == console
    assert client.get("/console/people/users/").status_code == users_list
    assert client.get("/console/people/users/new/").status_code == add_user


def test_department_head_sees_her_subtree_not_the_sibling(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        alice = User.objects.get(username="alice")
        visible = set(restrict(User.objects.all(), alice, "view").values_list("username", flat=True))
        assert visible == {"alice", "carl", "rita"}
        departments = set(restrict(Department.objects.all(), alice, "view").values_list("code", flat=True))
        assert departments == {"MED", "CARD", "RESP"}


def test_own_scope_sees_only_oneself(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        rita = User.objects.get(username="rita")
        Role.objects.filter(code="worker").update(permissions=["identity.view_users", "spaces.view"])
        assert list(restrict(User.objects.all(), rita, "view").values_list("username", flat=True)) == ["rita"]


def test_an_api_key_with_an_own_scope_role_owns_nothing(tenants, in_tenant, org):
    """A key is nobody: it must not see the rows whose owner is empty (created_by gone)."""
    from identity.actions import ApiKeyPrincipal
    from identity.models import ApiKey

    with in_tenant(tenants.a):
        keeper = Role.objects.create(
            code="key_keeper", name="密钥管理", permissions=["identity.manage_api_keys"], data_scope="own"
        )
        own, _ = actions.create_api_key(name="own scope", role=keeper, expires_at=None)
        orphan, _ = actions.create_api_key(name="creator gone", role=keeper, expires_at=None)
        assert orphan.created_by_id is None
        rita = User.objects.get(username="rita")
        ApiKey.objects.filter(pk=own.pk).update(created_by=rita)
        assert list(restrict(ApiKey.objects.all(), ApiKeyPrincipal(own), "view")) == []
        rita.roles.add(keeper)
        assert list(restrict(ApiKey.objects.all(), User.objects.get(pk=rita.pk), "view")) == [own]


def test_department_scope_and_building_narrowing(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        campus = spaces.create_campus(code="C", name="院区")
        one = spaces.create_building(campus=campus, code="B1", name="一号楼")
        two = spaces.create_building(campus=campus, code="B2", name="二号楼")
        floors = [spaces.create_floor(building=b, level=1, code="1F", name="一层") for b in (one, two)]
        med, sur = org["departments"]["MED"], org["departments"]["SUR"]
        for floor in floors:
            spaces.create_room(floor=floor, code="MED", name="内科诊室", department=med)
            spaces.create_room(floor=floor, code="SUR", name="外科诊室", department=sur)
        role = Role.objects.create(
            code="ward_clerk",
            name="病区文员",
            permissions=["spaces.view"],
            data_scope="department",
            building_ids=[one.pk],
        )
        clerk = make_user("clerk", med, "ward_clerk")
        clerk = User.objects.get(pk=clerk.pk)
        rooms = restrict(Room.objects.all(), clerk, "view")
        assert [(r.floor.building.code, r.code) for r in rooms.select_related("floor__building")] == [
            ("B1", "MED")
        ]
        # Reference data (buildings) has no department: the building narrowing still applies.
        from modules.spaces.models import Building

        assert list(restrict(Building.objects.all(), clerk, "view")) == [one]
        assert role.pk


def test_no_grant_no_rows_and_anonymous_sees_nothing(tenants, in_tenant, org):
    from django.contrib.auth.models import AnonymousUser

    with in_tenant(tenants.a):
        carl = User.objects.get(username="carl")  # end user: no identity.view_users
        assert not restrict(User.objects.all(), carl, "view").exists()
        assert not restrict(Room.objects.all(), AnonymousUser(), "view").exists()


def test_actions_refuse_without_the_code(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        carl = User.objects.get(username="carl")
        with pytest.raises(PermissionDenied):
            actions.save_user(User(username="intruder", department=org["departments"]["SUR"]), actor=carl)
        with pytest.raises(PermissionDenied):
            spaces.create_campus(code="X", name="x", user=carl)


def test_moving_a_department_keeps_its_subtree(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        med, sur = org["departments"]["MED"], org["departments"]["SUR"]
        moved = actions.move_department(med, sur)
        assert moved.get_parent().code == "SUR"
        codes = {d.code for d in moved.get_descendants()}
        assert codes == {"CARD", "RESP"}
        assert {d.code for d in Department.objects.get(code="SUR").get_descendants()} == {
            "MED",
            "CARD",
            "RESP",
        }
        with pytest.raises(ValidationError):
            actions.move_department(Department.objects.get(code="SUR"), Department.objects.get(code="CARD"))


def test_roles_only_hold_known_permissions(tenants, in_tenant):
    with in_tenant(tenants.a):
        with pytest.raises(ValidationError) as exc:
            actions.save_role(Role(code="odd", name="怪", permissions=["spaces.view", "teleport.use"]))
        assert "teleport.use" in str(exc.value)
        role = actions.save_role(
            Role(code="spaces_all", name="空间", permissions=["spaces.*"], data_scope="all")
        )
        assert role.pk
        with pytest.raises(ValidationError):
            actions.delete_role(Role.objects.get(code="tenant_admin"))


def test_user_belongs_to_exactly_one_department_and_many_workgroups(tenants, in_tenant, org):
    from identity.models import Workgroup

    with in_tenant(tenants.a):
        with pytest.raises(ValidationError) as exc:
            actions.save_user(User(username="nodept", full_name="无部门"))
        assert "department" in exc.value.message_dict
        groups = [actions.save_simple(Workgroup(code=c, name=c)) for c in ("ONCALL", "FIRE")]
        carl = actions.save_user(User.objects.get(username="carl"), workgroups=groups)
        assert set(carl.workgroups.values_list("code", flat=True)) == {"ONCALL", "FIRE"}


def test_the_console_speaks_the_users_language(tenants, in_tenant, client_for):
    with in_tenant(tenants.a):
        from identity.defaults import root_department

        english = make_user("english-admin", root_department(), "tenant_admin", language="en")
        chinese = make_user("chinese-admin", root_department(), "tenant_admin", language="zh-hans")
    assert "People and permissions" in client_for(tenants.a, user=english).get("/console/").content.decode()
    assert "组织与权限" in client_for(tenants.a, user=chinese).get("/console/").content.decode()
