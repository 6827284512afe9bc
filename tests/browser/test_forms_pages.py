"""The forms pages as people see them: the console designer and the portal form, in Chinese,
with screenshots committed under docs/screenshots/ (README)."""

import pytest

from kernel.context import tenant_schema
from tests.browser.test_console_and_portal import SCREENSHOTS, console_login, portal_login

pytestmark = pytest.mark.browser


def test_designer_and_portal_form(browser, url, tenants, person):
    from lowcode.forms import demo

    with tenant_schema("ta"):
        from modules.spaces import demo as spaces_demo

        spaces_demo.seed(tenants.a)
        demo.seed(tenants.a)
        from lowcode.forms.models import FormDefinition

        form = FormDefinition.objects.get(code="renovation")
    person(tenants.a, "zhang", "end_user", full_name="张老师")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    desktop = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = desktop.new_page()
    console_login(page, url, "a.localhost", "admin@ta.test")
    page.goto(url("a.localhost", f"/console/forms/definitions/{form.pk}/design/"))
    preview = page.locator("#form-preview")
    # The preview renders the definition, with the designer's conditions working.
    preview.locator(".ff-field[data-key=category]").wait_for()
    assert preview.locator(".ff-field[data-key=estimated_cost]").is_hidden()
    preview.locator(".ff-field[data-key=category] select").select_option("renovation")
    assert preview.locator(".ff-field[data-key=estimated_cost]").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "forms-designer.png"), full_page=False)
    desktop.close()

    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True, device_scale_factor=2
    )
    page = phone.new_page()
    portal_login(page, url, "a.localhost", "zhang")
    page.goto(url("a.localhost", "/forms/renovation/"))
    page.locator(".ff-field[data-key=category] select").select_option("renovation")
    page.locator(".ff-field[data-key=estimated_cost] input").fill("8000")
    # Over 5,000: the reason appears, and is required.
    reason = page.locator(".ff-field[data-key=reason]")
    assert reason.is_visible()
    assert reason.locator(".ff-required").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "forms-portal-phone.png"), full_page=True)
    # Submitting without the reason: the server refuses it, next to the field.
    page.click("button[value=submit]")
    page.wait_for_load_state()
    assert page.locator(".ff-field[data-key=reason] .ff-errors").is_visible()
    phone.close()
