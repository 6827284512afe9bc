"""Dashboards: saved reports laid out as widgets, shared with roles (every write goes through
here). One dashboard may be the tenant's default, shown on the console home; only tenant
administrators (reports.change + reports.view_all) choose it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from identity.access import has_code
from identity.actions import require
from kernel import outbox
from lowcode.reports.actions import visible_reports
from lowcode.reports.models import Dashboard, SavedReport, Widget


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def visible_dashboards(user):
    """The dashboards `user` may open: their own, those shared with one of their roles, and
    all of them for holders of reports.view_all."""
    if not _signed_in(user):
        return Dashboard.objects.none()
    if has_code(user, "reports.view_all"):
        return Dashboard.objects.all()
    if not has_code(user, "reports.view"):
        return Dashboard.objects.filter(owner=user)
    role_ids = list(user.roles.values_list("pk", flat=True))
    return Dashboard.objects.filter(Q(owner=user) | Q(shared_with_roles__in=role_ids)).distinct()


def default_dashboard(user) -> Dashboard | None:
    """The tenant's default dashboard if `user` may see it."""
    return visible_dashboards(user).filter(is_default=True).first()


def drillable_reports(user):
    """Reports whose records `user` may drill into: those they may open, and those on a
    dashboard they may open (the records are still limited by their own data scope)."""
    if not _signed_in(user):
        return SavedReport.objects.none()
    on_dashboards = Widget.objects.filter(dashboard__in=visible_dashboards(user)).values("report_id")
    return SavedReport.objects.filter(Q(pk__in=visible_reports(user).values("pk")) | Q(pk__in=on_dashboards))


def is_administrator(user) -> bool:
    """Who chooses the default dashboard and edits other people's: tenant administrators."""
    return has_code(user, "reports.change") and has_code(user, "reports.view_all")


def may_edit(user, dashboard: Dashboard | None) -> bool:
    """Whether the console offers editing (mirrors `_require_edit`)."""
    if dashboard is None or dashboard._state.adding:
        return has_code(user, "reports.add")
    if dashboard.owner_id == user.pk:
        return has_code(user, "reports.add") or has_code(user, "reports.change")
    return is_administrator(user)


def _require_edit(dashboard: Dashboard, user) -> None:
    if dashboard._state.adding:
        require(user, "reports.add")
    elif dashboard.owner_id == user.pk:
        # Whoever may make dashboards keeps their own up to date.
        if not (has_code(user, "reports.add") or has_code(user, "reports.change")):
            require(user, "reports.change")
    else:
        require(user, "reports.change")
        require(user, "reports.view_all")


def _touched(dashboard: Dashboard, user) -> None:
    dashboard.save(update_fields=["updated_at"])
    outbox.emit("reports.dashboard.updated", {"id": dashboard.pk}, actor=user)


def save_dashboard(dashboard: Dashboard, *, user, roles=None) -> Dashboard:
    """Create or change a dashboard; `roles` (if given) replaces whom it is shared with.
    Making it the default (or no longer the default) is for administrators; the previous
    default stops being one in the same transaction."""
    creating = dashboard._state.adding
    _require_edit(dashboard, user)
    if creating:
        dashboard.owner = user
    was_default = False if creating else Dashboard.objects.filter(pk=dashboard.pk, is_default=True).exists()
    errors: dict[str, list] = {}
    if bool(dashboard.is_default) != was_default and not is_administrator(user):
        errors["is_default"] = [
            ValidationError(
                _("Only a tenant administrator chooses the default dashboard."), code="permission_denied"
            )
        ]
    try:
        dashboard.full_clean(exclude=["owner"], validate_constraints=False)
    except ValidationError as exc:
        for field, problems in exc.error_dict.items():
            errors.setdefault(field, []).extend(problems)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if dashboard.is_default:
            previous = Dashboard.objects.select_for_update().filter(is_default=True)
            if not creating:
                previous = previous.exclude(pk=dashboard.pk)
            for other in previous:
                other.is_default = False
                other.save(update_fields=["is_default", "updated_at"])
                outbox.emit("reports.dashboard.updated", {"id": other.pk}, actor=user)
        dashboard.save()
        if roles is not None:
            dashboard.shared_with_roles.set(roles)
        outbox.emit(
            f"reports.dashboard.{'created' if creating else 'updated'}", {"id": dashboard.pk}, actor=user
        )
    return dashboard


def delete_dashboard(dashboard: Dashboard, *, user) -> None:
    if dashboard.owner_id == user.pk:
        if not (has_code(user, "reports.add") or has_code(user, "reports.delete")):
            require(user, "reports.delete")
    else:
        require(user, "reports.delete")
        if not has_code(user, "reports.view_all"):
            raise PermissionDenied(_("Only the owner deletes a dashboard."))
    with transaction.atomic():
        pk = dashboard.pk
        dashboard.delete()
        outbox.emit("reports.dashboard.deleted", {"id": pk}, actor=user)


# --- Widgets ---------------------------------------------------------------------------------


def _check_widget(widget: Widget, user, *, report_changed: bool) -> None:
    errors: dict[str, list] = {}
    if report_changed:
        report_id = widget.report_id
        if report_id is None or not visible_reports(user).filter(pk=report_id).exists():
            errors["report"] = [
                ValidationError(_("Choose one of the saved reports you may open."), code="not_visible")
            ]
    if widget.view and widget.view not in SavedReport.View.values:
        errors["view"] = [ValidationError(_("Choose a view from the list."), code="invalid_choice")]
    if widget.width not in Widget.Width.values:
        errors["width"] = [ValidationError(_("Half or full width."), code="invalid_choice")]
    try:
        widget.full_clean(exclude=["dashboard", "report", "view", "width", "position"])
    except ValidationError as exc:
        for field, problems in exc.error_dict.items():
            errors.setdefault(field, []).extend(problems)
    if errors:
        raise ValidationError(errors)


def add_widget(
    dashboard: Dashboard, *, user, report: SavedReport | None, title: str = "", view: str = "", width="half"
) -> Widget:
    """Put a saved report (one the editor may open) on the dashboard, last."""
    _require_edit(dashboard, user)
    widget = Widget(
        dashboard=dashboard,
        report_id=getattr(report, "pk", None),
        title=(title or "").strip(),
        view=view or "",
        width=width or Widget.Width.HALF,
    )
    _check_widget(widget, user, report_changed=True)
    with transaction.atomic():
        last = Widget.objects.filter(dashboard=dashboard).aggregate(top=Max("position"))["top"]
        widget.position = 0 if last is None else last + 1
        widget.save()
        _touched(dashboard, user)
    return widget


def update_widget(widget: Widget, *, user, title=None, view=None, width=None) -> Widget:
    """Change a widget's title, view or width (None: unchanged)."""
    _require_edit(widget.dashboard, user)
    if title is not None:
        widget.title = title.strip()
    if view is not None:
        widget.view = view
    if width is not None:
        widget.width = width
    _check_widget(widget, user, report_changed=False)
    with transaction.atomic():
        widget.save(update_fields=["title", "view", "width"])
        _touched(widget.dashboard, user)
    return widget


def move_widget(widget: Widget, *, user, offset: int) -> None:
    """Move a widget up (offset -1) or down (+1) among its dashboard's widgets."""
    dashboard = widget.dashboard
    _require_edit(dashboard, user)
    with transaction.atomic():
        ordered = list(
            Widget.objects.select_for_update().filter(dashboard=dashboard).order_by("position", "pk")
        )
        index = next((i for i, w in enumerate(ordered) if w.pk == widget.pk), None)
        if index is None:
            return
        target = index + (1 if offset > 0 else -1)
        if not 0 <= target < len(ordered):
            return
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, item in enumerate(ordered):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])
        _touched(dashboard, user)


def remove_widget(widget: Widget, *, user) -> None:
    dashboard = widget.dashboard
    _require_edit(dashboard, user)
    with transaction.atomic():
        widget.delete()
        _touched(dashboard, user)
