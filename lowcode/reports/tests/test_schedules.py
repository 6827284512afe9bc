"""E-mail schedules of saved reports: per-field validation that writes nothing, who may schedule,
the next sending time in the organisation's time zone (across month and year ends), sending
each due schedule exactly once with its file, the owner's data scope governing the content,
an owner without access getting nothing sent, tenant isolation, the periodic job and the
console screens."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import dramatiq
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from identity import actions as identity
from identity.defaults import root_department
from identity.models import Department, Role, User
from kernel import modules
from lowcode.reports import actions, schedules
from lowcode.reports.models import SavedReport, Schedule
from modules.workorders.models import Trade, WorkOrder
from tenants.models import Tenant

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
BY_DEPARTMENT = {"dataset": "workorders.orders", "group_by": ["department"], "measures": ["count"]}


def at(*parts) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=SHANGHAI)


@pytest.fixture
def setup(tenants, in_tenant, wo, person, tenant_admin):
    """A medical department (with orthopaedics under it) and surgery; 2 + 1 + 3 orders; the
    medical head (an approver) owns a report of orders by department."""
    with in_tenant(tenants.a):
        medical = identity.create_department(Department(code="MED", name="医务部"), parent=root_department())
        ortho = identity.create_department(Department(code="ORTHO", name="骨科"), parent=medical)
        surgery = identity.create_department(Department(code="SURG", name="外科"), parent=root_department())
    head = person(tenants.a, "med-head", "approver", department=medical, email="head@a.test")
    admin = tenant_admin(tenants.a)
    with in_tenant(tenants.a):
        User.objects.filter(pk=admin.pk).update(email="admin@a.test")
        admin.refresh_from_db()
        water = Trade.objects.get(code="water")
        room = wo["ward"]
        WorkOrder.objects.bulk_create(
            WorkOrder(
                number=f"SCH{i:04d}",
                trade=water,
                priority="normal",
                room=room,
                building_id=room.floor.building_id,
                description="x",
                department=department,
                submitted_at=timezone.now(),
                status="dispatched",
            )
            for i, department in enumerate([medical, medical, ortho, surgery, surgery, surgery])
        )
        report = actions.save_report(
            SavedReport(name="各部门工单", spec=BY_DEPARTMENT, view="table"), user=head
        )
    return {**wo, "head": head, "admin": admin, "report": report, "medical": medical, "surgery": surgery}


def make(report, owner, recipients, **fields):
    values = {"frequency": "daily", "hour": 8, "format": "csv", **fields}
    return schedules.save_schedule(Schedule(report=report, **values), user=owner, recipients=recipients)


def csv_of(message) -> list[list[str]]:
    (name, content, mimetype) = message.attachments[0]
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


# --- Validation and permission -----------------------------------------------------------------


def test_each_bad_field_is_named_and_nothing_is_written(tenants, in_tenant, setup, person):
    head, report = setup["head"], setup["report"]
    gone = person(tenants.a, "gone", "dispatcher", email="gone@a.test")
    with in_tenant(tenants.a):
        identity.deactivate_user(gone)
        cases = [
            (
                {"frequency": "weekly", "weekday": 7, "hour": 24, "format": "doc"},
                [],
                {"weekday", "hour", "format", "recipients"},
            ),
            ({"frequency": "hourly"}, [head], {"frequency"}),
            ({"frequency": "weekly", "weekday": None}, [head], {"weekday"}),
            ({"frequency": "monthly", "day_of_month": 29}, [head], {"day_of_month"}),
            ({"frequency": "monthly", "day_of_month": "x"}, [head], {"day_of_month"}),
            ({"hour": "-1"}, [head], {"hour"}),
            ({}, [head, gone], {"recipients"}),  # not active
            ({}, [head.pk, 10**9], {"recipients"}),  # no such person here (another tenant's id)
            ({}, ["head"], {"recipients"}),
        ]
        for fields, recipients, expected in cases:
            with pytest.raises(ValidationError) as caught:
                make(report, head, recipients, **fields)
            assert set(caught.value.message_dict) == expected, fields
        assert not Schedule.objects.exists()
        # Good values, given as the form sends them (text), are read as numbers.
        saved = make(
            report, head, [str(head.pk)], frequency="monthly", day_of_month="28", hour="7", weekday="3"
        )
        assert (saved.day_of_month, saved.hour, saved.weekday) == (28, 7, None)  # weekday: not weekly
        assert saved.owner_id == head.pk and list(saved.recipients.all()) == [head]


def test_who_may_schedule_a_report(tenants, in_tenant, setup, person):
    head, report = setup["head"], setup["report"]
    reader = person(tenants.a, "reader", "end_user")
    with in_tenant(tenants.a):
        with pytest.raises(PermissionDenied):  # no reports.add
            make(report, reader, [reader])
        with pytest.raises(PermissionDenied):  # cannot see the head's report
            make(report, setup["desk"], [setup["desk"]])
        assert not Schedule.objects.exists()
        mine = make(report, head, [head])
        mine.hour = 9
        with pytest.raises(PermissionDenied):  # only the owner changes it
            schedules.save_schedule(Schedule.objects.get(pk=mine.pk), user=setup["desk"], recipients=[head])
        with pytest.raises(PermissionDenied):  # nor deletes it (without reports.view_all)
            schedules.delete_schedule(mine, user=setup["desk"])
        schedules.delete_schedule(mine, user=setup["admin"])  # an administrator does
        assert not Schedule.objects.exists()


# --- When ----------------------------------------------------------------------------------------


def test_next_run_daily_weekly_monthly_in_the_organisations_time(tenants, in_tenant, setup, time_machine):
    with in_tenant(tenants.a):
        daily = Schedule(frequency="daily", hour=8)
        assert schedules.next_run(daily, at(2026, 1, 31, 7, 59)) == at(2026, 1, 31, 8)
        assert schedules.next_run(daily, at(2026, 1, 31, 8)) == at(2026, 2, 1, 8)  # strictly after
        assert schedules.next_run(daily, at(2026, 12, 31, 9)) == at(2027, 1, 1, 8)
        # 23:30 UTC on 31 May is 07:30 on 1 June in Shanghai; 00:30 UTC on 1 June is 08:30 there.
        assert schedules.next_run(daily, dt.datetime(2026, 5, 31, 23, 30, tzinfo=dt.UTC)) == at(2026, 6, 1, 8)
        assert schedules.next_run(daily, dt.datetime(2026, 6, 1, 0, 30, tzinfo=dt.UTC)) == at(2026, 6, 2, 8)

        weekly = Schedule(frequency="weekly", weekday=0, hour=8)  # Mondays
        assert schedules.next_run(weekly, at(2026, 5, 31, 12)) == at(2026, 6, 1, 8)  # Sunday → Monday
        assert schedules.next_run(weekly, at(2026, 6, 1, 8)) == at(2026, 6, 8, 8)
        assert schedules.next_run(weekly, at(2026, 12, 29, 8)) == at(2027, 1, 4, 8)

        monthly = Schedule(frequency="monthly", day_of_month=28, hour=23)
        assert schedules.next_run(monthly, at(2026, 2, 27)) == at(2026, 2, 28, 23)
        assert schedules.next_run(monthly, at(2026, 12, 28, 23)) == at(2027, 1, 28, 23)
        first = Schedule(frequency="monthly", day_of_month=1, hour=0)
        # 16:30 UTC on 31 January is 00:30 on 1 February in Shanghai: March is next.
        assert schedules.next_run(first, dt.datetime(2026, 1, 31, 16, 30, tzinfo=dt.UTC)) == at(2026, 3, 1, 0)

        # Saving sets the first time from now.
        time_machine.move_to(at(2026, 3, 31, 23, 30), tick=False)
        saved = make(
            setup["report"], setup["head"], [setup["head"]], frequency="monthly", day_of_month=1, hour=6
        )
        assert saved.next_run_at == at(2026, 4, 1, 6)
        paused = make(setup["report"], setup["head"], [setup["head"]], active=False)
        assert paused.next_run_at is None
    # Another organisation's clock: London.
    Tenant.objects.filter(pk=tenants.b.pk).update(time_zone="Europe/London")
    with in_tenant(tenants.b):
        london = schedules.next_run(daily, at(2026, 6, 1, 12))  # 05:00 in London
        assert london == dt.datetime(2026, 6, 1, 8, tzinfo=ZoneInfo("Europe/London"))


# --- Sending ---------------------------------------------------------------------------------------


def test_a_due_schedule_is_sent_once_with_the_owners_figures(
    tenants, in_tenant, setup, time_machine, mailoutbox
):
    head, admin = setup["head"], setup["admin"]
    time_machine.move_to(at(2026, 5, 31, 20), tick=False)
    with in_tenant(tenants.a):
        schedule = make(setup["report"], head, [admin, head])
        assert schedule.next_run_at == at(2026, 6, 1, 8)
        assert schedules.send_due(at(2026, 6, 1, 7, 59)) == 0 and mailoutbox == []
        assert schedules.send_due(at(2026, 6, 1, 8)) == 1
        assert schedules.send_due(at(2026, 6, 1, 8, 1)) == 0  # not again
        schedule.refresh_from_db()
    assert schedule.last_sent_at == at(2026, 6, 1, 8) and schedule.last_error == ""
    assert schedule.next_run_at == at(2026, 6, 2, 8)
    assert sorted(m.to[0] for m in mailoutbox) == ["admin@a.test", "head@a.test"]
    for message in mailoutbox:
        name, _content, mimetype = message.attachments[0]
        assert name == f"report-{setup['report'].pk}.csv" and mimetype.startswith("text/csv")
        assert "各部门工单" in message.subject
        from email.header import decode_header, make_header

        assert str(make_header(decode_header(message.from_email))).startswith("甲医院 <")
        # The head's scope, even in the administrator's copy: her subtree only.
        rows = {line[0]: line[1] for line in csv_of(message)[1:]}
        assert rows == {"医务部": "2", "骨科": "1"}
        assert f"/console/reports/{setup['report'].pk}/" in message.alternatives[0][0]
    # The administrator's own run of the same report counts surgery too.
    with in_tenant(tenants.a):
        from lowcode.reports.compiler import run

        everything = run(BY_DEPARTMENT, principal=admin)
    assert sum(r["count"] for r in everything.rows) == 6


def test_pdf_and_xlsx_schedules_attach_their_format(tenants, in_tenant, setup, time_machine, mailoutbox):
    time_machine.move_to(at(2026, 5, 31, 20), tick=False)
    with in_tenant(tenants.a):
        make(setup["report"], setup["head"], [setup["head"]], format="pdf")
        make(setup["report"], setup["head"], [setup["head"]], format="xlsx", frequency="weekly", weekday=0)
        assert schedules.send_due(at(2026, 6, 1, 8)) == 2  # Monday 1 June: both due
    kinds = sorted(m.attachments[0][2] for m in mailoutbox)
    assert kinds == ["application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
    pdf = next(m.attachments[0][1] for m in mailoutbox if m.attachments[0][2] == "application/pdf")
    assert pdf.startswith(b"%PDF-")


def test_an_owner_without_access_gets_nothing_sent(
    tenants, in_tenant, setup, person, time_machine, mailoutbox
):
    head, admin = setup["head"], setup["admin"]
    other = person(tenants.a, "med-2", "approver", department=setup["medical"], email="m2@a.test")
    time_machine.move_to(at(2026, 5, 31, 20), tick=False)
    with in_tenant(tenants.a):
        report = actions.save_report(SavedReport(name="医务部的", spec=BY_DEPARTMENT), user=other)
        inactive = make(setup["report"], head, [admin])
        no_role = make(report, other, [admin])
        identity.deactivate_user(User.objects.get(pk=head.pk))
        identity.save_user(User.objects.get(pk=other.pk), roles=[Role.objects.get(code="end_user")])
        assert schedules.send_due(at(2026, 6, 1, 8)) == 0
        inactive.refresh_from_db()
        no_role.refresh_from_db()
    assert mailoutbox == []
    assert "no longer active" in inactive.last_error and inactive.last_sent_at is None
    assert "no longer view" in no_role.last_error
    assert inactive.next_run_at == at(2026, 6, 2, 8)  # tried again next time, not every 5 minutes


def test_another_tenants_job_never_sends_this_tenants_schedules(
    tenants, in_tenant, setup, time_machine, mailoutbox
):
    time_machine.move_to(at(2026, 5, 31, 20), tick=False)
    with in_tenant(tenants.a):
        schedule = make(setup["report"], setup["head"], [setup["head"]])
    with in_tenant(tenants.b):
        assert schedules.send_due(at(2026, 6, 1, 9)) == 0
        assert not Schedule.objects.exists()
    assert mailoutbox == []
    with in_tenant(tenants.a):
        assert Schedule.objects.get(pk=schedule.pk).next_run_at == at(2026, 6, 1, 8)  # still due
        assert schedules.send_due(at(2026, 6, 1, 9)) == 1
    assert len(mailoutbox) == 1


def test_the_periodic_job_every_five_minutes(tenants, in_tenant, setup, time_machine, mailoutbox):
    from lowcode.reports import tasks

    jobs = {job.actor: (spec.key, job) for spec, job in modules.periodic_jobs()}
    key, job = jobs["reports.send_due"]
    assert key == "reports" and job.every == dt.timedelta(minutes=5)
    assert dramatiq.get_broker().get_actor("reports.send_due") is tasks.send_due
    time_machine.move_to(at(2026, 5, 31, 20), tick=False)
    with in_tenant(tenants.a):
        make(setup["report"], setup["head"], [setup["head"]])
    time_machine.move_to(at(2026, 6, 1, 8, 5), tick=False)
    with in_tenant(tenants.a):
        tasks.send_due.fn()
    assert len(mailoutbox) == 1


# --- Console ---------------------------------------------------------------------------------------


def test_the_console_screens(tenants, in_tenant, setup, client_for, tenant_admin):
    desk, desk2 = setup["desk"], setup["desk2"]
    with in_tenant(tenants.a):
        report = actions.save_report(SavedReport(name="按部门", spec=BY_DEPARTMENT), user=desk)
    client = client_for(tenants.a, desk)
    base = f"/console/reports/{report.pk}/schedules/"
    page = client.get(base)
    assert page.status_code == 200 and f"{base}new/".encode() in page.content
    form = client.get(f"{base}new/")
    assert form.status_code == 200 and b'name="recipients"' in form.content
    bad = client.post(f"{base}new/", {"frequency": "weekly", "hour": "25", "format": "pdf", "active": "on"})
    assert bad.status_code == 200
    for field in ("weekday", "hour", "recipients"):
        assert f'data-error="{field}"'.encode() in bad.content
    with in_tenant(tenants.a):
        assert not Schedule.objects.exists()
    good = client.post(
        f"{base}new/",
        {
            "frequency": "weekly",
            "weekday": "4",
            "hour": "17",
            "format": "pdf",
            "recipients": [str(desk.pk), str(desk2.pk)],
            "active": "on",
        },
    )
    assert good.status_code == 302
    with in_tenant(tenants.a):
        schedule = Schedule.objects.get()
    assert (schedule.owner_id, schedule.weekday, schedule.hour, schedule.format) == (desk.pk, 4, 17, "pdf")
    assert schedule.next_run_at is not None
    assert f'data-schedule="{schedule.pk}"'.encode() in client.get(base).content
    edit = client.post(
        f"/console/reports/schedules/{schedule.pk}/",
        {"frequency": "daily", "hour": "6", "format": "csv", "recipients": [str(desk.pk)]},
    )
    assert edit.status_code == 302
    with in_tenant(tenants.a):
        schedule.refresh_from_db()
    assert (schedule.frequency, schedule.weekday, schedule.active) == ("daily", None, False)

    # A colleague who cannot see the report, and another tenant, reach nothing.
    other = client_for(tenants.a, desk2)
    assert other.get(base).status_code == 404
    assert other.get(f"/console/reports/schedules/{schedule.pk}/").status_code == 404
    assert other.post(f"/console/reports/schedules/{schedule.pk}/delete/").status_code == 404
    far = client_for(tenants.b, tenant_admin(tenants.b))
    assert far.get(base).status_code == 404
    assert far.post(f"/console/reports/schedules/{schedule.pk}/delete/").status_code == 404
    with in_tenant(tenants.a):
        assert Schedule.objects.filter(pk=schedule.pk).exists()
    assert client.post(f"/console/reports/schedules/{schedule.pk}/delete/").status_code == 302
    with in_tenant(tenants.a):
        assert not Schedule.objects.exists()
