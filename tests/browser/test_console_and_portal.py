"""In Chromium: branding from the console onto the portal, tiles, search, the bell, the 403,
and the screenshots committed under docs/screenshots/."""

import uuid
from pathlib import Path

import pytest
from django.db import transaction

from identity import actions as identity
from identity.defaults import root_department
from identity.models import Role, User
from kernel import notifications, outbox
from kernel.context import tenant_schema
from tests.fixtures import PASSWORD, drain, running_worker

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def console_login(page, url, host, username):
    page.goto(url(host, "/console/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url(host, "/console/"))


def portal_login(page, url, host, username):
    page.goto(url(host, "/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_colour_changed_in_the_console_shows_on_the_portal(page, url, tenants):
    console_login(page, url, "a.localhost", "admin@ta.test")
    page.goto(url("a.localhost", "/console/portal/branding/"))
    page.fill("#id_brand_primary_colour", "#7a1f5c")
    page.click("#branding-form button[type=submit]")
    page.wait_for_selector(".messages .success, .messages li")
    page.goto(url("a.localhost", "/"))
    colour = page.eval_on_selector(".topbar", "el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(122, 31, 92)"
    # Only tenant A changed.
    page.goto(url("b.localhost", "/"))
    assert (
        page.eval_on_selector(".topbar", "el => getComputedStyle(el).backgroundColor") == "rgb(31, 111, 235)"
    )


def test_portal_home_shows_only_enabled_modules_tiles(page, url, tenants):
    from tenants import actions

    actions.set_module_enabled(tenants.a, "probe", True)
    page.goto(url("a.localhost", "/"))
    assert sorted(page.eval_on_selector_all(".tile", "els => els.map(e => e.dataset.module)")) == [
        "forms",
        "probe",
        "spaces",
        "workflows",
    ]
    page.goto(url("b.localhost", "/"))
    assert sorted(page.eval_on_selector_all(".tile", "els => els.map(e => e.dataset.module)")) == [
        "forms",
        "spaces",
        "workflows",
    ]


def test_search_finds_a_chinese_faq(page, url, tenants):
    from portal import demo

    with tenant_schema("ta"):
        demo.seed(tenants.a)
    page.goto(url("a.localhost", "/"))
    page.fill("#site-search", "空调")
    page.press("#site-search", "Enter")
    page.wait_for_selector("#search-results")
    titles = page.locator("#search-results a").all_inner_texts()
    assert "空调不制冷怎么办" in titles
    page.click("text=空调不制冷怎么办")
    assert page.locator("h1").inner_text() == "空调不制冷怎么办"


def test_notification_rings_the_bell(page, url, tenants):
    name = f"bell-{uuid.uuid4().hex[:6]}"
    with tenant_schema("ta"):
        user = identity.save_user(
            User(username=name, full_name="值班员", department=root_department()), password=PASSWORD
        )
        with transaction.atomic():
            notifications.notify([user], "kernel.reminder", params={"title": "交接班", "text": "18:00 交接"})
        outbox.relay_pending()
    with running_worker() as broker:
        drain(broker)
    portal_login(page, url, "a.localhost", name)
    page.goto(url("a.localhost", "/"))
    assert page.locator(".bell__count").inner_text() == "1"
    page.click(".bell")
    assert "交接班" in page.locator("#inbox").inner_text()


def test_a_user_without_console_permission_gets_403(page, url, tenants):
    name = f"staff-{uuid.uuid4().hex[:6]}"
    with tenant_schema("ta"):
        identity.save_user(
            User(username=name, full_name="职工", department=root_department()),
            password=PASSWORD,
            roles=[Role.objects.get(code="end_user")],
        )
    portal_login(page, url, "a.localhost", name)
    response = page.goto(url("a.localhost", "/console/"))
    assert response.status == 403
    assert "No access to the console" in page.content()


def test_screenshots_of_two_branded_tenants(browser, url, tenants):
    """Console home and portal home (desktop and a 360 px phone) for two tenants."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from modules.spaces import demo as spaces_demo
    from portal import demo as portal_demo
    from tenants import actions
    from tenants.demo import logo_png

    looks = {
        "ta": ("#7a1f5c", "#f0b400", "甲院", "H", "a.localhost"),
        "tb": ("#0b6e4f", "#2f6fdb", "乙大", "U", "b.localhost"),
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for schema, (primary, accent, short, letter, host) in looks.items():
        tenant = getattr(tenants, "a" if schema == "ta" else "b")
        actions.update_branding(
            tenant,
            {"brand_primary_colour": primary, "brand_accent_colour": accent, "brand_short_name": short},
            logo=SimpleUploadedFile("logo.png", logo_png(primary, letter), "image/png"),
        )
        with tenant_schema(schema):
            spaces_demo.seed(tenant)
            portal_demo.seed(tenant)
        desktop = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
        page = desktop.new_page()
        console_login(page, url, host, f"admin@{schema}.test")
        page.screenshot(path=str(SCREENSHOTS / f"{schema}-console-home.png"))
        page.goto(url(host, "/"))
        page.screenshot(path=str(SCREENSHOTS / f"{schema}-portal-desktop.png"), full_page=True)
        desktop.close()
        phone = browser.new_context(
            locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True, device_scale_factor=2
        )
        page = phone.new_page()
        page.goto(url(host, "/"))
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.screenshot(path=str(SCREENSHOTS / f"{schema}-portal-phone.png"), full_page=True)
        phone.close()
    assert len(list(SCREENSHOTS.glob("t?-*.png"))) == 6
