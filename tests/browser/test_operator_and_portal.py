"""In a real browser: an operator creates a tenant, whose portal then answers on its domain."""

import pytest
from django.db import connection

from identity.models import User
from tests.fixtures import PASSWORD

pytestmark = pytest.mark.browser


def test_operator_provisions_a_tenant_and_its_portal_answers(page, url, tenants, committed_db):
    User.objects.create_user(username="ops", email="ops@facilis.test", password=PASSWORD, is_staff=True)
    try:
        page.goto(url("localhost", "/"))
        assert "/login/" in page.url
        page.fill("#id_username", "ops")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(url("localhost", "/"))
        assert page.locator("h1").inner_text() == "租户"

        page.click("text=新建租户")
        page.fill("#id_name", "浏览器医院")
        page.fill("#id_name_en", "Browser Hospital")
        page.fill("#id_schema_name", "browser")
        page.select_option("#id_kind", "hospital")
        page.select_option("#id_parent", "thq")
        page.fill("#id_domain", "a.localhost")  # taken: the form must say so, next to the field
        page.fill("#id_admin_email", "chief@browser.test")
        page.fill("#id_admin_password", PASSWORD)
        page.click("main button[type=submit]")
        error = page.locator(".field--invalid .errors").first.inner_text()
        assert "a.localhost" in error and "甲医院" in error

        page.fill("#id_domain", "browser.localhost")
        page.fill("#id_admin_password", PASSWORD)  # password fields are not re-filled
        page.click("main button[type=submit]")
        page.wait_for_selector("text=浏览器医院 已开通")
        assert page.locator("[data-module=spaces]").inner_text().find("常开") >= 0

        page.goto(url("browser.localhost", "/"))
        assert page.locator("h1").inner_text() == "浏览器医院"
        assert page.locator("[data-module=spaces]").is_visible()
    finally:
        # Not User.delete(): its cascade looks for tenant-only tables (Wagtail profiles)
        # that the public schema does not have.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM public.identity_user WHERE username = 'ops'")


def test_portal_fits_a_360px_phone_and_switches_language(browser, url, tenants, committed_db):
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(url("a.localhost", "/"))
        assert page.locator("h1").inner_text() == "甲医院"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"page is {overflow}px wider than the screen"
        page.select_option("#lang-select", "en")
        page.wait_for_selector("text=Services")
        assert page.locator("h1").inner_text() == "Tenant ta"
    finally:
        context.close()
