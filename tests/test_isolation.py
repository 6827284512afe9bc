"""A record of tenant A is unreachable from tenant B: ORM, every URL, cache, files, sessions.

(Background jobs: tests/test_jobs.py::test_job_writes_land_in_its_tenant_only.)
"""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from modules.spaces import actions as spaces
from modules.spaces.models import Building, Campus, Room

pytestmark = pytest.mark.django_db


@pytest.fixture
def room_in_a(tenants, in_tenant):
    with in_tenant(tenants.a):
        campus = spaces.create_campus(code="A-MAIN", name="甲院区")
        building = spaces.create_building(campus=campus, code="A1", name="甲一号楼")
        floor = spaces.create_floor(building=building, level=3, code="3F", name="三层")
        return spaces.create_room(floor=floor, code="A-301", name="甲医院机密病房")


def test_orm(tenants, in_tenant, room_in_a):
    with in_tenant(tenants.b):
        assert not Room.objects.exists()
        assert not Campus.objects.filter(code="A-MAIN").exists()
        assert Room.objects.filter(pk=room_in_a.pk).first() is None
    with in_tenant(tenants.a):
        assert Room.objects.get(pk=room_in_a.pk).name == "甲医院机密病房"


def test_every_url_so_far(tenants, client_for, tenant_admin, room_in_a):
    """Signed in as B's administrator, on B's domain, nothing of A's can be reached."""
    b = client_for(tenants.b, user=tenant_admin(tenants.b))
    building_pk = room_in_a.floor.building_id
    token = room_in_a.qr_token
    for path in [
        f"/spaces/buildings/{building_pk}/",
        f"/spaces/buildings/{building_pk}/labels/",
        f"/spaces/l/{token}/",
        f"/spaces/qr/{token}.svg",
        f"/console/spaces/rooms/edit/{room_in_a.pk}/",
        f"/console/spaces/buildings/edit/{building_pk}/",
        f"/console/spaces/rooms/delete/{room_in_a.pk}/",
    ]:
        response = b.get(path)
        assert response.status_code == 404, path
        assert "甲医院机密病房" not in response.content.decode(), path
    for path in ["/", "/spaces/", "/console/spaces/rooms/", "/console/"]:
        response = b.get(path)
        assert response.status_code == 200, path
        assert "甲医院机密病房" not in response.content.decode(), path
    query = "query($t: String!) { rooms(first: 10) { edges { node { name } } } locationByQr(token: $t) { __typename } }"
    body = b.post(
        "/graphql/", {"query": query, "variables": {"t": token}}, content_type="application/json"
    ).json()
    assert body["data"] == {"rooms": {"edges": []}, "locationByQr": None}

    # The same paths on A's own domain do answer (so the 404s above mean isolation).
    a = client_for(tenants.a, user=tenant_admin(tenants.a))
    assert a.get(f"/spaces/l/{token}/").status_code == 200
    assert a.get(f"/console/spaces/rooms/edit/{room_in_a.pk}/").status_code == 200
    assert "甲医院机密病房" in a.get(f"/spaces/buildings/{building_pk}/").content.decode()


def test_session_cookie_of_a_does_not_authenticate_on_b(tenants, client_for, tenant_admin):
    a = client_for(tenants.a, user=tenant_admin(tenants.a))
    assert a.get("/console/").status_code == 200
    cookie = a.cookies["sessionid"].value
    from django.test import Client

    b = Client(HTTP_HOST="b.localhost")
    b.cookies["sessionid"] = cookie
    response = b.get("/console/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert (
        b.post("/graphql/", {"query": "{ tenant { name } }"}, content_type="application/json").status_code
        == 401
    )


def test_cache(tenants, in_tenant):
    with in_tenant(tenants.a):
        cache.set("dashboard", "甲的数据")
        assert cache.get("dashboard") == "甲的数据"
    with in_tenant(tenants.b):
        assert cache.get("dashboard") is None
        cache.set("dashboard", "乙的数据")
    with in_tenant(tenants.a):
        assert cache.get("dashboard") == "甲的数据"


def test_file_storage(tenants, in_tenant, client_for, tenant_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with in_tenant(tenants.a):
        name = default_storage.save("reports/secret.txt", ContentFile("甲的文件".encode()))
        url = default_storage.url(name)
        assert default_storage.key(name) == f"tenants/ta/{name}"
    assert (tmp_path / "tenants" / "ta" / name).read_text() == "甲的文件"
    with in_tenant(tenants.b):
        assert not default_storage.exists(name)
        with pytest.raises(FileNotFoundError):
            default_storage.open(name)
    # The signed link works on A's domain and nowhere else.
    assert client_for(tenants.a).get(url).status_code == 200
    assert b"".join(client_for(tenants.a).get(url).streaming_content) == "甲的文件".encode()
    assert client_for(tenants.b).get(url).status_code == 404
    tampered = url.replace(url.split("/")[-2][:8], "AAAAAAAA")
    assert client_for(tenants.a).get(tampered).status_code == 404


def test_signed_file_link_expires(tenants, in_tenant, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.FILE_URL_MAX_AGE = 0
    with in_tenant(tenants.a):
        url = default_storage.url(default_storage.save("x.txt", ContentFile(b"x")))
    import time

    time.sleep(1.1)
    assert client_for(tenants.a).get(url).status_code == 404


def test_buildings_of_b_are_not_listed_in_a(tenants, in_tenant, client_for, tenant_admin):
    with in_tenant(tenants.b):
        campus = spaces.create_campus(code="B-EAST", name="乙东校区")
        spaces.create_building(campus=campus, code="B1", name="乙图书馆")
    page = client_for(tenants.a, user=tenant_admin(tenants.a)).get("/spaces/").content.decode()
    assert "乙图书馆" not in page
    with in_tenant(tenants.a):
        assert not Building.objects.exists()


def test_people_roles_and_audit_of_a_are_invisible_in_b(tenants, in_tenant, client_for, tenant_admin):
    from identity import actions as identity
    from identity.defaults import root_department
    from identity.models import Role, User
    from kernel.models import AuditEntry

    with in_tenant(tenants.a):
        secret_role = identity.save_role(Role(code="a_secret", name="甲的角色", permissions=["spaces.view"]))
        person = identity.save_user(
            User(username="a.person", full_name="甲的员工", department=root_department()), roles=[secret_role]
        )
        a_audit = AuditEntry.objects.filter(table_name="identity_user", object_id=str(person.pk)).count()
        assert a_audit >= 1
    with in_tenant(tenants.b):
        assert not User.objects.filter(username="a.person").exists()
        assert not Role.objects.filter(code="a_secret").exists()
        assert not AuditEntry.objects.filter(after__full_name="甲的员工").exists()
    b = client_for(tenants.b, user=tenant_admin(tenants.b))
    for path in (
        f"/console/people/users/edit/{person.pk}/",
        f"/console/people/roles/edit/{secret_role.pk}/",
    ):
        response = b.get(path)
        assert response.status_code == 404 or "甲的" not in response.content.decode(), path
    for path in ("/console/people/users/", "/console/people/roles/", "/console/audit/?table=identity_user"):
        assert "甲的" not in b.get(path).content.decode(), path
