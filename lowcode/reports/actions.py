"""Saving, deleting and reading saved reports (every write goes through here)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from identity.access import has_code
from identity.actions import require
from kernel import outbox
from lowcode.reports import compiler
from lowcode.reports.models import SavedReport


def visible_reports(user):
    """The saved reports `user` may open: their own, those shared with one of their roles,
    and all of them for holders of reports.view_all."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return SavedReport.objects.none()
    if has_code(user, "reports.view_all"):
        return SavedReport.objects.all()
    if not has_code(user, "reports.view"):
        return SavedReport.objects.filter(owner=user)
    role_ids = list(user.roles.values_list("pk", flat=True))
    return SavedReport.objects.filter(Q(owner=user) | Q(shared_with_roles__in=role_ids)).distinct()


def check_spec(spec, *, user) -> None:
    """Refuse a report that does not compile, naming the part in the field error."""
    try:
        compiler.compile_report(spec, principal=user)
    except compiler.ReportError as exc:
        message = exc.messages[0] if exc.messages else _("The report cannot run.")
        where = f" ({exc.where})" if exc.where else ""
        raise ValidationError({"spec": ValidationError(f"{message}{where}", code=exc.code)}) from exc


def save_report(report: SavedReport, *, user, roles=None) -> SavedReport:
    """Create or change a saved report; `roles` (if given) replaces whom it is shared with."""
    creating = report._state.adding
    if creating:
        require(user, "reports.add")
        report.owner = user
    elif report.owner_id == user.pk:
        # Whoever may make reports keeps their own up to date.
        if not (has_code(user, "reports.add") or has_code(user, "reports.change")):
            require(user, "reports.change")
    else:
        require(user, "reports.change")
        require(user, "reports.view_all")
    check_spec(report.spec, user=user)
    report.full_clean(exclude=["owner", "spec"])
    with transaction.atomic():
        report.save()
        if roles is not None:
            report.shared_with_roles.set(roles)
        outbox.emit(f"reports.report.{'created' if creating else 'updated'}", {"id": report.pk}, actor=user)
    return report


def delete_report(report: SavedReport, *, user) -> None:
    if report.owner_id == user.pk:
        if not (has_code(user, "reports.add") or has_code(user, "reports.delete")):
            require(user, "reports.delete")
    else:
        require(user, "reports.delete")
        if not has_code(user, "reports.view_all"):
            raise PermissionDenied(_("Only the owner deletes a report."))
    with transaction.atomic():
        pk = report.pk
        report.delete()
        outbox.emit("reports.report.deleted", {"id": pk}, actor=user)
