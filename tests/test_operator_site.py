"""The platform operator's site: sign-in, create, suspend, resume, delete, modules, domains."""

import pytest
from django.db import connection
from django.test import Client

from identity.models import User
from kernel import modules
from tenants.models import Domain, Tenant
from tests.fixtures import PASSWORD

pytestmark = pytest.mark.django_db

# The test client keeps one cookie jar for every host (a browser keeps one per host), so
# tenant pages are visited with a fresh Client and the operator's session stays intact.


@pytest.fixture
def operator(client):
    connection.set_schema_to_public()
    user = User.objects.create_user(username="op", email="op@facilis.test", password=PASSWORD, is_staff=True)
    client.defaults["HTTP_HOST"] = "localhost"
    client.force_login(user)
    return client


def test_sign_in_required_and_only_for_operators(client, tenants):
    connection.set_schema_to_public()
    User.objects.create_user(username="plain", password=PASSWORD)
    response = client.get("/", HTTP_HOST="localhost")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = client.post("/login/", {"username": "plain", "password": PASSWORD}, HTTP_HOST="localhost")
    assert response.status_code == 302
    assert client.get("/", HTTP_HOST="localhost").status_code == 403


def test_tenant_admins_cannot_sign_in_to_the_operator_site(client, tenants):
    response = client.post(
        "/login/", {"username": "admin@ta.test", "password": PASSWORD}, HTTP_HOST="localhost"
    )
    assert response.status_code == 200  # the form again: that user does not exist in the public schema


def test_dashboard_shows_the_group_tree(operator, tenants):
    page = operator.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "甲医院" in page and "测试集团" in page
    assert page.index("测试集团") < page.index("集团子医院")
    assert "↳" in page


def test_create_tenant_through_the_form(operator, tenants):
    form = {
        "name": "第三医院",
        "name_en": "Third Hospital",
        "schema_name": "third",
        "kind": "hospital",
        "parent": "thq",
        "domain": "third.localhost",
        "locale": "zh-hans",
        "time_zone": "Asia/Shanghai",
        "modules": ["probe"],
        "admin_name": "王主任",
        "admin_email": "wang@third.test",
        "admin_password": PASSWORD,
    }
    response = operator.post("/tenants/new/", form)
    tenant = Tenant.objects.get(schema_name="third")
    assert response.status_code == 302 and response["Location"] == f"/tenants/{tenant.pk}/"
    assert tenant.parent.schema_name == "thq"
    assert modules.is_enabled("probe", tenant)
    assert Client().get("/", HTTP_HOST="third.localhost").status_code == 200


def test_create_tenant_shows_errors_next_to_each_field(operator, tenants):
    form = {
        "name": "",
        "schema_name": "Third!",
        "kind": "hospital",
        "domain": "a.localhost",
        "locale": "zh-hans",
        "time_zone": "Nowhere/City",
        "admin_email": "nope",
        "admin_password": "1",
    }
    response = operator.post("/tenants/new/", form)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"name", "admin_email"}  # caught by the form itself
    form.update(name="第三医院", admin_email="ok@third.test")
    errors = operator.post("/tenants/new/", form).context["form"].errors
    assert set(errors) == {"schema_name", "domain", "time_zone", "admin_password"}
    assert "already used by 甲医院" in errors["domain"][0]
    assert not Tenant.objects.filter(name="第三医院").exists()


def test_suspend_resume_and_module_toggle(operator, tenants):
    pk = tenants.b.pk
    operator.post(f"/tenants/{pk}/suspend/", {"reason": "合同到期"})
    assert Client().get("/", HTTP_HOST="b.localhost").status_code == 403
    assert Tenant.objects.get(pk=pk).status_reason == "合同到期"
    operator.post(f"/tenants/{pk}/resume/")
    assert Client().get("/", HTTP_HOST="b.localhost").status_code == 200

    operator.post(f"/tenants/{pk}/modules/probe/", {"enabled": "1"})
    assert modules.is_enabled("probe", tenants.b)
    page = operator.get(f"/tenants/{pk}/").content.decode()
    assert 'data-module="probe"' in page
    operator.post(f"/tenants/{pk}/modules/probe/", {"enabled": "0"})
    assert not modules.is_enabled("probe", tenants.b)
    response = operator.post(f"/tenants/{pk}/modules/spaces/", {"enabled": "0"}, follow=True)
    assert "always on" in response.content.decode()


def test_add_domain_and_delete_tenant(operator, tenants):
    operator.post(
        "/tenants/new/",
        {
            "name": "临时单位",
            "schema_name": "temp",
            "kind": "enterprise",
            "domain": "temp.localhost",
            "locale": "en",
            "time_zone": "UTC",
            "admin_email": "t@temp.test",
            "admin_password": PASSWORD,
        },
    )
    tenant = Tenant.objects.get(schema_name="temp")
    operator.post(f"/tenants/{tenant.pk}/domains/", {"domain": "fm.temp.localhost"})
    assert Domain.objects.filter(domain="fm.temp.localhost", tenant=tenant, is_primary=False).exists()
    response = operator.post(f"/tenants/{tenant.pk}/delete/", {"confirm_schema": "nope"}, follow=True)
    assert "does not match" in response.content.decode()
    response = operator.post(f"/tenants/{tenant.pk}/delete/", {"confirm_schema": "temp"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert not Tenant.objects.filter(schema_name="temp").exists()
    assert Client().get("/", HTTP_HOST="temp.localhost").status_code == 404
