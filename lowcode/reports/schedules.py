"""Saved reports sent by e-mail on a schedule (daily, weekly, monthly at an hour of the
organisation's time).

- `save_schedule` / `delete_schedule`: the only writes (permission, per-field validation,
  nothing written on error, outbox events).
- `next_run(schedule, after)`: the next sending time after a moment, in the tenant's zone.
- `send_due(now)`: the periodic job (tasks.py, every 5 minutes per tenant) claims each due
  schedule (row lock, skip locked: two workers never send the same one), runs the report AS
  ITS OWNER — the recipients see the owner's data scope, never more — and e-mails the file to
  each active recipient in their language, with the tenant's branded sender and footer. An
  owner who can no longer see the report gets nothing sent; `last_error` says why.
"""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import formataddr

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from identity.access import has_code
from identity.actions import require
from kernel import outbox
from lowcode.reports import actions, compiler, output
from lowcode.reports.models import Schedule

log = logging.getLogger(__name__)

MAX_RECIPIENTS = 50


# --- When -------------------------------------------------------------------------------------


def _at(day: dt.date, hour: int, zone) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), zone)


def next_run(schedule: Schedule, after: dt.datetime) -> dt.datetime:
    """The first sending time strictly after `after`, in the organisation's time zone."""
    zone = output.local_zone()
    local = after.astimezone(zone)
    hour = schedule.hour
    if schedule.frequency == Schedule.Frequency.DAILY:
        moment = _at(local.date(), hour, zone)
        if moment <= local:
            moment = _at(local.date() + dt.timedelta(days=1), hour, zone)
        return moment
    if schedule.frequency == Schedule.Frequency.WEEKLY:
        ahead = (schedule.weekday - local.weekday()) % 7
        moment = _at(local.date() + dt.timedelta(days=ahead), hour, zone)
        if moment <= local:
            moment = _at(local.date() + dt.timedelta(days=ahead + 7), hour, zone)
        return moment
    if schedule.frequency == Schedule.Frequency.MONTHLY:
        moment = _at(local.date().replace(day=schedule.day_of_month), hour, zone)
        if moment <= local:
            year, month = divmod(local.month, 12)  # the next month: (year + 1, 1) after December
            moment = _at(dt.date(local.year + year, month + 1, schedule.day_of_month), hour, zone)
        return moment
    raise ValueError(f"unknown frequency {schedule.frequency!r}")


# --- Writes -----------------------------------------------------------------------------------


def _whole(value, low: int, high: int, field: str, errors: dict, message: str):
    """A whole number from `low` to `high` (also given as text), or an error on `field`."""
    if isinstance(value, str):
        value = value.strip()
        if value.lstrip("-").isdigit():
            value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[field] = ValidationError(message, code="invalid")
        return None
    return value


def _recipients(recipients, errors: dict) -> list:
    from identity.models import User

    ids = []
    for item in recipients or []:
        pk = getattr(item, "pk", item)
        if isinstance(pk, str) and pk.strip().isdigit():
            pk = int(pk)
        if isinstance(pk, bool) or not isinstance(pk, int):
            errors["recipients"] = ValidationError(_("Choose people of the organisation."), code="invalid")
            return []
        if pk not in ids:
            ids.append(pk)
    if not ids:
        errors["recipients"] = ValidationError(_("Choose at least one recipient."), code="required")
        return []
    if len(ids) > MAX_RECIPIENTS:
        errors["recipients"] = ValidationError(
            _("At most %(n)s recipients.") % {"n": MAX_RECIPIENTS}, code="too_many"
        )
        return []
    found = list(User.objects.filter(pk__in=ids, is_active=True))
    if len(found) != len(ids):
        errors["recipients"] = ValidationError(
            _("Recipients must be active people of the organisation."), code="invalid"
        )
        return []
    return found


def save_schedule(schedule: Schedule, *, user, recipients) -> Schedule:
    """Create or change a schedule of a report the user can see; they become (or must be) its
    owner, so it runs with their data scope. Bad fields → ValidationError per field, nothing
    written."""
    require(user, "reports.add")
    creating = schedule._state.adding
    if not creating and schedule.owner_id != user.pk:
        raise PermissionDenied(_("Only the owner changes a schedule."))
    errors: dict = {}
    report_id = schedule.report_id
    if report_id is None or not actions.visible_reports(user).filter(pk=report_id).exists():
        raise PermissionDenied(_("You cannot see this report."))
    if schedule.frequency not in Schedule.Frequency.values:
        errors["frequency"] = ValidationError(_("Choose daily, weekly or monthly."), code="invalid")
    if schedule.frequency == Schedule.Frequency.WEEKLY:
        schedule.weekday = _whole(
            schedule.weekday, 0, 6, "weekday", errors, _("A weekday from 0 (Monday) to 6 (Sunday).")
        )
    else:
        schedule.weekday = None
    if schedule.frequency == Schedule.Frequency.MONTHLY:
        schedule.day_of_month = _whole(
            schedule.day_of_month, 1, 28, "day_of_month", errors, _("A day of the month from 1 to 28.")
        )
    else:
        schedule.day_of_month = None
    schedule.hour = _whole(schedule.hour, 0, 23, "hour", errors, _("An hour from 0 to 23."))
    if schedule.format not in Schedule.Format.values:
        errors["format"] = ValidationError(_("Choose XLSX, CSV or PDF."), code="invalid")
    people = _recipients(recipients, errors)
    if errors:
        raise ValidationError(errors)
    schedule.owner = user
    schedule.next_run_at = next_run(schedule, timezone.now()) if schedule.active else None
    schedule.full_clean(exclude=["owner", "report"])
    with transaction.atomic():
        schedule.save()
        schedule.recipients.set(people)
        outbox.emit(
            f"reports.schedule.{'created' if creating else 'updated'}",
            {"id": schedule.pk, "report": schedule.report_id},
            actor=user,
        )
    return schedule


def delete_schedule(schedule: Schedule, *, user) -> None:
    """Its owner deletes it; so does an administrator (reports.delete and reports.view_all)."""
    if schedule.owner_id != user.pk:
        require(user, "reports.delete")
        require(user, "reports.view_all")
    else:
        require(user, "reports.add")
    with transaction.atomic():
        pk, report_id = schedule.pk, schedule.report_id
        schedule.delete()
        outbox.emit("reports.schedule.deleted", {"id": pk, "report": report_id}, actor=user)


def visible_schedules(user, report=None):
    """The schedules `user` may see: their own, and every one for reports.view_all."""
    found = Schedule.objects.select_related("report", "owner")
    if not has_code(user, "reports.view_all"):
        found = found.filter(owner_id=user.pk)
    if report is not None:
        found = found.filter(report=report)
    return found


# --- Sending ----------------------------------------------------------------------------------


class NotSent(Exception):
    """Why a due schedule was not sent (recorded as its last error)."""


def _owner_may_see(schedule: Schedule) -> None:
    owner = schedule.owner
    if not owner.is_active:
        raise NotSent(_("The owner's account is no longer active."))
    if not (has_code(owner, "reports.view") or has_code(owner, "reports.view_all")):
        raise NotSent(_("The owner may no longer view reports."))
    if not actions.visible_reports(owner).filter(pk=schedule.report_id).exists():
        raise NotSent(_("The owner can no longer see this report."))


def _report_url(report) -> str:
    from kernel.branding import branding_for

    brand = branding_for()
    try:
        path = reverse("lowcode_reports_edit", kwargs={"pk": report.pk})
    except NoReverseMatch:
        return ""
    return f"{brand.base_url}{path}" if brand else path


def _send(schedule: Schedule, now: dt.datetime) -> int:
    """E-mail the report to each active recipient, in their language; how many were sent."""
    from kernel.branding import branding_for

    _owner_may_see(schedule)
    report = schedule.report
    people = [p for p in schedule.recipients.all() if p.is_active and p.email]
    if not people:
        raise NotSent(_("No active recipient with an e-mail address."))
    url = _report_url(report)
    by_language: dict[str, list] = {}
    for person in people:
        by_language.setdefault(person.language or settings.LANGUAGE_CODE, []).append(person)
    messages = []
    for language, group in sorted(by_language.items()):
        with translation.override(language):
            # The tenant's sender name and footer, as the kernel's e-mails wear them (kernel.emails).
            brand = branding_for()
            sender = formataddr((brand.email_sender if brand else "Facilis", settings.DEFAULT_FROM_EMAIL))
            try:
                result = compiler.run(report.spec, principal=schedule.owner)
            except compiler.ReportError as exc:
                raise NotSent(_("The report cannot run: %(why)s") % {"why": " ".join(exc.messages)}) from exc
            data, content_type, filename = output.render(report, result, schedule.format)
            subject = _("Report: %(name)s") % {"name": report.display_name}
            text = _("Attached: the report “%(name)s” (%(frequency)s) of %(at)s, as %(owner)s sees it.") % {
                "name": report.display_name,
                "frequency": schedule.get_frequency_display(),
                "at": now.astimezone(output.local_zone()).strftime("%Y-%m-%d %H:%M"),
                "owner": schedule.owner.full_name or schedule.owner.get_username(),
            }
            context = {
                "brand": brand,
                "subject": subject,
                "text": text,
                "action_url": url,
                "action_label": _("Open") if url else "",
            }
            body = render_to_string("kernel/email/message.txt", context)
            html = render_to_string("kernel/email/message.html", context)
        for person in group:
            message = EmailMultiAlternatives(subject=subject, body=body, from_email=sender, to=[person.email])
            message.attach_alternative(html, "text/html")
            message.attach(filename, data, content_type)
            messages.append(message)
    for message in messages:
        message.send()
    return len(messages)


def send_due(now: dt.datetime | None = None) -> int:
    """Send every active schedule of this tenant that is due; returns how many were sent.
    Each is claimed under a row lock (skip locked) and moved to its next time in the same
    transaction, so it goes out once however many workers run."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            schedule = (
                Schedule.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("report", "owner")
                .filter(active=True, next_run_at__lte=now)
                .order_by("next_run_at", "pk")
                .first()
            )
            if schedule is None:
                return sent
            try:
                with transaction.atomic():  # a database error in the run rolls back to here only
                    _send(schedule, now)
            except NotSent as exc:
                schedule.last_error = str(exc)
                log.info("report schedule %s not sent: %s", schedule.pk, exc)
            except Exception as exc:  # a mail server's refusal, a rendering bug: note it, go on
                log.exception("report schedule %s failed", schedule.pk)
                schedule.last_error = _("Sending failed: %(why)s") % {"why": str(exc)[:500]}
            else:
                schedule.last_error = ""
                schedule.last_sent_at = now
                sent += 1
            schedule.next_run_at = next_run(schedule, now)
            schedule.save(update_fields=["last_error", "last_sent_at", "next_run_at"])
