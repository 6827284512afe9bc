"""A work order's life in Chromium, on phones: a nurse reports a leaking tap on the portal (the
location picker, a photo); water faults in the east building are chen's (区域包干), so the
order is dispatched to him at once; chen takes it, starts with a photo, adds a material and
completes it on his phone; the nurse checks it and gives five stars. The database and the
timeline are checked after every step. Screenshots go to docs/screenshots/ (README)."""

import io
import uuid
from decimal import Decimal

import pytest
from PIL import Image

from kernel.context import tenant_schema
from tests.browser.test_console_and_portal import SCREENSHOTS, portal_login

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "device_scale_factor": 2}


def photo(name: str, colour) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def on_phone(browser, url, username):
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    portal_login(page, url, "a.localhost", username)
    return context, page


def order_state(pk):
    from modules.workorders.models import WorkOrder

    with tenant_schema("ta"):
        order = WorkOrder.objects.get(pk=pk)
        kinds = list(order.events.values_list("kind", flat=True))
        return order, kinds


@pytest.fixture
def hospital(url, tenants, person):
    """Tenant A with work orders on: a ward in the east building whose water faults are
    chen's, a nurse, a catalogue item. Spaces and orders are emptied by committed_db; the
    team and the item (tables it does not empty) are removed here."""
    from modules.inventory.models import Item
    from modules.spaces import actions as spaces
    from modules.workorders.models import DispatchRule, Team, Trade
    from tenants.actions import set_module_enabled

    for key in ("inventory", "workorders"):
        set_module_enabled(tenants.a, key, True, actor="tests")
    tag = uuid.uuid4().hex[:6]
    nurse = person(tenants.a, f"nurse-{tag}", "end_user", full_name="王护士")
    chen = person(tenants.a, f"chen-{tag}", "worker", full_name="陈师傅")
    with tenant_schema("ta"):
        campus = spaces.create_campus(code="MAIN", name="本部")
        east = spaces.create_building(campus=campus, code="E", name="东楼")
        west = spaces.create_building(campus=campus, code="W", name="西楼")
        floor = spaces.create_floor(building=east, level=3, code="3F", name="三层")
        spaces.create_floor(building=west, level=1, code="1F", name="一层")
        ward = spaces.create_room(floor=floor, code="301", name="301 病房", kind="ward")
        spaces.create_room(floor=floor, code="302", name="302 病房", kind="ward")
        team = Team.objects.create(code=f"wet-{tag}", name="水电班")
        team.members.set([chen])
        water = Trade.objects.get(code="water")
        DispatchRule.objects.create(order=1, trade=water, building=east, team=team, worker=chen)
        item = Item.objects.create(
            code=f"TAP-{tag}", name="水龙头", specification="DN15", unit="个", unit_cost=Decimal("45.50")
        )
    yield {"nurse": nurse, "chen": chen, "ward": ward, "water": water, "item": item, "team": team}
    with tenant_schema("ta"):
        from modules.workorders.models import WorkOrder

        WorkOrder.objects.filter(room=ward).delete()
        Item.objects.filter(pk=item.pk).delete()
        Team.objects.filter(pk=team.pk).delete()


def test_report_dispatch_work_complete_and_rate_on_phones(browser, url, hospital):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # 1. The nurse reports the fault on her phone: building → floor → room, trade, a photo.
    context, page = on_phone(browser, url, hospital["nurse"].username)
    page.goto(url("a.localhost", "/workorders/new/"))
    page.select_option("#room-building", label="东楼")
    page.select_option("#room-floor", label="三层")
    page.select_option("#id_room", value=str(hospital["ward"].pk))
    page.select_option("#id_trade", value=str(hospital["water"].pk))
    page.fill("#id_description", "301 病房洗手池水龙头一直滴水，地面湿滑")
    page.select_option("#id_priority", "high")
    page.fill("#id_preferred_time", "今天下午")
    page.set_input_files("#id_photos", [photo("tap.jpg", (40, 120, 200))])
    page.locator("#photo-preview img").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "workorders-report.png"), full_page=True)
    page.click("#report-submit")
    page.wait_for_url("**/workorders/orders/*/")
    pk = int(page.url.rstrip("/").rsplit("/", 1)[1])
    order, kinds = order_state(pk)
    assert (order.status, order.assignee_id, order.channel) == ("dispatched", hospital["chen"].pk, "portal")
    assert (order.room_id, order.priority, order.preferred_time) == (hospital["ward"].pk, "high", "今天下午")
    assert kinds == ["submitted", "dispatched"]
    with tenant_schema("ta"):
        assert list(order.photos.values_list("stage", "name")) == [("report", "tap.jpg")]
    assert page.locator("#order-status").get_attribute("data-status") == "dispatched"
    assert page.locator("#order-timeline li").count() == 2
    context.close()

    # 2. Chen sees it on his jobs page, takes it, starts with a photo, adds a tap, completes.
    context, page = on_phone(browser, url, hospital["chen"].username)
    page.goto(url("a.localhost", "/workorders/work/"))
    job = page.locator(f'.wo-job[data-order="{pk}"]')
    job.wait_for()
    assert page.locator('[data-count="new"]').inner_text() == "1"
    page.screenshot(path=str(SCREENSHOTS / "workorders-worker.png"), full_page=True)
    job.locator("a").click()
    page.wait_for_url(f"**/workorders/orders/{pk}/")
    page.click("#do-take")
    page.locator(".message--success").wait_for()
    order, kinds = order_state(pk)
    assert order.responded_at is not None and not order.response_breached
    assert kinds[-1] == "taken"

    page.set_input_files("#start-photos", [photo("before.jpg", (150, 150, 150))])
    page.click("#do-start")
    page.locator("#order-status[data-status=in_progress]").wait_for()
    order, kinds = order_state(pk)
    assert order.status == "in_progress" and order.started_at is not None
    assert kinds[-1] == "started"

    page.click("#act-material summary")
    page.select_option("#material-item", value=str(hospital["item"].pk))
    page.fill("#material-quantity", "2")
    page.click("#do-material")
    page.locator("#order-materials tr[data-line]").wait_for()
    order, kinds = order_state(pk)
    assert order.material_cost == Decimal("91.00") and kinds[-1] == "material"

    page.fill("#complete-notes", "更换水龙头两个，已试水无渗漏")
    page.fill("#complete-labour_minutes", "45")
    page.set_input_files("#complete-photos", [photo("after.jpg", (60, 180, 90))])
    page.click("#do-complete")
    page.locator("#order-status[data-status=completed]").wait_for()
    order, kinds = order_state(pk)
    assert order.status == "completed" and order.labour_minutes == 45
    assert order.total_cost == order.material_cost + order.labour_cost > Decimal("91.00")
    assert kinds[-1] == "completed"
    with tenant_schema("ta"):
        assert sorted(order.photos.values_list("stage", flat=True)) == ["after", "before", "report"]
    context.close()

    # 3. The nurse checks the work and gives five stars.
    context, page = on_phone(browser, url, hospital["nurse"].username)
    page.goto(url("a.localhost", f"/workorders/orders/{pk}/"))
    page.click("label[for=star-5]")
    page.fill("#verify-comment", "修得很快，谢谢陈师傅")
    page.click("#do-verify")
    page.locator("#order-status[data-status=verified]").wait_for()
    order, kinds = order_state(pk)
    assert (order.status, order.rating, order.rating_comment) == ("verified", 5, "修得很快，谢谢陈师傅")
    assert kinds == ["submitted", "dispatched", "taken", "started", "material", "completed", "verified"]
    assert page.locator("#order-timeline li").count() == len(kinds)
    assert page.locator("#order-rating .wo-rating").inner_text() == "★★★★★"
    # Five steps done, "verified" where it stands; closing is the desk's.
    assert page.locator("#order-progress li.done").count() == 5
    assert page.locator("#order-progress li.current").get_attribute("data-step") == "verified"
    page.screenshot(path=str(SCREENSHOTS / "workorders-detail.png"), full_page=True)
    context.close()


def test_the_desk_dispatches_from_the_board_in_the_console(browser, url, hospital, tenants, person):
    """A fault no rule routes (carpentry) waits on the board; the desk officer accepts it and
    dispatches it to chen in the console; chen does the job; the nurse accepts and rates."""
    from modules.workorders.models import Trade
    from tests.browser.test_console_and_portal import console_login

    desk = person(tenants.a, f"desk-{uuid.uuid4().hex[:6]}", "dispatcher", full_name="王调度")
    with tenant_schema("ta"):
        carpentry = Trade.objects.get(code="carpentry")

    # 1. The nurse reports a broken door lock: no rule sends it on.
    context, page = on_phone(browser, url, hospital["nurse"].username)
    page.goto(url("a.localhost", "/workorders/new/"))
    page.select_option("#room-building", label="东楼")
    page.select_option("#room-floor", label="三层")
    page.select_option("#id_room", value=str(hospital["ward"].pk))
    page.select_option("#id_trade", value=str(carpentry.pk))
    page.fill("#id_description", "病房门锁坏了，钥匙插不进去")
    page.click("#report-submit")
    page.wait_for_url("**/workorders/orders/*/")
    pk = int(page.url.rstrip("/").rsplit("/", 1)[1])
    order, kinds = order_state(pk)
    assert (order.status, order.assignee_id) == ("submitted", None) and kinds == ["submitted"]
    context.close()

    # 2. The desk, in the console: the board lists it; accept, then dispatch to chen.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    console_login(page, url, "a.localhost", desk.username)
    page.goto(url("a.localhost", "/console/workorders/desk/"))
    row = page.locator(f"#order-{pk}")
    row.wait_for()
    assert row.get_attribute("data-status") == "submitted"
    row.locator('[data-action="accept"]').click()
    page.locator(f'#order-{pk}[data-status="accepted"]').wait_for()
    assert order_state(pk)[0].status == "accepted"
    row = page.locator(f"#order-{pk}")
    row.locator('[data-action="open-dispatch"]').click()
    row.locator(f"#worker-{pk}").select_option(value=str(hospital["chen"].pk))
    row.locator(f"#note-{pk}").fill("带一把新锁")
    row.locator('button[data-action="dispatch"]').click()
    page.wait_for_load_state()
    order, kinds = order_state(pk)
    assert (order.status, order.assignee_id) == ("dispatched", hospital["chen"].pk)
    assert kinds == ["submitted", "accepted", "dispatched"]
    assert page.locator(f"#order-{pk}").count() == 0  # off the board
    context.close()

    # 3. Chen takes, starts and completes it on his phone.
    context, page = on_phone(browser, url, hospital["chen"].username)
    page.goto(url("a.localhost", f"/workorders/orders/{pk}/"))
    page.click("#do-take")
    page.locator(".message--success").wait_for()
    page.click("#do-start")
    page.locator("#order-status[data-status=in_progress]").wait_for()
    page.fill("#complete-notes", "更换门锁一把")
    page.fill("#complete-labour_minutes", "30")
    page.click("#do-complete")
    page.locator("#order-status[data-status=completed]").wait_for()
    context.close()

    # 4. The nurse accepts with four stars.
    context, page = on_phone(browser, url, hospital["nurse"].username)
    page.goto(url("a.localhost", f"/workorders/orders/{pk}/"))
    page.click("label[for=star-4]")
    page.click("#do-verify")
    page.locator("#order-status[data-status=verified]").wait_for()
    order, kinds = order_state(pk)
    assert (order.status, order.rating, order.desk_officer_id) == ("verified", 4, None)
    assert kinds == ["submitted", "accepted", "dispatched", "taken", "started", "completed", "verified"]
    context.close()
