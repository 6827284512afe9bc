"""Console screens of a saved report's e-mail schedules: the list, the form, deleting."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from identity.access import has_code
from identity.models import User
from lowcode.reports import schedules
from lowcode.reports.console_views import _visible
from lowcode.reports.models import Schedule


def _weekdays():
    return [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]


def schedule_list(request, pk):
    report = _visible(request, pk)
    return render(
        request,
        "lowcode_reports/console/schedules.html",
        {
            "page_title": _("E-mail schedules: %(name)s") % {"name": report.display_name},
            "report": report,
            "schedules": schedules.visible_schedules(request.user, report).prefetch_related("recipients"),
            "can_add": has_code(request.user, "reports.add"),
            "weekdays": dict(_weekdays()),
        },
    )


def schedule_edit(request, pk=None, schedule_id=None):
    if schedule_id is not None:
        schedule = get_object_or_404(
            Schedule.objects.select_related("report"), pk=schedule_id, owner_id=request.user.pk
        )
        report = _visible(request, schedule.report_id)
    else:
        report = _visible(request, pk)
        schedule = Schedule(report=report)
    if not has_code(request.user, "reports.add"):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if request.method == "POST":
        post = request.POST
        schedule.frequency = post.get("frequency", "")
        schedule.weekday = post.get("weekday", "")
        schedule.day_of_month = post.get("day_of_month", "")
        schedule.hour = post.get("hour", "")
        schedule.format = post.get("format", "")
        schedule.active = post.get("active") == "on"
        recipients = post.getlist("recipients")
        try:
            schedules.save_schedule(schedule, user=request.user, recipients=recipients)
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                errors["form" if field == "__all__" else field] = " ".join(problems)
        else:
            messages.success(request, _("Schedule saved."))
            return redirect("lowcode_reports_schedules", pk=report.pk)
        chosen = [int(r) for r in recipients if str(r).isdigit()]
    else:
        chosen = list(schedule.recipients.values_list("pk", flat=True)) if schedule.pk else [request.user.pk]
    return render(
        request,
        "lowcode_reports/console/schedule_edit.html",
        {
            "page_title": (_("E-mail schedule: %(name)s") % {"name": report.display_name}),
            "report": report,
            "schedule": schedule,
            "errors": errors,
            "chosen": chosen,
            "frequencies": Schedule.Frequency.choices,
            "formats": Schedule.Format.choices,
            "weekdays": _weekdays(),
            "days": range(1, 29),
            "hours": range(24),
            "people": User.objects.filter(is_active=True).order_by("full_name", "username"),
        },
    )


def schedule_delete(request, schedule_id):
    if request.method != "POST":
        raise Http404
    schedule = get_object_or_404(schedules.visible_schedules(request.user), pk=schedule_id)
    report = _visible(request, schedule.report_id)
    schedules.delete_schedule(schedule, user=request.user)
    messages.success(request, _("Schedule deleted."))
    return redirect("lowcode_reports_schedules", pk=report.pk)
