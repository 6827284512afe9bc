"""Time limits in business hours, reminders before, escalation after — with frozen clocks."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kernel.calendar import add_business_hours
from kernel.models import BusinessCalendar, OutboxEvent
from lowcode.workflows import actions
from lowcode.workflows.models import Instance, Task
from lowcode.workflows.tests.helpers import approval, begin, pending, users

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day, hour, minute=0):
    return dt.datetime(2026, 10, day, hour, minute, tzinfo=SHANGHAI)


class TestCalendar:
    def test_hours_skip_nights_weekends_and_holidays_and_count_swapped_days(self, tenants, in_tenant):
        with in_tenant(tenants.a):
            cal = BusinessCalendar(
                holidays=["2026-10-01", "2026-10-02", "2026-10-05"],
                extra_working_days=["2026-10-10"],  # a Saturday worked (调休)
            )
            # Wed 30 Sep 16:30 + 3 h: 1 h that day, then the holiday, weekend, holiday → Tue 6 Oct 10:00.
            start = dt.datetime(2026, 9, 30, 16, 30, tzinfo=SHANGHAI)
            assert add_business_hours(start, 3, cal) == at(6, 10)
            # Fri 9 Oct 17:00 + 1 h: half an hour, then Saturday 10 Oct is worked.
            assert add_business_hours(at(9, 17), 1, cal) == at(10, 8, 30)
            # Before opening time: counting starts when the day does.
            assert add_business_hours(at(12, 6), 2, cal) == at(12, 10)

    def test_a_calendar_without_working_time_is_refused(self, tenants, in_tenant):
        with in_tenant(tenants.a), pytest.raises(ValueError):
            add_business_hours(at(12, 9), 1, BusinessCalendar(working_weekdays=[]))


def timed(key, people, **limits):
    return approval(key, users(*people), time_limit_hours=8, remind_before_hours=2, **limits)


class TestSweep:
    def start_on_monday_morning(self, tenants, in_tenant, org, flow, monkeypatch, **limits):
        workflow = flow({"steps": [timed("a", [org["s0"].pk], **limits)]})
        monkeypatch.setattr("django.utils.timezone.now", lambda: at(12, 9))  # Monday 09:00
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
        monkeypatch.undo()
        return instance

    def test_a_limit_spans_the_night(self, tenants, in_tenant, org, flow, monkeypatch):
        workflow = flow({"steps": [approval("a", users(org["s0"].pk), time_limit_hours=12)]})
        monkeypatch.setattr("django.utils.timezone.now", lambda: at(12, 9))
        with in_tenant(tenants.a):
            instance = begin(workflow, org["nurse"])
        monkeypatch.undo()
        with in_tenant(tenants.a):
            [task] = pending(instance)
            # 8.5 h on Monday, then 3.5 h from 08:00 on Tuesday.
            assert (task.due_at, task.remind_at) == (at(13, 11, 30), None)

    def test_deadline_reminder_then_the_supervisor_is_told(self, tenants, in_tenant, org, flow, monkeypatch):
        instance = self.start_on_monday_morning(tenants, in_tenant, org, flow, monkeypatch)
        with in_tenant(tenants.a):
            [task] = pending(instance)
            # 8 working hours from Monday 09:00 (the day ends at 17:30): Monday 17:00; reminder 2 h before.
            assert task.due_at == at(12, 17) and task.remind_at == at(12, 15)
            assert actions.sweep(now=at(12, 14)) == {"reminded": 0, "escalated": 0}
            assert actions.sweep(now=at(12, 15, 5)) == {"reminded": 1, "escalated": 0}
            assert actions.sweep(now=at(12, 15, 6)) == {"reminded": 0, "escalated": 0}  # once
            assert actions.sweep(now=at(12, 17, 1)) == {"reminded": 0, "escalated": 1}
            assert actions.sweep(now=at(12, 17, 30)) == {"reminded": 0, "escalated": 0}  # once
            overdue = OutboxEvent.objects.get(
                topic="notification.requested", payload__kind="workflows.overdue"
            )
            assert overdue.payload["recipients"] == [org["zhao"].pk]  # s0 works at the desk, headed by zhao
            assert pending(instance) == [task]  # still theirs to decide

    @pytest.mark.parametrize("how, status", [("approve", "approved"), ("reject", "rejected")])
    def test_auto_decision_after_the_limit(self, tenants, in_tenant, org, flow, monkeypatch, how, status):
        instance = self.start_on_monday_morning(tenants, in_tenant, org, flow, monkeypatch, on_timeout=how)
        with in_tenant(tenants.a):
            actions.sweep(now=at(14, 12))
            instance.refresh_from_db()
            assert instance.status == status
            assert instance.log.filter(kind=f"auto_{how}").exists()

    def test_reassign_to_an_administrator(self, tenants, in_tenant, org, flow, monkeypatch):
        instance = self.start_on_monday_morning(
            tenants, in_tenant, org, flow, monkeypatch, on_timeout="reassign"
        )
        with in_tenant(tenants.a):
            actions.sweep(now=at(14, 12))
            [task] = pending(instance)
            assert (task.assignee_id, task.on_behalf_of_id) == (org["admin"].pk, org["s0"].pk)
            assert Instance.objects.get(pk=instance.pk).status == Instance.Status.RUNNING
            assert Task.objects.filter(instance=instance, status=Task.Status.DELEGATED).count() == 1


class TestCalendarScreen:
    def test_administrators_edit_it_and_deadlines_follow(
        self, tenants, in_tenant, client_for, tenant_admin, org
    ):
        admin = client_for(tenants.a, user=tenant_admin(tenants.a))
        assert 'id="calendar-form"' in admin.get("/console/calendar/").content.decode()
        bad = admin.post(
            "/console/calendar/",
            {"working_weekdays": ["0"], "day_starts": "18:00", "day_ends": "09:00", "holidays": "2026-13-01"},
        )
        html = bad.content.decode()
        assert bad.status_code == 200 and "2026-13-01" in html and 'class="errors"' in html
        with in_tenant(tenants.a):
            assert not BusinessCalendar.objects.exists()
        saved = admin.post(
            "/console/calendar/",
            {
                "working_weekdays": ["0", "1", "2", "3", "4"],
                "day_starts": "09:00",
                "day_ends": "17:00",
                "holidays": "2026-10-13\n2026-10-12",
                "extra_working_days": "",
            },
        )
        assert saved.status_code == 302
        with in_tenant(tenants.a):
            cal = BusinessCalendar.objects.get()
            assert cal.holidays == ["2026-10-12", "2026-10-13"]
            # Monday 12 and Tuesday 13 are holidays now: Friday 16:00 + 2 h → Wednesday 10:00.
            assert add_business_hours(at(9, 16), 2) == at(14, 10)

    def test_people_without_the_permission_cannot(self, tenants, client_for, org):
        response = client_for(tenants.a, user=org["zhao"]).get("/console/calendar/")
        assert 'id="calendar-form"' not in response.content.decode()
