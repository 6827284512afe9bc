"""A report, as data, compiled to one query through the ORM.

    {"dataset": "workorders.orders",
     "filters": [{"field": "trade", "op": "in", "value": ["water", "electric"]},
                 {"field": "submitted", "op": "relative", "value": "last_12_months"}],
     "group_by": ["submitted:month", "trade"],            # up to 3; time dimensions take a bucket
     "measures": ["count", "resolution_p50"],
     "sort": [{"key": "count", "desc": true}],
     "limit": 100}

Every key is looked up in the dataset's whitelist (dimensions, measures, operators, time
buckets, relative periods); anything else is refused with a `ReportError` naming the part
and a code. Values reach the database only as parameters. Rows are those the viewer's
roles let them see (`identity.access.restrict`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import TruncDay, TruncMonth, TruncQuarter, TruncWeek, TruncYear
from django.utils import timezone
from django.utils.translation import gettext as _

from lowcode.reports.datasets import Dataset, all_datasets

MAX_GROUPS = 3
MAX_LIMIT = 10_000
BUCKETS = {
    "day": TruncDay,
    "week": TruncWeek,
    "month": TruncMonth,
    "quarter": TruncQuarter,
    "year": TruncYear,
}
OPERATORS = {
    "eq",
    "ne",
    "in",
    "not_in",
    "gt",
    "gte",
    "lt",
    "lte",
    "between",
    "empty",
    "not_empty",
    "relative",
}
RELATIVE = {"today", "last_7_days", "last_30_days", "this_month", "last_month", "last_12_months", "this_year"}


class ReportError(ValidationError):
    """A report that cannot run, with the part (`where`) and a code clients switch on."""

    def __init__(self, where: str, message: str, code: str):
        super().__init__(message, code=code)
        self.where = where


@dataclass
class Result:
    columns: list[dict]  # {"key", "label", "kind": "dimension" | "measure"}
    rows: list[dict]
    additive: frozenset = frozenset()  # keys of the measures whose figures add up (pivot totals)


def _zone() -> ZoneInfo:
    tenant = getattr(connection, "tenant", None)
    return ZoneInfo(getattr(tenant, "time_zone", None) or "Asia/Shanghai")


def period(name: str, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a relative period in the organisation's time zone."""
    zone = _zone()
    now = (now or timezone.now()).astimezone(zone)
    today = dt.datetime.combine(now.date(), dt.time(0), zone)
    month = today.replace(day=1)

    def add_months(moment, n):
        year, index = divmod(moment.month - 1 + n, 12)
        return moment.replace(year=moment.year + year, month=index + 1)

    return {
        "today": (today, today + dt.timedelta(days=1)),
        "last_7_days": (today - dt.timedelta(days=6), today + dt.timedelta(days=1)),
        "last_30_days": (today - dt.timedelta(days=29), today + dt.timedelta(days=1)),
        "this_month": (month, add_months(month, 1)),
        "last_month": (add_months(month, -1), month),
        "last_12_months": (add_months(month, -11), add_months(month, 1)),
        "this_year": (month.replace(month=1), month.replace(year=month.year + 1, month=1)),
    }[name]


def _dimension_ref(dataset: Dataset, ref: str, where: str):
    """ "trade" or "submitted:month" → (dimension, bucket or None)."""
    if not isinstance(ref, str):
        raise ReportError(where, _("Name a field of the dataset."), "unknown_field")
    key, _sep, bucket = ref.partition(":")
    dimension = dataset.dimension(key)
    if dimension is None:
        raise ReportError(
            where, _("“%(key)s” is not a field of this dataset.") % {"key": key[:50]}, "unknown_field"
        )
    if dimension.kind == "time":
        bucket = bucket or "day"
        if bucket not in BUCKETS:
            raise ReportError(where, _("Group dates by day, week, month, quarter or year."), "bad_bucket")
        return dimension, bucket
    if bucket:
        raise ReportError(where, _("Only dates are grouped by a time bucket."), "bad_bucket")
    return dimension, None


def _condition(dataset: Dataset, spec, where: str) -> Q:
    if not isinstance(spec, dict):
        raise ReportError(where, _("A filter is an object: field, operator, value."), "bad_filter")
    dimension, _bucket = _dimension_ref(dataset, spec.get("field"), where)
    op, value, path = spec.get("op"), spec.get("value"), dimension.path
    if op not in OPERATORS:
        raise ReportError(where, _("Unknown operator."), "bad_operator")
    if op == "relative":
        if dimension.kind != "time" or value not in RELATIVE:
            raise ReportError(
                where, _("A relative period applies to a date: this month, last 12 months…"), "bad_value"
            )
        start, end = period(value)
        return Q(**{f"{path}__gte": start, f"{path}__lt": end})
    if op in ("empty", "not_empty"):
        return Q(**{f"{path}__isnull": op == "empty"})
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value or len(value) > 500:
            raise ReportError(where, _("Give a list of 1 to 500 values."), "bad_value")
        values = [_scalar(v, dimension, where) for v in value]
        condition = Q(**{f"{path}__in": values})
        return ~condition if op == "not_in" else condition
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise ReportError(where, _("Give the lowest and the highest value."), "bad_value")
        low, high = (_scalar(v, dimension, where) for v in value)
        return Q(**{f"{path}__gte": low, f"{path}__lte": high})
    scalar = _scalar(value, dimension, where)
    if op == "eq":
        return Q(**{path: scalar})
    if op == "ne":
        return ~Q(**{path: scalar})
    return Q(**{f"{path}__{op}": scalar})


def _scalar(value, dimension, where):
    """A value as the dimension's kind reads it; refused otherwise (never turned into SQL)."""
    if dimension.kind == "time":
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None:
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=_zone())
        raise ReportError(where, _("A date such as 2026-05-01."), "bad_value")
    if dimension.kind == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        raise ReportError(where, _("A number."), "bad_value")
    if dimension.kind == "boolean":
        if isinstance(value, bool):
            return value
        raise ReportError(where, _("True or false."), "bad_value")
    if isinstance(value, (str, int)) and not isinstance(value, bool) and len(str(value)) <= 200:
        return value
    raise ReportError(where, _("A value of at most 200 characters."), "bad_value")


def compile_report(spec: dict, *, principal, dataset: Dataset | None = None):
    """The queryset of a report's rows (values of its groups and measures), checked."""
    from identity.access import restrict

    if not isinstance(spec, dict):
        raise ReportError("", _("A report is an object."), "bad_report")
    if dataset is None:
        dataset = all_datasets().get(spec.get("dataset"))
        if dataset is None:
            raise ReportError("dataset", _("Choose a dataset."), "unknown_dataset")
    rows = restrict(dataset.rows(), principal, "view")
    filters = spec.get("filters") or []
    if not isinstance(filters, list):
        raise ReportError("filters", _("Filters are a list."), "bad_filter")
    for index, item in enumerate(filters):
        try:
            rows = rows.filter(_condition(dataset, item, f"filters[{index}]"))
        except (ValueError, TypeError) as exc:  # e.g. text for a field of ids
            raise ReportError(
                f"filters[{index}]", _("This value does not suit the field."), "bad_value"
            ) from exc
    groups = spec.get("group_by") or []
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise ReportError("group_by", _("Group by at most three fields."), "too_many_groups")
    annotations, group_keys, labels = {}, [], {}
    for index, ref in enumerate(groups):
        dimension, bucket = _dimension_ref(dataset, ref, f"group_by[{index}]")
        alias = f"g{index}"
        if bucket:
            annotations[alias] = BUCKETS[bucket](dimension.path, tzinfo=_zone())
        else:
            annotations[alias] = F(dimension.path)
            if dimension.label_path:
                annotations[f"{alias}_label"] = F(dimension.label_path)
                labels[alias] = f"{alias}_label"
        group_keys.append(alias)
    measure_keys = spec.get("measures") or ["count"]
    if not isinstance(measure_keys, list) or not 1 <= len(measure_keys) <= 10:
        raise ReportError("measures", _("Choose 1 to 10 measures."), "bad_measures")
    aggregates = {}
    for index, key in enumerate(measure_keys):
        measure = dataset.measure(key) if isinstance(key, str) else None
        if measure is None:
            raise ReportError(f"measures[{index}]", _("Unknown measure."), "unknown_measure")
        aggregates[f"m_{measure.key}"] = measure.build()
    if annotations:
        rows = rows.annotate(**annotations).values(*group_keys, *labels.values())
    query = rows.annotate(**aggregates) if annotations else rows.aggregate(**aggregates)
    if not annotations:
        return query  # a dict: one row
    order = []
    sort = spec.get("sort") or []
    if not isinstance(sort, list):
        raise ReportError("sort", _("Sort is a list."), "bad_sort")
    for index, item in enumerate(sort):
        key = item.get("key") if isinstance(item, dict) else None
        column = None
        if key in measure_keys:
            column = f"m_{key}"
        elif isinstance(key, str) and key in groups:
            column = f"g{groups.index(key)}"
        if column is None:
            raise ReportError(f"sort[{index}]", _("Sort by a chosen group or measure."), "bad_sort")
        order.append(f"-{column}" if item.get("desc") else column)
    query = query.order_by(*(order or group_keys))
    limit = spec.get("limit", 1000)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise ReportError("limit", _("At most 10,000 rows."), "bad_limit")
    return query[:limit]


def _bucket_end(start: dt.datetime, bucket: str) -> dt.datetime:
    if bucket == "day":
        return start + dt.timedelta(days=1)
    if bucket == "week":
        return start + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[bucket]
    year, index = divmod(start.month - 1 + months, 12)
    return start.replace(year=start.year + year, month=index + 1)


def _cell_condition(dataset: Dataset, ref: str, value, where: str) -> Q:
    """The rows behind one group value of a report row (a bar, a slice, a table cell)."""
    dimension, bucket = _dimension_ref(dataset, ref, where)
    if value is None:
        return Q(**{f"{dimension.path}__isnull": True})
    if bucket:
        if isinstance(value, str):
            value = _scalar(value, dimension, where)
        if not isinstance(value, dt.datetime):
            raise ReportError(where, _("A date such as 2026-05-01."), "bad_value")
        start = value.astimezone(_zone()) if value.tzinfo else value.replace(tzinfo=_zone())
        return Q(**{f"{dimension.path}__gte": start, f"{dimension.path}__lt": _bucket_end(start, bucket)})
    return Q(**{dimension.path: _scalar(value, dimension, where)})


def records(spec: dict, *, principal, cell: dict | None = None):
    """Drill-down: (dataset, queryset) of the records a report's figures count — restricted by
    the viewer's scope, the report's filters, and `cell` (group reference → value, e.g.
    {"trade": "water", "submitted:month": "2026-05-01T00:00:00+08:00"}: one bar or slice).
    Newest first."""
    from identity.access import restrict

    dataset = all_datasets().get(spec.get("dataset") if isinstance(spec, dict) else None)
    if dataset is None:
        raise ReportError("dataset", _("Choose a dataset."), "unknown_dataset")
    compile_report(spec, principal=principal, dataset=dataset)  # the whole report must be valid
    rows = restrict(dataset.rows(), principal, "view")
    for index, item in enumerate(spec.get("filters") or []):
        try:
            rows = rows.filter(_condition(dataset, item, f"filters[{index}]"))
        except (ValueError, TypeError) as exc:
            raise ReportError(
                f"filters[{index}]", _("This value does not suit the field."), "bad_value"
            ) from exc
    groups = spec.get("group_by") or []
    if cell is not None and not isinstance(cell, dict):
        raise ReportError("cell", _("Name the figure by its groups' values."), "bad_value")
    for ref, value in (cell or {}).items():
        if ref not in groups:
            raise ReportError("cell", _("Drill down by the report's own groups."), "unknown_field")
        try:
            rows = rows.filter(_cell_condition(dataset, ref, value, "cell"))
        except (ValueError, TypeError) as exc:
            raise ReportError("cell", _("This value does not suit the field."), "bad_value") from exc
    return dataset, rows.order_by(f"-{dataset.time}", "-pk")


def record_rows(dataset: Dataset, queryset) -> list[dict]:
    """Records as {"pk", "url", column key → shown value} for the dataset's columns."""
    paths = {column.key: column.path for column in dataset.columns}
    found = []
    for item in queryset.values("pk", *paths.values()):
        row = {"pk": item["pk"], "url": dataset.record_url(item["pk"]) if dataset.record_url else None}
        for column in dataset.columns:
            value = item.get(column.path)
            if column.choices and value in column.choices:
                value = str(column.choices[value])
            row[column.key] = value
        found.append(row)
    return found


def run(spec: dict, *, principal) -> Result:
    """Run a report: its columns and rows, with labels for coded values."""
    dataset = all_datasets().get(spec.get("dataset") if isinstance(spec, dict) else None)
    if dataset is None:
        raise ReportError("dataset", _("Choose a dataset."), "unknown_dataset")
    query = compile_report(spec, principal=principal, dataset=dataset)
    groups = spec.get("group_by") or []
    measures = spec.get("measures") or ["count"]
    columns = []
    for index, ref in enumerate(groups):
        dimension, bucket = _dimension_ref(dataset, ref, f"group_by[{index}]")
        columns.append({"key": ref, "label": str(dimension.label), "kind": "dimension"})
    for key in measures:
        columns.append({"key": key, "label": str(dataset.measure(key).label), "kind": "measure"})
    raw = [query] if isinstance(query, dict) else list(query)
    rows = []
    for item in raw:
        row = {}
        for index, ref in enumerate(groups):
            dimension, _bucket = _dimension_ref(dataset, ref, "")
            value = item.get(f"g{index}")
            label = item.get(f"g{index}_label")
            if dimension.choices and value in dimension.choices:
                label = str(dimension.choices[value])
            row[ref] = {"value": value, "label": label if label is not None else value}
        for key in measures:
            value = item.get(f"m_{key}")
            row[key] = round(value, 2) if isinstance(value, float) else value
        rows.append(row)
    additive = frozenset(key for key in measures if dataset.measure(key).additive)
    return Result(columns=columns, rows=rows, additive=additive)
