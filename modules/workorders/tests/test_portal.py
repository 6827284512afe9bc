"""The portal pages of work orders: the report form (photos, QR, the trade's custom fields,
field errors that write nothing), every button of an order's page with its refusals, who
may see an order, the worker's and the reporter's lists, and isolation between tenants."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from identity.models import DataScope, Role
from lowcode.forms import actions as forms
from lowcode.forms.models import FormDefinition
from modules.inventory.models import Item
from modules.spaces import actions as spaces
from modules.workorders import actions
from modules.workorders.models import Complaint, MaterialLine, Photo, Team, WorkOrder
from tenants.actions import set_module_enabled

pytestmark = pytest.mark.django_db
Status = WorkOrder.Status


def png(name="leak.png", size=(40, 30), colour=(200, 30, 30), padding=0):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue() + b"\0" * padding, content_type="image/png")


def stored_photos() -> set[str]:
    """Files under the work-order photo prefix of the current tenant's storage."""
    try:
        return set(default_storage.listdir(actions.PHOTO_PREFIX)[1])
    except FileNotFoundError:
        return set()


def report_data(wo, **more):
    data = {
        "trade": wo["water"].pk,
        "room": wo["ward"].pk,
        "description": "水龙头漏水，地面有积水",
        "priority": "high",
        "preferred_time": "下午两点后",
        "contact_name": "王护士",
        "contact_phone": "13800001111",
    }
    data.update(more)
    return {k: v for k, v in data.items() if v is not None}


def errors_of(html: str) -> list[str]:
    """The field errors on a page, in order."""
    return [
        item
        for block in re.findall(r'<ul class="errors" role="alert">(.*?)</ul>', html, flags=re.S)
        for item in re.findall(r"<li>(.*?)</li>", block, flags=re.S)
    ]


@pytest.fixture
def client_for(client_for):
    """The shared client maker, asking for English pages (tenant A's language is Chinese)."""

    def make(tenant=None, user=None, **kwargs):
        kwargs.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
        return client_for(tenant, user=user, **kwargs)

    return make


@pytest.fixture
def water_fields(tenants, in_tenant, wo):
    """A's custom fields for water faults: what kind of leak (required) and whether the floor
    is wet."""
    with in_tenant(tenants.a):
        extension = forms.save_form(
            FormDefinition(
                code="water-fields", name="水暖报修字段", kind="extension", target="workorders.trade.water"
            )
        )
        forms.save_draft(
            extension,
            {
                "sections": [
                    {
                        "key": "leak",
                        "title": {"zh": "漏水", "en": "Leak"},
                        "fields": [
                            {
                                "key": "leak_kind",
                                "type": "choice",
                                "label": {"zh": "漏水类型", "en": "Kind of leak"},
                                "required": True,
                                "options": [
                                    {"value": "drip", "label": {"zh": "滴漏", "en": "Dripping"}},
                                    {"value": "burst", "label": {"zh": "爆管", "en": "Burst pipe"}},
                                ],
                            },
                            {
                                "key": "floor_wet",
                                "type": "boolean",
                                "label": {"zh": "地面积水", "en": "Wet floor"},
                            },
                        ],
                    }
                ]
            },
        )
        forms.publish(extension)
    return extension


# --- The report form ---------------------------------------------------------------------------


class TestReport:
    def test_a_report_with_a_photo_becomes_an_order_with_that_photo(self, tenants, in_tenant, client_for, wo):
        client = client_for(tenants.a, user=wo["nurse"])
        page = client.get("/workorders/new/").content.decode()
        assert f'<option value="{wo["ward"].pk}"' in page and 'data-building-name="东楼"' in page
        assert 'value="nurse"' in page  # the contact is the user
        response = client.post("/workorders/new/", {**report_data(wo), "photos": [png()]})
        assert response.status_code == 302
        with in_tenant(tenants.a):
            order = WorkOrder.objects.get(reporter=wo["nurse"])
            assert response["Location"] == f"/workorders/orders/{order.pk}/"
            assert (order.channel, order.trade_id, order.room_id, order.priority) == (
                WorkOrder.Channel.PORTAL,
                wo["water"].pk,
                wo["ward"].pk,
                "high",
            )
            assert (order.contact_name, order.contact_phone, order.preferred_time) == (
                "王护士",
                "13800001111",
                "下午两点后",
            )
            # Water in the east building is chen's (区域包干).
            assert (order.status, order.assignee_id) == (Status.DISPATCHED, wo["chen"].pk)
            photo = Photo.objects.get(order=order)
            assert (photo.stage, photo.name, photo.content_type) == ("report", "leak.png", "image/png")
            assert default_storage.exists(photo.key)
        page = client.get(response["Location"]).content.decode()
        assert order.number in page and 'data-stage="report"' in page
        assert "/files/" in page  # the photo through a signed URL

    def test_a_room_qr_code_fixes_the_place_and_sets_the_channel(self, tenants, in_tenant, client_for, wo):
        client = client_for(tenants.a, user=wo["nurse"])
        token = wo["ward"].qr_token
        page = client.get(f"/workorders/new/?room={token}").content.decode()
        assert 'id="fixed-place"' in page and "301 病房" in page
        assert f'name="qr" value="{token}"' in page
        assert 'name="room"' not in page  # no picker: the place is fixed
        # A posted room cannot move it elsewhere.
        response = client.post("/workorders/new/", {**report_data(wo, room=wo["lobby"].pk), "qr": token})
        assert response.status_code == 302
        with in_tenant(tenants.a):
            order = WorkOrder.objects.get(reporter=wo["nurse"])
            assert (order.room_id, order.channel) == (wo["ward"].pk, WorkOrder.Channel.QR)
        # An unknown code: said so, and the picker is offered instead.
        page = client.get("/workorders/new/?room=nonsense").content.decode()
        assert "not a room we know" in page and 'name="room"' in page

    def test_the_scan_page_offers_a_report_only_for_rooms_of_a_tenant_with_work_orders(
        self, tenants, in_tenant, client_for, wo
    ):
        anonymous = client_for(tenants.a)
        page = anonymous.get(f"/spaces/l/{wo['ward'].qr_token}/").content.decode()
        assert f'href="/workorders/new/?room={wo["ward"].qr_token}"' in page
        with in_tenant(tenants.a):
            floor_token = wo["ward"].floor.qr_token
        assert 'id="report-fault"' not in anonymous.get(f"/spaces/l/{floor_token}/").content.decode()
        set_module_enabled(tenants.a, "workorders", False, actor="tests")
        page = anonymous.get(f"/spaces/l/{wo['ward'].qr_token}/").content.decode()
        assert 'id="report-fault"' not in page
        assert client_for(tenants.a, user=wo["nurse"]).get("/workorders/new/").status_code == 404

    def test_bad_input_gets_field_errors_and_writes_nothing(self, tenants, in_tenant, client_for, wo):
        client = client_for(tenants.a, user=wo["nurse"])
        with in_tenant(tenants.a):
            files_before = stored_photos()
        with override_settings(FILE_UPLOAD_MAX_SIZE=2048):
            response = client.post(
                "/workorders/new/",
                {
                    **report_data(wo, trade="999999", room=None, description="  "),
                    "photos": [
                        png("big.png", size=(10, 10), padding=5000),
                        SimpleUploadedFile(
                            "notes.jpg", b"just some text, not a photo", content_type="image/jpeg"
                        ),
                    ],
                },
            )
        assert response.status_code == 400
        html = response.content.decode()
        errors = " ".join(errors_of(html))
        assert "Choose a kind of fault." in errors
        assert "Choose where the fault is." in errors
        assert "Say what is wrong." in errors
        assert "big.png" in errors and "the limit is" in errors
        assert "notes.jpg" in errors and "not accepted" in errors
        # The user's input is kept; the photos must be chosen again (and they are told).
        assert "王护士" in html and "13800001111" in html
        assert "choose your photos again" in html
        with in_tenant(tenants.a):
            assert not WorkOrder.objects.exists()
            assert stored_photos() == files_before

    def test_an_oversized_photo_alone_refuses_the_report(self, tenants, in_tenant, client_for, wo):
        client = client_for(tenants.a, user=wo["nurse"])
        with in_tenant(tenants.a):
            files_before = stored_photos()
        with override_settings(FILE_UPLOAD_MAX_SIZE=1024):
            response = client.post(
                "/workorders/new/", {**report_data(wo), "photos": [png(padding=3000), png("ok.png")]}
            )
        assert response.status_code == 400
        assert [e for e in errors_of(response.content.decode()) if "leak.png" in e]
        with in_tenant(tenants.a):
            assert not WorkOrder.objects.exists()
            assert stored_photos() == files_before

    def test_a_refusal_by_the_action_keeps_no_photo(self, tenants, in_tenant, client_for, wo, monkeypatch):
        """The form was fine, then the action refused (the room was closed meanwhile): the
        photos already kept are removed again and the refusal shows next to the field."""
        from modules.spaces.models import Room

        real_submit = actions.submit

        def room_closed_meanwhile(**kwargs):
            Room.objects.filter(pk=wo["ward"].pk).update(is_active=False)
            return real_submit(**kwargs)

        monkeypatch.setattr(actions, "submit", room_closed_meanwhile)
        with in_tenant(tenants.a):
            files_before = stored_photos()
        client = client_for(tenants.a, user=wo["nurse"])
        response = client.post("/workorders/new/", {**report_data(wo), "photos": [png()]})
        assert response.status_code == 400
        assert "Choose where the fault is." in errors_of(response.content.decode())
        with in_tenant(tenants.a):
            assert not WorkOrder.objects.exists()
            assert stored_photos() == files_before

    def test_the_trades_custom_fields_are_asked_checked_and_kept(
        self, tenants, in_tenant, client_for, wo, water_fields
    ):
        client = client_for(tenants.a, user=wo["nurse"])
        page = client.get("/workorders/new/").content.decode()
        assert f'data-trade="{wo["water"].pk}"' in page and 'name="custom.water.leak_kind"' in page
        # Required for water: refused next to the field, nothing written.
        response = client.post("/workorders/new/", report_data(wo))
        assert response.status_code == 400
        html = response.content.decode()
        field = html[html.index('name="custom.water.leak_kind"') :]
        assert errors_of(field)[0]  # the error sits under that field
        with in_tenant(tenants.a):
            assert not WorkOrder.objects.exists()
        # Other trades do not ask for it.
        response = client.post("/workorders/new/", report_data(wo, trade=wo["carpentry"].pk))
        assert response.status_code == 302
        response = client.post(
            "/workorders/new/",
            {**report_data(wo), "custom.water.leak_kind": "burst", "custom.water.floor_wet": "true"},
        )
        assert response.status_code == 302
        with in_tenant(tenants.a):
            order = WorkOrder.objects.get(trade=wo["water"])
            assert order.custom == {"leak_kind": "burst", "floor_wet": True}
        page = client.get(response["Location"]).content.decode()
        assert "Kind of leak" in page and "Burst pipe" in page

    def test_someone_who_may_not_report_is_refused(self, tenants, person, client_for, wo):
        viewer = person(tenants.a, "viewer", "hq_viewer")
        assert client_for(tenants.a, user=viewer).get("/workorders/new/").status_code == 403


# --- An order's page: every button -----------------------------------------------------------------


def post(client, order, what, **data):
    return client.post(f"/workorders/orders/{order.pk}/", {"do": what, **data})


def messages_of(client, order) -> str:
    return client.get(f"/workorders/orders/{order.pk}/").content.decode()


class TestButtons:
    def test_the_worker_and_the_reporter_take_an_order_through_its_life(
        self, tenants, in_tenant, client_for, wo
    ):
        with in_tenant(tenants.a):
            pipe = Item.objects.create(code="P1", name="PPR 管", unit="米", unit_cost=Decimal("12.50"))
            order = actions.submit(user=wo["nurse"], trade=wo["water"], room=wo["ward"], description="漏水")
        nurse, chen = client_for(tenants.a, user=wo["nurse"]), client_for(tenants.a, user=wo["chen"])

        page = chen.get(f"/workorders/orders/{order.pk}/").content.decode()
        assert 'id="do-take"' in page and 'id="do-verify"' not in page
        page = nurse.get(f"/workorders/orders/{order.pk}/").content.decode()
        assert 'id="do-cancel"' in page and 'id="do-take"' not in page

        assert post(chen, order, "take").status_code == 302
        # Taken twice: refused with the reason, as a message.
        post(chen, order, "take")
        assert "already taken" in messages_of(chen, order)
        assert post(chen, order, "start", stage="before", photos=[png("before.png")]).status_code == 302
        # The reporter cannot do the worker's part.
        post(nurse, order, "complete", notes="修好了", labour_minutes="30")
        with in_tenant(tenants.a):
            order.refresh_from_db()
            assert order.status == Status.IN_PROGRESS and order.responded_at is not None
            assert order.photos.filter(stage="before").count() == 1
        assert "You may not do this (workorders.work)." in messages_of(nurse, order)

        # Materials: a bad quantity is a field error; a line is added and removed.
        response = post(chen, order, "material", item=pipe.pk, quantity="-1")
        assert response.status_code == 400 and errors_of(response.content.decode())
        response = post(chen, order, "material", item=999999, quantity="1")
        assert "Choose an item of the catalogue." in errors_of(response.content.decode())
        assert post(chen, order, "material", item=pipe.pk, quantity="2").status_code == 302
        with in_tenant(tenants.a):
            line = MaterialLine.objects.get(order=order)
        assert post(chen, order, "remove_material", line=line.pk).status_code == 302
        post(chen, order, "material", item=pipe.pk, quantity="4")
        assert post(chen, order, "photos", stage="after", photos=[png("after.png")]).status_code == 302

        # Completing needs notes and labour time.
        response = post(chen, order, "complete", notes="", labour_minutes="0")
        assert response.status_code == 400 and len(errors_of(response.content.decode())) == 2
        post(chen, order, "complete", notes="更换了 4 米水管", labour_minutes="60", chargeable="on")
        with in_tenant(tenants.a):
            order.refresh_from_db()
            assert order.status == Status.COMPLETED
            assert (order.material_cost, order.labour_minutes, order.chargeable) == (
                Decimal("50.00"),
                60,
                True,
            )
            assert order.total_cost == order.material_cost + order.labour_cost
            assert list(MaterialLine.objects.filter(order=order).values_list("quantity", flat=True)) == [
                Decimal("4.00")
            ]

        # A stranger cannot verify (the order does not exist for them); a bad rating is a field error.
        stranger = client_for(tenants.a, user=wo["other"])
        assert post(stranger, order, "verify", rating="5").status_code == 404
        response = post(nurse, order, "verify", rating="7")
        assert response.status_code == 400 and "Rate from 1 to 5." in errors_of(response.content.decode())
        page = nurse.get(f"/workorders/orders/{order.pk}/").content.decode()
        assert 'id="do-verify"' in page and 'id="do-reopen"' in page
        assert post(nurse, order, "verify", rating="5", comment="很及时").status_code == 302
        with in_tenant(tenants.a):
            order.refresh_from_db()
            assert (order.status, order.rating, order.rating_comment) == (Status.VERIFIED, 5, "很及时")

        # Not fixed after all: reopened (a reason is required), back with the worker.
        response = post(nurse, order, "reopen", reason="")
        assert response.status_code == 400
        post(nurse, order, "reopen", reason="又漏了")
        post(nurse, order, "complain", text="第二次了")
        with in_tenant(tenants.a):
            order.refresh_from_db()
            assert (order.status, order.reopen_count) == (Status.DISPATCHED, 1)
            assert Complaint.objects.filter(order=order, author=wo["nurse"]).exists()
            kinds = list(order.events.values_list("kind", flat=True))
        assert kinds == [
            "submitted",
            "dispatched",
            "taken",
            "started",
            "material",
            "material_removed",
            "material",
            "photos",
            "completed",
            "verified",
            "reopened",
            "complaint",
        ]
        page = nurse.get(f"/workorders/orders/{order.pk}/").content.decode()
        assert page.count('data-kind="') >= len(kinds)

    def test_the_reporter_cancels_before_work_and_not_twice(self, tenants, in_tenant, client_for, wo):
        with in_tenant(tenants.a):
            order = actions.submit(
                user=wo["nurse"], trade=wo["carpentry"], room=wo["ward"], description="门坏了"
            )
        nurse = client_for(tenants.a, user=wo["nurse"])
        # Someone else who can see it (the desk) has no cancel button, and a POST is refused.
        desk = client_for(tenants.a, user=wo["desk"])
        assert 'id="do-cancel"' not in desk.get(f"/workorders/orders/{order.pk}/").content.decode()
        post(desk, order, "cancel")
        assert "Only the reporter" in messages_of(desk, order)
        assert post(nurse, order, "cancel", reason="自己修好了").status_code == 302
        post(nurse, order, "cancel")
        page = messages_of(nurse, order)
        assert "this cannot be done now" in page and 'id="order-stopped"' in page
        with in_tenant(tenants.a):
            order.refresh_from_db()
            assert order.status == Status.CANCELLED
            assert order.events.filter(kind="cancelled").count() == 1

    def test_an_order_awaiting_approval_links_to_its_approval(self, tenants, in_tenant, client_for, wo):
        from lowcode.workflows import actions as workflows
        from lowcode.workflows.models import Instance, WorkflowDefinition
        from modules.workorders.models import Trade

        with in_tenant(tenants.a):
            flow = WorkflowDefinition.objects.create(
                code="wo-pre",
                name="木工预审批",
                draft={
                    "steps": [
                        {
                            "key": "boss",
                            "kind": "approval",
                            "mode": "one",
                            "approvers": [{"type": "user", "id": wo["boss"].pk}],
                        }
                    ]
                },
            )
            workflows.publish(flow)
            Trade.objects.filter(code="carpentry").update(approval_workflow=flow)
        nurse = client_for(tenants.a, user=wo["nurse"])
        response = nurse.post("/workorders/new/", report_data(wo, trade=wo["carpentry"].pk))
        with in_tenant(tenants.a):
            order = WorkOrder.objects.get(reporter=wo["nurse"])
            instance = Instance.objects.get(subject_type="workorders.order", subject_id=order.pk)
        assert order.status == Status.PENDING_APPROVAL
        page = nurse.get(response["Location"]).content.decode()
        assert f'href="/workflows/requests/{instance.pk}/"' in page and 'id="order-approval-wait"' in page
        assert re.search(r'<li class="current" data-step="submitted"', page)
        # The desk sees the order but takes no part in the approval: no link.
        page = client_for(tenants.a, user=wo["desk"]).get(response["Location"]).content.decode()
        assert 'id="order-approval-wait"' in page and f"/workflows/requests/{instance.pk}/" not in page
        # Cancelling withdraws the running approval.
        post(nurse, order, "cancel")
        with in_tenant(tenants.a):
            instance.refresh_from_db()
            assert instance.status == "withdrawn"

    def test_reopening_is_offered_only_within_the_reopen_days(
        self, tenants, in_tenant, client_for, wo, time_machine
    ):
        time_machine.move_to(timezone.now(), tick=False)
        with in_tenant(tenants.a):
            order = actions.submit(user=wo["nurse"], trade=wo["water"], room=wo["ward"], description="x")
            actions.start(order, actor=wo["chen"])
            actions.complete(order, actor=wo["chen"], notes="好了", labour_minutes=10)
        page = client_for(tenants.a, user=wo["nurse"]).get(f"/workorders/orders/{order.pk}/").content.decode()
        assert 'id="do-reopen"' in page and 'id="do-verify"' in page
        time_machine.move_to(timezone.now() + dt.timedelta(days=8), tick=False)  # default: 7 days
        nurse = client_for(tenants.a, user=wo["nurse"])
        page = nurse.get(f"/workorders/orders/{order.pk}/").content.decode()
        assert 'id="do-reopen"' not in page
        post(nurse, order, "reopen", reason="又坏了")
        assert "within 7 days" in messages_of(nurse, order)
        with in_tenant(tenants.a):
            order.refresh_from_db()
            assert (order.status, order.reopen_count) == (Status.COMPLETED, 0)

    def test_an_unknown_button_changes_nothing(self, tenants, in_tenant, client_for, wo):
        with in_tenant(tenants.a):
            order = actions.submit(user=wo["nurse"], trade=wo["water"], room=wo["ward"], description="x")
        nurse = client_for(tenants.a, user=wo["nurse"])
        post(nurse, order, "delete")
        assert "Unknown action." in messages_of(nurse, order)
        with in_tenant(tenants.a):
            assert order.events.count() == 2


# --- Who sees what -----------------------------------------------------------------------------------


class TestVisibility:
    def test_a_worker_sees_their_team_but_not_another_unless_scoped(
        self, tenants, in_tenant, client_for, person, wo
    ):
        wang = person(tenants.a, "wang", "worker")
        with in_tenant(tenants.a):
            lifts = Team.objects.create(code="lift", name="电梯班")
            lifts.members.set([wang])
            ward_order = actions.submit(user=wo["nurse"], trade=wo["water"], room=wo["ward"], description="a")
            lobby_order = actions.submit(
                user=wo["nurse"], trade=wo["water"], room=wo["lobby"], description="b"
            )
            lobby_order.refresh_from_db()
            assert lobby_order.assignee_id is None  # the water team's queue
        liu, chen = client_for(tenants.a, user=wo["liu"]), client_for(tenants.a, user=wo["chen"])
        assert liu.get(f"/workorders/orders/{lobby_order.pk}/").status_code == 200  # the team's queue
        assert liu.get(f"/workorders/orders/{ward_order.pk}/").status_code == 404  # chen's
        assert chen.get(f"/workorders/orders/{ward_order.pk}/").status_code == 200
        other_team = client_for(tenants.a, user=wang)
        for order in (ward_order, lobby_order):
            assert other_team.get(f"/workorders/orders/{order.pk}/").status_code == 404
            assert other_team.get(f"/workorders/orders/{order.pk}/status/").status_code == 404
            assert post(other_team, order, "take").status_code == 404
        assert lobby_order.number not in other_team.get("/workorders/work/").content.decode()
        # A role whose scope reaches the west building: wang sees the lobby's order only.
        with in_tenant(tenants.a):
            west = Role.objects.create(
                code="west-viewer",
                name="西楼查看",
                permissions=["workorders.view"],
                data_scope=DataScope.ALL,
                building_ids=[wo["lobby"].floor.building_id],
            )
            wang.roles.add(west)
        other_team = client_for(tenants.a, user=wang)
        assert other_team.get(f"/workorders/orders/{lobby_order.pk}/").status_code == 200
        assert other_team.get(f"/workorders/orders/{ward_order.pk}/").status_code == 404
        # Seeing is not working on it.
        post(other_team, lobby_order, "take")
        with in_tenant(tenants.a):
            lobby_order.refresh_from_db()
            assert lobby_order.responded_at is None
        page = other_team.get(f"/workorders/orders/{lobby_order.pk}/").content.decode()
        assert 'id="do-take"' not in page

    def test_other_tenants_never_reach_an_order(
        self, tenants, in_tenant, client_for, tenant_admin, person, wo
    ):
        with in_tenant(tenants.b):
            campus = spaces.create_campus(code="B", name="乙校区")
            building = spaces.create_building(campus=campus, code="LIB", name="图书馆")
            floor = spaces.create_floor(building=building, level=1, code="1F", name="一层")
            reading = spaces.create_room(floor=floor, code="R1", name="阅览室")
            from modules.workorders.models import Trade

            b_order = actions.submit(
                user=tenant_admin(tenants.b),
                trade=Trade.objects.get(code="water"),
                room=reading,
                description="乙",
            )
        with in_tenant(tenants.a):
            a_order = actions.submit(user=wo["nurse"], trade=wo["water"], room=wo["ward"], description="甲")
            while a_order.pk == b_order.pk:  # separate schemas, separate sequences
                a_order = actions.submit(
                    user=wo["nurse"], trade=wo["water"], room=wo["ward"], description="甲"
                )
        b_student = person(tenants.b, "student", "end_user")
        for user in (tenant_admin(tenants.b), b_student):
            client = client_for(tenants.b, user=user)
            assert client.get(f"/workorders/orders/{a_order.pk}/").status_code == 404
            assert client.get(f"/workorders/orders/{a_order.pk}/status/").status_code == 404
            assert post(client, a_order, "cancel").status_code == 404
            for listing in ("/workorders/mine/", "/workorders/work/", "/workorders/mine/status/"):
                assert a_order.number not in client.get(listing).content.decode()
        admin_b = client_for(tenants.b, user=tenant_admin(tenants.b))
        assert b_order.number in admin_b.get("/workorders/mine/").content.decode()
        assert admin_b.get(f"/workorders/orders/{b_order.pk}/").status_code == 200
        # A's session does not open B's order either.
        nurse = client_for(tenants.a, user=wo["nurse"])
        html = nurse.get(f"/workorders/orders/{b_order.pk}/").content.decode()
        assert b_order.number not in html
        with in_tenant(tenants.a):
            a_order.refresh_from_db()
            assert a_order.status == Status.DISPATCHED


# --- Lists -------------------------------------------------------------------------------------------------


class TestLists:
    def test_the_workers_page_lists_their_jobs_with_counts_and_overdue(
        self, tenants, in_tenant, client_for, wo, time_machine
    ):
        time_machine.move_to(timezone.now(), tick=False)
        with in_tenant(tenants.a):
            mine = actions.submit(user=wo["nurse"], trade=wo["water"], room=wo["ward"], description="甲")
            queued = actions.submit(user=wo["nurse"], trade=wo["water"], room=wo["lobby"], description="乙")
            board = actions.submit(user=wo["nurse"], trade=wo["carpentry"], room=wo["ward"], description="丙")
            actions.take(mine, actor=wo["chen"])
            actions.start(mine, actor=wo["chen"])
        chen = client_for(tenants.a, user=wo["chen"])
        html = chen.get("/workorders/work/").content.decode()
        assert mine.number in html and queued.number in html
        assert f"/workorders/orders/{mine.pk}/" in html and f"/workorders/orders/{queued.pk}/" in html
        assert f"/workorders/orders/{board.pk}/" not in html  # on the desk's board
        assert 'data-count="all">2<' in html and 'data-count="in_progress">1<' in html
        assert 'data-count="new">1<' in html and 'data-count="overdue">0<' in html
        # Three hours later the queued order has missed its response target (normal: 2 h).
        time_machine.move_to(timezone.now() + dt.timedelta(hours=3), tick=False)
        chen = client_for(tenants.a, user=wo["chen"])  # signed in again: the idle session ended
        html = chen.get("/workorders/work/").content.decode()
        assert 'data-count="overdue">1<' in html
        assert re.search(rf'class="wo-job overdue" data-order="{queued.pk}"', html)
        # The nurse is no worker: an empty list, and a word about it.
        html = client_for(tenants.a, user=wo["nurse"]).get("/workorders/work/").content.decode()
        assert 'id="no-jobs"' in html and "not a worker" in html

    def test_my_requests_with_live_status(self, tenants, in_tenant, client_for, wo):
        with in_tenant(tenants.a):
            first = actions.submit(user=wo["nurse"], trade=wo["water"], room=wo["ward"], description="甲")
            actions.submit(user=wo["other"], trade=wo["water"], room=wo["ward"], description="别人的")
        nurse = client_for(tenants.a, user=wo["nurse"])
        html = nurse.get("/workorders/mine/").content.decode()
        assert first.number in html and html.count('class="wo-job"') == 1
        assert 'data-status-url="/workorders/mine/status/"' in html
        with in_tenant(tenants.a):
            actions.take(first, actor=wo["chen"])
            actions.start(first, actor=wo["chen"])
        live = nurse.get("/workorders/mine/status/").json()
        assert live["orders"] == [{"id": first.pk, "status": "in_progress", "label": "In progress"}]
        assert nurse.get(f"/workorders/orders/{first.pk}/status/").json()["status"] == "in_progress"

    def test_the_portal_home_offers_reporting(self, tenants, client_for, wo):
        html = client_for(tenants.a, user=wo["nurse"]).get("/").content.decode()
        assert 'href="/workorders/new/"' in html and 'href="/workorders/work/"' in html
