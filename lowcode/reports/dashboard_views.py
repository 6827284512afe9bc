"""Console screens of dashboards (list, view, edit, delete) and the drill-down into the records
behind a figure. Every widget runs its report as the viewer, so each viewer's data scope
applies to what they see."""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from identity.access import has_code
from identity.models import Role
from lowcode.reports import actions, compiler, dashboards
from lowcode.reports.models import Dashboard, SavedReport, Widget

logger = logging.getLogger(__name__)

CHART_VIEWS = ("bar", "line", "pie")
TABLE_ROWS = 100  # rows a table widget shows; the report's export has them all
RECORDS_PER_PAGE = 50


def _require_view(user):
    if not (has_code(user, "reports.view") or has_code(user, "reports.view_all")):
        raise PermissionDenied


def _visible(request, pk) -> Dashboard:
    _require_view(request.user)
    return get_object_or_404(dashboards.visible_dashboards(request.user), pk=pk)


# --- Figures: a report's result as what dashboard.js draws -------------------------------------


def _json_value(value):
    """A group's value as JSON carries it back in a drill-down link (dates as ISO text)."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _shown(cell, ref: str):
    """What to show for a group's value: its label; time buckets as the period they are."""
    label = cell.get("label") if isinstance(cell, dict) else cell
    if isinstance(label, dt.datetime):
        moment = label.astimezone(compiler._zone()) if label.tzinfo else label
        bucket = ref.partition(":")[2]
        if bucket == "month":
            return moment.strftime("%Y-%m")
        if bucket == "quarter":
            return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
        if bucket == "year":
            return str(moment.year)
        return moment.date().isoformat()
    if isinstance(label, Decimal):
        return float(label)
    return "—" if label is None else label


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def drill_url(report_pk: int, cell: dict | None = None) -> str:
    base = reverse("lowcode_reports_records", args=[report_pk])
    return f"{base}?{urlencode({'cell': json.dumps(cell or {}, ensure_ascii=False)})}"


def figure(result: compiler.Result, view: str, report_pk: int) -> dict:
    """{kind, …, drill}: a chart (categories, one series per measure and each category's
    cell: group reference → value), a KPI card (items) or a table (header, rows with links)."""
    dims = [c for c in result.columns if c["kind"] == "dimension"]
    measures = [c for c in result.columns if c["kind"] == "measure"]
    drill = reverse("lowcode_reports_records", args=[report_pk])
    cells = [{d["key"]: _json_value(row[d["key"]].get("value")) for d in dims} for row in result.rows]
    if view == "kpi" or not dims:
        row = result.rows[0] if result.rows else {}
        return {
            "kind": "kpi",
            "items": [{"name": m["label"], "value": _number(row.get(m["key"]))} for m in measures],
            "cell": {},
            "drill": drill,
        }
    if view in CHART_VIEWS:
        categories = []
        for row in result.rows:
            categories.append(" · ".join(str(_shown(row[d["key"]], d["key"])) for d in dims))
        return {
            "kind": view,
            "categories": categories,
            "cells": cells,
            "series": [
                {"name": m["label"], "data": [_number(row.get(m["key"])) for row in result.rows]}
                for m in measures
            ],
            "drill": drill,
        }
    # table and (until the pivot renderer exists) pivot: a plain table, each row a link
    rows = []
    for row, cell in zip(result.rows[:TABLE_ROWS], cells[:TABLE_ROWS], strict=True):
        values = [_shown(row[d["key"]], d["key"]) for d in dims]
        values += [_number(row.get(m["key"])) for m in measures]
        rows.append({"cells": ["" if v is None else v for v in values], "url": drill_url(report_pk, cell)})
    return {
        "kind": "table",
        "header": [c["label"] for c in dims + measures],
        "rows": rows,
        "more": max(len(result.rows) - TABLE_ROWS, 0),
        "drill": drill,
    }


def render_widget(widget: Widget, user) -> dict:
    """A widget as the viewer sees it: its report run with the viewer's scope; a report
    that cannot run shows why instead of its figure."""
    report = widget.report
    view = widget.view or report.view
    shown = {
        "pk": widget.pk,
        "title": widget.title or report.display_name,
        "width": widget.width,
        "view": view,
        "report_pk": report.pk,
        "error": None,
        "figure": None,
        "data_id": f"widget-{widget.pk}-data",
    }
    try:
        with transaction.atomic():
            result = compiler.run(report.spec, principal=user)
    except ValidationError as exc:  # ReportError included
        shown["error"] = " ".join(exc.messages) or _("The report cannot run.")
        return shown
    except DatabaseError:
        logger.exception("dashboard widget %s failed", widget.pk)
        shown["error"] = _("The report cannot run.")
        return shown
    shown["figure"] = figure(result, view, report.pk)
    return shown


def rendered_widgets(dashboard: Dashboard, user) -> list[dict]:
    return [
        render_widget(w, user) for w in dashboard.widgets.select_related("report").order_by("position", "pk")
    ]


# --- Screens -----------------------------------------------------------------------------------


def dashboard_list(request):
    _require_view(request.user)
    found = dashboards.visible_dashboards(request.user).select_related("owner")
    return render(
        request,
        "lowcode_reports/console/dashboards.html",
        {
            "page_title": _("Dashboards"),
            "dashboards": found,
            "can_add": has_code(request.user, "reports.add"),
        },
    )


def dashboard_view(request, pk):
    dashboard = _visible(request, pk)
    return render(
        request,
        "lowcode_reports/console/dashboard.html",
        {
            "page_title": dashboard.display_name,
            "dashboard": dashboard,
            "widgets": rendered_widgets(dashboard, request.user),
            "can_edit": dashboards.may_edit(request.user, dashboard),
        },
    )


def _problems(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {
            ("form" if field == "__all__" else field): " ".join(problems)
            for field, problems in exc.message_dict.items()
        }
    return {"form": " ".join(exc.messages)}


def dashboard_edit(request, pk=None):
    if pk is None:
        _require_view(request.user)
        dashboard = Dashboard()
    else:
        dashboard = _visible(request, pk)
    if not dashboards.may_edit(request.user, dashboard):
        raise PermissionDenied
    creating = dashboard._state.adding
    widgets = [] if creating else list(dashboard.widgets.select_related("report").order_by("position", "pk"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        post = request.POST
        then = post.get("then", "save")
        values = {
            "name": post.get("name", "").strip(),
            "name_en": post.get("name_en", "").strip(),
            "is_default": post.get("is_default") == "on",
            "roles": [int(r) for r in post.getlist("roles") if r.isdigit()],
            "add_report": post.get("add_report", ""),
            "add_title": post.get("add_title", ""),
            "add_view": post.get("add_view", ""),
            "add_width": post.get("add_width", "half"),
        }
        widget_values = {
            w.pk: {
                "title": post.get(f"widget_{w.pk}_title", w.title),
                "view": post.get(f"widget_{w.pk}_view", w.view),
                "width": post.get(f"widget_{w.pk}_width", w.width),
            }
            for w in widgets
        }
        with transaction.atomic():
            dashboard.name = values["name"]
            dashboard.name_en = values["name_en"]
            dashboard.is_default = values["is_default"]
            try:
                dashboards.save_dashboard(
                    dashboard, user=request.user, roles=Role.objects.filter(pk__in=values["roles"])
                )
            except ValidationError as exc:
                errors.update(_problems(exc))
            if not errors:
                for widget in widgets:
                    try:
                        dashboards.update_widget(widget, user=request.user, **widget_values[widget.pk])
                    except ValidationError as exc:
                        for field, text in _problems(exc).items():
                            errors[f"widget_{widget.pk}_{field}"] = text
                if values["add_report"] or then == "add":
                    report = (
                        SavedReport.objects.filter(pk=values["add_report"]).first()
                        if values["add_report"].isdigit()
                        else None
                    )
                    try:
                        dashboards.add_widget(
                            dashboard,
                            user=request.user,
                            report=report,
                            title=values["add_title"],
                            view=values["add_view"],
                            width=values["add_width"],
                        )
                    except ValidationError as exc:
                        for field, text in _problems(exc).items():
                            errors[f"add_{field}"] = text
            if not errors:
                verb, _sep, target = then.partition("_")
                widget = next((w for w in widgets if str(w.pk) == target), None)
                if widget is not None and verb in ("up", "down"):
                    dashboards.move_widget(widget, user=request.user, offset=-1 if verb == "up" else 1)
                elif widget is not None and verb == "remove":
                    dashboards.remove_widget(widget, user=request.user)
            if errors:
                transaction.set_rollback(True)
        if not errors:
            if then == "save":
                messages.success(request, _("Dashboard “%(name)s” saved.") % {"name": dashboard.name})
                return redirect("lowcode_reports_dashboard", pk=dashboard.pk)
            return redirect("lowcode_reports_dashboard_edit", pk=dashboard.pk)
        if creating:
            dashboard.pk = None
            dashboard._state.adding = True
    else:
        values = {
            "name": dashboard.name,
            "name_en": dashboard.name_en,
            "is_default": dashboard.is_default,
            "roles": [] if creating else list(dashboard.shared_with_roles.values_list("pk", flat=True)),
            "add_report": "",
            "add_title": "",
            "add_view": "",
            "add_width": "half",
        }
        widget_values = {w.pk: {"title": w.title, "view": w.view, "width": w.width} for w in widgets}
    rows = [
        {
            "widget": w,
            "values": widget_values[w.pk],
            "errors": {
                field: errors.get(f"widget_{w.pk}_{field}") for field in ("title", "view", "width", "report")
            },
            "first": index == 0,
            "last": index == len(widgets) - 1,
        }
        for index, w in enumerate(widgets)
    ]
    return render(
        request,
        "lowcode_reports/console/dashboard_edit.html",
        {
            "page_title": _("New dashboard")
            if creating
            else _("Edit dashboard: %(name)s") % {"name": dashboard.display_name},
            "dashboard": None if creating else dashboard,
            "values": values,
            "errors": errors,
            "rows": rows,
            "reports": actions.visible_reports(request.user),
            "roles": Role.objects.order_by("code"),
            "views": SavedReport.View.choices,
            "widths": Widget.Width.choices,
            "may_choose_default": dashboards.is_administrator(request.user),
        },
    )


def dashboard_delete(request, pk):
    dashboard = _visible(request, pk)
    if request.method != "POST":
        raise Http404
    dashboards.delete_dashboard(dashboard, user=request.user)
    messages.success(request, _("Dashboard deleted."))
    return redirect("lowcode_reports_dashboards")


# --- Drill-down --------------------------------------------------------------------------------


def _describe(dataset, records, cell: dict) -> list[tuple[str, str]]:
    """(field, value as people read it) for each group of the figure."""
    described = []
    for ref, value in cell.items():
        key, _sep, bucket = ref.partition(":")
        dimension = dataset.dimension(key)
        if dimension is None:
            continue
        label = dimension.label
        shown = value
        if value is None:
            shown = "—"
        elif dimension.kind == "time":
            try:
                shown = _shown({"label": dt.datetime.fromisoformat(str(value))}, ref)
            except ValueError:
                shown = value
        elif dimension.choices and value in dimension.choices:
            shown = dimension.choices[value]
        elif dimension.label_path:
            # The label as the records the viewer may see name it.
            shown = records.values_list(dimension.label_path, flat=True).first() or value
        elif isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        described.append((str(label), str(shown)))
    return described


def records(request, pk):
    _require_view(request.user)
    report = get_object_or_404(dashboards.drillable_reports(request.user), pk=pk)
    context = {
        "page_title": _("Records: %(name)s") % {"name": report.display_name},
        "report": report,
        "error": None,
        "described": [],
        "columns": [],
        "rows": [],
        "page": None,
        "total": 0,
    }
    raw = request.GET.get("cell", "") or "{}"
    try:
        cell = json.loads(raw)
    except ValueError:
        cell = None
    if not isinstance(cell, dict):
        context["error"] = _("The figure to drill into could not be read; open it again from the chart.")
        return render(request, "lowcode_reports/console/records.html", context, status=400)
    try:
        dataset, found = compiler.records(report.spec, principal=request.user, cell=cell)
        paginator = Paginator(found, RECORDS_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        shown = compiler.record_rows(dataset, page.object_list)
    except ValidationError as exc:  # ReportError included
        context["error"] = " ".join(exc.messages) or _("The report cannot run.")
        return render(request, "lowcode_reports/console/records.html", context, status=400)
    columns = [(c.key, str(c.label)) for c in dataset.columns]
    context.update(
        described=_describe(dataset, found, cell),
        columns=columns,
        rows=[{"url": row["url"], "cells": [row.get(key) for key, _label in columns]} for row in shown],
        page=page,
        total=paginator.count,
        cell_query=urlencode({"cell": raw}),
        dataset_label=str(dataset.label),
    )
    return render(request, "lowcode_reports/console/records.html", context)
