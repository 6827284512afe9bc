"""Chinese and English throughout: the catalogue is compiled and pages follow the language."""

import pytest
from django.utils import translation


def test_catalogue_is_compiled():
    with translation.override("zh-hans"):
        assert translation.gettext("Buildings and rooms") == "楼宇与房间"
        assert translation.ngettext("%(n)s room", "%(n)s rooms", 3) % {"n": 3} == "3 个房间"
    with translation.override("en"):
        assert translation.gettext("Buildings and rooms") == "Buildings and rooms"


@pytest.mark.django_db
def test_pages_follow_the_language(client_for, tenants):
    client = client_for(tenants.a)
    assert "服务" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Services" in page and "Tenant ta" in page  # the English name of the tenant
    operator = client_for(None)
    assert "平台运营登录" in operator.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Operator sign-in" in operator.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.mark.django_db
def test_without_a_preference_the_tenant_language_applies(client_for, tenants):
    from tenants.models import Tenant

    Tenant.objects.filter(pk=tenants.b.pk).update(locale="en")
    assert "Services" in client_for(tenants.b).get("/").content.decode()
    assert "服务" in client_for(tenants.a).get("/").content.decode()
