"""Console screens of saved reports: the list, the builder (preview, save), export."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from identity.access import has_code
from identity.models import Role
from lowcode.reports import actions, compiler, output
from lowcode.reports.datasets import all_datasets
from lowcode.reports.models import SavedReport
from lowcode.reports.output import OPERATOR_CHOICES, PERIOD_CHOICES, table_of
from lowcode.reports.output import label as _label
from lowcode.reports.output import safe_cell as _safe_cell  # noqa: F401

FILTER_ROWS = 4
BUCKET_CHOICES = [
    ("day", _lazy("Day")),
    ("week", _lazy("Week")),
    ("month", _lazy("Month")),
    ("quarter", _lazy("Quarter")),
    ("year", _lazy("Year")),
]
_INDEXED = re.compile(r"^(\w+)\[(\d+)\]$")


def _require_view(user):
    if not (has_code(user, "reports.view") or has_code(user, "reports.view_all")):
        raise PermissionDenied


def _visible(request, pk) -> SavedReport:
    _require_view(request.user)
    return get_object_or_404(actions.visible_reports(request.user), pk=pk)


def report_list(request):
    _require_view(request.user)
    reports = actions.visible_reports(request.user).select_related("owner")
    return render(
        request,
        "lowcode_reports/console/list.html",
        {
            "page_title": _("Reports"),
            "reports": reports,
            "can_add": has_code(request.user, "reports.add"),
        },
    )


# --- The builder: POST fields ⇄ report spec -------------------------------------------------


def _typed(text: str, dimension):
    """A value typed in a filter box, as the dimension's kind reads it."""
    text = text.strip()
    if dimension is not None and dimension.kind == "number":
        try:
            return int(text) if re.fullmatch(r"-?\d+", text) else float(text)
        except ValueError:
            return text
    if dimension is not None and dimension.kind == "boolean":
        lowered = text.lower()
        if lowered in ("true", "yes", "1", "是"):
            return True
        if lowered in ("false", "no", "0", "否"):
            return False
    return text


def spec_from_post(post, dataset) -> tuple[dict, dict]:
    """The report spec from the builder's fields, and where each spec part came from
    (spec path → builder slot) so errors go back next to the right box."""
    slots: dict[str, str] = {}
    spec: dict = {"dataset": post.get("dataset", "")}
    groups = []
    for slot in range(compiler.MAX_GROUPS):
        key = post.get(f"group_{slot}", "")
        if not key:
            continue
        dimension = dataset.dimension(key) if dataset else None
        ref = key
        if dimension is not None and dimension.kind == "time":
            ref = f"{key}:{post.get(f'bucket_{slot}') or 'month'}"
        slots[f"group_by[{len(groups)}]"] = f"group_{slot}"
        groups.append(ref)
    spec["group_by"] = groups
    spec["measures"] = [m for m in post.getlist("measures") if m] or ["count"]
    filters = []
    for slot in range(FILTER_ROWS):
        field = post.get(f"filter_field_{slot}", "")
        if not field:
            continue
        op = post.get(f"filter_op_{slot}", "eq")
        dimension = dataset.dimension(field) if dataset else None
        if op == "relative":
            value = post.get(f"filter_period_{slot}", "")
        elif op in ("in", "not_in", "between"):
            value = [
                _typed(v, dimension) for v in post.get(f"filter_value_{slot}", "").split(",") if v.strip()
            ]
        elif op in ("empty", "not_empty"):
            value = None
        else:
            value = _typed(post.get(f"filter_value_{slot}", ""), dimension)
        slots[f"filters[{len(filters)}]"] = f"filter_{slot}"
        filters.append({"field": field, "op": op, "value": value})
    spec["filters"] = filters
    sort_key = post.get("sort_key", "")
    if sort_key:
        # The sort names a group by its field key: use the group's full reference.
        ref = next((g for g in groups if g.partition(":")[0] == sort_key), sort_key)
        spec["sort"] = [{"key": ref, "desc": post.get("sort_desc") == "on"}]
    limit = post.get("limit", "").strip()
    spec["limit"] = int(limit) if limit.isdigit() else (limit or 1000)
    return spec, slots


def fields_from_spec(spec: dict) -> dict:
    """The builder's initial values for a saved spec."""
    values: dict = {"dataset": spec.get("dataset", ""), "measures": spec.get("measures") or ["count"]}
    for slot, ref in enumerate((spec.get("group_by") or [])[: compiler.MAX_GROUPS]):
        key, _sep, bucket = str(ref).partition(":")
        values[f"group_{slot}"] = key
        values[f"bucket_{slot}"] = bucket
    for slot, item in enumerate((spec.get("filters") or [])[:FILTER_ROWS]):
        if not isinstance(item, dict):
            continue
        values[f"filter_field_{slot}"] = item.get("field", "")
        values[f"filter_op_{slot}"] = item.get("op", "eq")
        value = item.get("value")
        if item.get("op") == "relative":
            values[f"filter_period_{slot}"] = value
        elif isinstance(value, list):
            values[f"filter_value_{slot}"] = ", ".join(str(v) for v in value)
        elif value is not None:
            values[f"filter_value_{slot}"] = str(value).lower() if isinstance(value, bool) else str(value)
    sort = (spec.get("sort") or [None])[0]
    if isinstance(sort, dict):
        values["sort_key"] = str(sort.get("key", "")).partition(":")[0]
        values["sort_desc"] = bool(sort.get("desc"))
    values["limit"] = spec.get("limit", 1000)
    return values


def _error_slot(where: str, slots: dict) -> str:
    if where in slots:
        return slots[where]
    match = _INDEXED.match(where or "")
    if match:
        return {"measures": "measures", "sort": "sort"}.get(match.group(1), match.group(1))
    return where or "report"


def chart_spec(result: compiler.Result, view: str) -> dict | None:
    """What chart.js draws: categories (the first group) and one series per measure.

    A pivot is drawn as grouped bars: the rows as categories, one series per column (of the
    first measure); with fewer than two groups, as plain bars (or a KPI without groups)."""
    if view not in ("bar", "line", "pie", "kpi", "pivot"):
        return None
    dims = [c for c in result.columns if c["kind"] == "dimension"]
    measures = [c for c in result.columns if c["kind"] == "measure"]
    if view == "pivot":
        pivot = output.pivot_of(result)
        if pivot is not None and pivot.blocks:
            block = pivot.blocks[0]
            return {
                "kind": "bar",
                "categories": [str(name) for name in pivot.rows],
                "series": [
                    {"name": str(column), "data": [line[index] for line in block.cells]}
                    for index, column in enumerate(pivot.columns)
                ],
            }
        view = "bar"
    if view == "kpi" or not dims:
        row = result.rows[0] if result.rows else {}
        return {
            "kind": "kpi",
            "items": [{"name": m["label"], "value": row.get(m["key"])} for m in measures],
        }
    first = dims[0]["key"]
    categories = [str(_label(row[first])) for row in result.rows]
    for extra in dims[1:]:
        categories = [
            f"{c} · {_label(row[extra['key']])}" for c, row in zip(categories, result.rows, strict=True)
        ]
    return {
        "kind": view,
        "categories": categories,
        "series": [
            {"name": m["label"], "data": [row.get(m["key"]) for row in result.rows]} for m in measures
        ],
    }


def builder(request, pk=None):
    report = None
    if pk is not None:
        report = _visible(request, pk)
    elif not has_code(request.user, "reports.add"):
        raise PermissionDenied
    datasets = all_datasets()
    post = request.POST if request.method == "POST" else None
    if post is not None:
        values = {key: post.get(key) for key in post}
        values["measures"] = post.getlist("measures")
        values["sort_desc"] = post.get("sort_desc") == "on"
        values["roles"] = [int(r) for r in post.getlist("roles") if r.isdigit()]
    elif report is not None:
        values = fields_from_spec(report.spec)
        values.update(
            name=report.name,
            name_en=report.name_en,
            view=report.view,
            roles=list(report.shared_with_roles.values_list("pk", flat=True)),
        )
    else:
        values = {
            "dataset": request.GET.get("dataset", ""),
            "measures": ["count"],
            "limit": 1000,
            "view": "table",
        }
    dataset = datasets.get(values.get("dataset") or "")
    if dataset is None and len(datasets) == 1 and post is None:
        dataset = next(iter(datasets.values()))
        values["dataset"] = dataset.key
    errors: dict[str, str] = {}
    result, table, chart, pivot = None, None, None, None
    then = post.get("then") if post is not None else None
    if then in ("preview", "save"):
        spec, slots = spec_from_post(post, dataset)
        view = post.get("view", "table")
        if then == "save":
            target = report or SavedReport()
            target.name = post.get("name", "").strip()
            target.name_en = post.get("name_en", "").strip()
            target.spec = spec
            target.view = view
            roles = Role.objects.filter(pk__in=values["roles"])
            try:
                saved = actions.save_report(target, user=request.user, roles=roles)
            except ValidationError as exc:
                for field, problems in exc.message_dict.items():
                    errors[field] = " ".join(problems)
                _spec_errors(spec, slots, request.user, errors)
            else:
                messages.success(request, _("Report “%(name)s” saved.") % {"name": saved.name})
                return redirect("lowcode_reports_edit", pk=saved.pk)
        else:
            try:
                result = compiler.run(spec, principal=request.user)
            except compiler.ReportError as exc:
                errors[_error_slot(exc.where, slots)] = " ".join(exc.messages)
            else:
                table = table_of(result)
                if view == SavedReport.View.PIVOT:
                    pivot = output.pivot_of(result)
                chart = None if view == SavedReport.View.PIVOT else chart_spec(result, view)
    dimensions = dataset.dimensions if dataset else []
    return render(
        request,
        "lowcode_reports/console/builder.html",
        {
            "page_title": (_("Report: %(name)s") % {"name": report.display_name})
            if report
            else _("New report"),
            "report": report,
            "datasets": [(d.key, str(d.label)) for d in datasets.values()],
            "dataset": dataset,
            "values": values,
            "errors": errors,
            "group_slots": [
                {
                    "slot": slot,
                    "field": values.get(f"group_{slot}") or "",
                    "bucket": values.get(f"bucket_{slot}") or "month",
                    "error": errors.get(f"group_{slot}"),
                }
                for slot in range(compiler.MAX_GROUPS)
            ],
            "filter_slots": [
                {
                    "slot": slot,
                    "field": values.get(f"filter_field_{slot}") or "",
                    "op": values.get(f"filter_op_{slot}") or "eq",
                    "value": values.get(f"filter_value_{slot}") or "",
                    "period": values.get(f"filter_period_{slot}") or "",
                    "error": errors.get(f"filter_{slot}"),
                }
                for slot in range(FILTER_ROWS)
            ],
            "dimensions": [(d.key, str(d.label), d.kind) for d in dimensions],
            "measures": [(m.key, str(m.label)) for m in (dataset.measures if dataset else [])],
            "operators": OPERATOR_CHOICES,
            "periods": PERIOD_CHOICES,
            "buckets": BUCKET_CHOICES,
            "views": SavedReport.View.choices,
            "roles": Role.objects.order_by("code"),
            "table": table,
            "pivot": pivot,
            "chart": chart,
            "can_schedule": report is not None and has_code(request.user, "reports.add"),
            "can_save": _may_save(request.user, report),
        },
    )


def _may_save(user, report) -> bool:
    """Offer "Save" to those the action lets save (see actions.save_report)."""
    if report is None:
        return has_code(user, "reports.add")
    if report.owner_id == user.pk:
        return has_code(user, "reports.add") or has_code(user, "reports.change")
    return has_code(user, "reports.change") and has_code(user, "reports.view_all")


def _spec_errors(spec, slots, user, errors) -> None:
    """Put the compiler's complaint next to the part it is about (besides on "spec")."""
    try:
        compiler.compile_report(spec, principal=user)
    except compiler.ReportError as exc:
        errors[_error_slot(exc.where, slots)] = " ".join(exc.messages)


def delete(request, pk):
    report = _visible(request, pk)
    if request.method != "POST":
        raise Http404
    actions.delete_report(report, user=request.user)
    messages.success(request, _("Report deleted."))
    return redirect("lowcode_reports_list")


# --- Export ------------------------------------------------------------------------------------


def export(request, pk, fmt):
    """The saved report as CSV, XLSX or PDF (a pivot report as its pivot), with the viewer's
    data scope."""
    report = _visible(request, pk)
    try:
        result = compiler.run(report.spec, principal=request.user)
    except compiler.ReportError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("lowcode_reports_edit", pk=report.pk)
    data, content_type, filename = output.render(report, result, fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
