"""The reports fragment of the API: the datasets the caller may report on, and running a report.

`runReport(spec)` takes the report as data (lowcode/reports/compiler.py) and answers
`{columns, rows, errors}`; a report that cannot run answers `errors {where code message}`
with `ReportsErrorCode` (never a GraphQL error), so clients switch on codes. Rows are those
the caller's data scope lets them see.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import graphene
from django.utils.translation import gettext as _
from graphene import relay
from graphene.types.generic import GenericScalar
from graphql import GraphQLError

from kernel.graphql.connections import ConnectionField, SortKey, api_error, paginate, sort_enum
from kernel.graphql.connections import _cursor_of as cursor_of
from kernel.graphql.errors import ApiErrorCode
from kernel.graphql.scoped import PersonalObjectType, decode_id, principal
from lowcode.reports.compiler import MAX_LIMIT, RELATIVE, ReportError, record_rows, records, run
from lowcode.reports.datasets import all_datasets

# Every code lowcode.reports.compiler raises, upper-cased.
ERROR_CODES = (
    "UNKNOWN_DATASET",
    "UNKNOWN_FIELD",
    "UNKNOWN_MEASURE",
    "BAD_VALUE",
    "BAD_OPERATOR",
    "BAD_BUCKET",
    "BAD_SORT",
    "BAD_LIMIT",
    "TOO_MANY_GROUPS",
    "BAD_REPORT",
    "BAD_MEASURES",
    "BAD_FILTER",
    # runSavedReport and groupKpis (this module's own):
    "NOT_FOUND",
    "BAD_PARAMETERS",
    "BAD_PERIOD",
)

ReportsErrorCode = graphene.Enum(
    "ReportsErrorCode",
    [(code, code) for code in ERROR_CODES],
    description="Why a report could not run.",
)


class ReportsError(graphene.ObjectType):
    """Why a report could not run: the part of the report at fault, a code and a sentence."""

    where = graphene.String(
        required=True, description='The part of the report, e.g. "filters[0]", "measures[1]"; empty: all.'
    )
    code = graphene.Field(ReportsErrorCode, required=True)
    message = graphene.String(required=True)


class ReportDimension(graphene.ObjectType):
    key = graphene.String(required=True, description='Used in filters and group_by ("submitted:month").')
    label = graphene.String(required=True)
    kind = graphene.String(required=True, description='"category", "time", "number" or "boolean".')


class ReportMeasure(graphene.ObjectType):
    key = graphene.String(required=True)
    label = graphene.String(required=True)
    unit = graphene.String(required=True, description='e.g. "¥", "min", "%"; empty for none.')


class ReportDataset(graphene.ObjectType):
    key = graphene.String(required=True, description='e.g. "workorders.orders", "forms.<code>".')
    label = graphene.String(required=True)
    dimensions = graphene.List(graphene.NonNull(ReportDimension), required=True)
    measures = graphene.List(graphene.NonNull(ReportMeasure), required=True)


class ReportColumn(graphene.ObjectType):
    key = graphene.String(required=True, description="The key rows use for this column.")
    label = graphene.String(required=True)
    kind = graphene.String(
        required=True, description='"dimension" or "measure"; "column" for the fields of records.'
    )


class ReportResult(graphene.ObjectType):
    columns = graphene.List(graphene.NonNull(ReportColumn), required=True)
    rows = graphene.List(
        graphene.NonNull(GenericScalar),
        required=True,
        description="One object per row: column key → {value, label} for dimensions, a number for measures.",
    )
    errors = graphene.List(graphene.NonNull(ReportsError), required=True)


def _plain(value):
    """Row values as JSON: dates in ISO 8601, decimals as numbers."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def resolve_report_datasets(root, info) -> list[ReportDataset]:
    return [
        ReportDataset(
            key=dataset.key,
            label=str(dataset.label),
            dimensions=[
                ReportDimension(key=d.key, label=str(d.label), kind=d.kind) for d in dataset.dimensions
            ],
            measures=[ReportMeasure(key=m.key, label=str(m.label), unit=m.unit) for m in dataset.measures],
        )
        for dataset in sorted(all_datasets().values(), key=lambda item: item.key)
    ]


def _failure(where: str, code: str, message: str) -> ReportResult:
    code = code.upper() if code and code.upper() in ERROR_CODES else "BAD_REPORT"
    return ReportResult(
        columns=[],
        rows=[],
        errors=[ReportsError(where=where, code=getattr(ReportsErrorCode, code).value, message=message)],
    )


def resolve_run_report(root, info, spec) -> ReportResult:
    try:
        result = run(spec, principal=principal(info))
    except ReportError as exc:
        return _failure(exc.where, exc.code, " ".join(exc.messages))
    except (TypeError, ValueError, AttributeError):
        # A part of the wrong shape the compiler does not name (e.g. "filters": 5).
        return _failure("", "bad_report", _("This report is not well formed."))
    return ReportResult(
        columns=[ReportColumn(**column) for column in result.columns],
        rows=[_plain(row) for row in result.rows],
        errors=[],
    )


# --- Saved reports: listing, running with parameters, paginated records --------------------


def _visible_reports(who):
    """lowcode.reports.actions.visible_reports for people; a partner's key (which owns
    nothing) sees the reports shared with its role, or all of them with reports.view_all."""
    from identity.access import has_code
    from lowcode.reports.actions import visible_reports
    from lowcode.reports.models import SavedReport

    key = getattr(who, "key", None)
    if key is None:
        return visible_reports(who)
    if has_code(who, "reports.view_all"):
        return SavedReport.objects.all()
    if has_code(who, "reports.view"):
        return SavedReport.objects.filter(shared_with_roles=key.role_id)
    return SavedReport.objects.none()


SavedReportView = graphene.Enum(
    "SavedReportView",
    [(value.upper(), value) for value in ("table", "bar", "line", "pie", "kpi", "pivot")],
    description="How the report is shown in the console.",
)


class SavedReportNode(PersonalObjectType):
    """A saved report the caller may open: their own, one shared with one of their roles,
    or any with reports.view_all."""

    display_name = graphene.String(required=True, description="The name in the caller's language.")
    dataset = graphene.String(required=True)
    view = graphene.Field(SavedReportView, required=True)
    spec = GenericScalar(required=True, description="The report as data (as runReport takes it).")
    owner = graphene.String(description="Who made it.")

    class Meta:
        from lowcode.reports.models import SavedReport

        model = SavedReport
        name = "SavedReport"
        interfaces = (relay.Node,)
        fields = ("name", "name_en", "created_at", "updated_at")

    @classmethod
    def get_queryset(cls, queryset, info):
        visible = _visible_reports(principal(info)).values("pk")
        return queryset.filter(pk__in=visible).select_related("owner")

    @staticmethod
    def resolve_display_name(report, info):
        return report.display_name

    @staticmethod
    def resolve_dataset(report, info):
        return str((report.spec or {}).get("dataset") or "") if isinstance(report.spec, dict) else ""

    @staticmethod
    def resolve_view(report, info):
        return report.view

    @staticmethod
    def resolve_spec(report, info):
        return report.spec

    @staticmethod
    def resolve_owner(report, info):
        owner = report.owner
        return (owner.full_name or owner.username) if owner else None


SavedReportSort = sort_enum(
    "SavedReportSort",
    {"NAME_ASC": SortKey("name"), "UPDATED_DESC": SortKey("updated_at", True)},
    description="The order of saved reports.",
)


def _saved_reports(root, info):
    from lowcode.reports.models import SavedReport

    return SavedReportNode.get_queryset(SavedReport.objects.all(), info)


ReportPeriod = graphene.Enum(
    "ReportPeriod",
    [(name.upper(), name) for name in sorted(RELATIVE)],
    description="A period relative to today, in the organisation's time zone.",
)
SavedReportOutput = graphene.Enum(
    "SavedReportOutput",
    [("SERIES", "series"), ("RECORDS", "records")],
    description="SERIES: the report's aggregated columns and rows; RECORDS: the records behind them.",
)


class SavedReportParameters(graphene.InputObjectType):
    """What to change for this run (the saved report itself is not changed)."""

    period = ReportPeriod(description="Replaces the report's filters on its date (the dataset's time field).")
    date_from = graphene.Date(name="from", description="From this day (replaces the date filters).")
    date_to = graphene.Date(name="to", description="Up to and including this day.")
    filters = GenericScalar(
        description='More filters, added to the report’s: a list of {"field", "op", "value"} as in runReport.'
    )
    limit = graphene.Int(description="At most this many rows (1–10,000) for SERIES.")
    output = SavedReportOutput(description="SERIES (default) or RECORDS.")
    cell = GenericScalar(
        description='RECORDS only: one figure’s groups, e.g. {"trade": "water", "submitted:month": "2026-05-01"}.'
    )


class ReportRecord(graphene.ObjectType):
    """One record behind a report's figures."""

    key = graphene.ID(required=True, description="The record's key in its module.")
    url = graphene.String(description="Its page in the console.")
    values = GenericScalar(required=True, description="Column key → the value shown (see `columns`).")


class ReportRecordConnection(relay.Connection):
    class Meta:
        node = ReportRecord

    total_count = graphene.Int(required=True, description="Records in all (counted only when asked).")

    @staticmethod
    def resolve_total_count(root, info):
        return root.iterable.count()


class SavedReportRun(graphene.ObjectType):
    report = graphene.Field(SavedReportNode, description="The report that ran (null when not found).")
    output = graphene.Field(SavedReportOutput, required=True)
    columns = graphene.List(graphene.NonNull(ReportColumn), required=True)
    rows = graphene.List(
        graphene.NonNull(GenericScalar), required=True, description="SERIES: as runReport's rows; else empty."
    )
    records = graphene.Field(
        ReportRecordConnection,
        first=graphene.Int(description="Page size (1–100)."),
        after=graphene.String(),
        description="RECORDS: the records, newest first (keyset cursors); null for SERIES or on errors.",
    )
    errors = graphene.List(graphene.NonNull(ReportsError), required=True)

    @staticmethod
    def resolve_records(run_result, info, first=None, after=None):
        found = getattr(run_result, "found", None)
        if found is None:
            return None
        dataset, queryset = found
        key = SortKey(dataset.time, descending=True)
        page, has_previous, has_next, total = paginate(queryset, key, first=first, after=after)
        shown = {row["pk"]: row for row in record_rows(dataset, queryset.filter(pk__in=[r.pk for r in page]))}
        edges = []
        for row in page:
            item = shown[row.pk]
            values = {k: v for k, v in item.items() if k not in ("pk", "url")}
            edges.append(
                ReportRecordConnection.Edge(
                    node=ReportRecord(key=row.pk, url=item["url"], values=_plain(values)),
                    cursor=cursor_of(row, key),
                )
            )
        connection = ReportRecordConnection(
            edges=edges,
            page_info=relay.PageInfo(
                has_previous_page=has_previous,
                has_next_page=has_next,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )
        connection.iterable = total
        return connection


def with_parameters(spec, parameters, dataset) -> tuple[dict, int]:
    """The report's spec with the run's parameters applied, and how many filters were the
    report's own (those after are the parameters' `filters`). ReportError names the parameter."""
    spec = dict(spec)
    filters = spec.get("filters") or []
    if not isinstance(filters, list):
        raise ReportError("filters", _("Filters are a list."), "bad_filter")
    filters = list(filters)
    period = parameters.get("period")
    period = getattr(period, "value", period)
    start, end = parameters.get("date_from"), parameters.get("date_to")
    time_dimension = next(
        (d for d in dataset.dimensions if d.path == dataset.time and d.kind == "time"), None
    )
    if period or start or end:
        if time_dimension is None:
            raise ReportError(
                "parameters.period", _("This report has no date to choose a period of."), "bad_period"
            )
        if period and (start or end):
            raise ReportError(
                "parameters.period", _("Give a period or dates (from, to), not both."), "bad_period"
            )
        if start and end and end < start:
            raise ReportError("parameters.to", _("The last day cannot come before the first."), "bad_period")
        filters = [f for f in filters if not (isinstance(f, dict) and f.get("field") == time_dimension.key)]
        if period:
            filters.append({"field": time_dimension.key, "op": "relative", "value": period})
        if start:
            filters.append({"field": time_dimension.key, "op": "gte", "value": start.isoformat()})
        if end:
            following = end + dt.timedelta(days=1)
            filters.append({"field": time_dimension.key, "op": "lt", "value": following.isoformat()})
    own = len(filters)
    extra = parameters.get("filters")
    if extra is not None:
        if not isinstance(extra, list) or len(extra) > 20:
            raise ReportError("parameters.filters", _("Give a list of at most 20 filters."), "bad_filter")
        filters += extra
    spec["filters"] = filters
    if parameters.get("limit") is not None:
        limit = parameters["limit"]
        if not 1 <= limit <= MAX_LIMIT:
            raise ReportError("parameters.limit", _("At most 10,000 rows."), "bad_limit")
        spec["limit"] = limit
    return spec, own


def _where(where: str, own: int) -> str:
    """A compiler's "filters[n]" for an added filter → "parameters.filters[n - own]"."""
    if where.startswith("filters[") and where.endswith("]"):
        try:
            index = int(where[len("filters[") : -1])
        except ValueError:
            return where
        if index >= own:
            return f"parameters.filters[{index - own}]"
    return where


def _error(where: str, code: str, message: str) -> ReportsError:
    code = code.upper() if code and code.upper() in ERROR_CODES else "BAD_REPORT"
    return ReportsError(where=where, code=getattr(ReportsErrorCode, code).value, message=message)


def resolve_run_saved_report(root, info, id, parameters=None) -> SavedReportRun:
    parameters = dict(parameters or {})
    output = getattr(parameters.get("output"), "value", parameters.get("output")) or "series"

    def failure(error, report=None):
        return SavedReportRun(report=report, output=output, columns=[], rows=[], errors=[error])

    try:
        _type, pk = decode_id(id, SavedReportNode)
        report = SavedReportNode.get_node(info, pk)
    except GraphQLError:
        report = None
    if report is None:
        return failure(_error("id", "NOT_FOUND", _("No such report here.")))
    who = principal(info)
    dataset = all_datasets().get(report.spec.get("dataset") if isinstance(report.spec, dict) else None)
    if dataset is None:
        return failure(_error("dataset", "UNKNOWN_DATASET", _("Its dataset is not available.")), report)
    own = 0
    try:
        spec, own = with_parameters(report.spec, parameters, dataset)
        if output == "records":
            found = records(spec, principal=who, cell=parameters.get("cell"))
            columns = [ReportColumn(key=c.key, label=str(c.label), kind="column") for c in dataset.columns]
            result = SavedReportRun(report=report, output=output, columns=columns, rows=[], errors=[])
            result.found = found
            return result
        if parameters.get("cell") is not None:
            raise ReportError("parameters.cell", _("A cell is for the RECORDS output."), "bad_parameters")
        result = run(spec, principal=who)
    except ReportError as exc:
        return failure(_error(_where(exc.where, own), exc.code, " ".join(exc.messages)), report)
    except (TypeError, ValueError, AttributeError):
        return failure(_error("", "bad_report", _("This report is not well formed.")), report)
    return SavedReportRun(
        report=report,
        output=output,
        columns=[ReportColumn(**column) for column in result.columns],
        rows=[_plain(row) for row in result.rows],
        errors=[],
    )


# --- Group headquarters: the subsidiaries' consolidated KPIs ---------------------------------


class GroupKpiFigures(graphene.ObjectType):
    orders = graphene.Int(required=True)
    completed = graphene.Int(required=True)
    response_sla = graphene.Float(description="% of responded orders responded in time.")
    resolution_sla = graphene.Float(description="% of completed orders completed in time.")
    rating_avg = graphene.Float(description="Average rating (1–5).")
    cost = graphene.Float(required=True, description="Labour and materials (¥).")
    response_p50 = graphene.Float(description="Median minutes from report to response.")
    resolution_p50 = graphene.Float(description="Median minutes from report to completion.")


class SubsidiaryKpis(graphene.ObjectType):
    id = graphene.ID(required=True, description="The subsidiary's key.")
    name = graphene.String(required=True)
    schema = graphene.String(required=True, description="Its short name (the console's drill-down uses it).")
    kpis = graphene.Field(GroupKpiFigures, required=True)


class GroupKpis(graphene.ObjectType):
    date_from = graphene.Date(name="from")
    date_to = graphene.Date(name="to", description="Inclusive.")
    subsidiaries = graphene.List(graphene.NonNull(SubsidiaryKpis), required=True)
    total = graphene.Field(GroupKpiFigures)
    errors = graphene.List(graphene.NonNull(ReportsError), required=True)


MAX_GROUP_DAYS = 3 * 366


def _figures(row: dict) -> GroupKpiFigures:
    from analytics.hq import rounded

    row = rounded(row)
    return GroupKpiFigures(
        orders=row["orders"] or 0,
        completed=row["completed"] or 0,
        response_sla=row["response_sla"],
        resolution_sla=row["resolution_sla"],
        rating_avg=row["rating_avg"],
        cost=float(row["cost"] or 0),
        response_p50=row["response_p50"],
        resolution_p50=row["resolution_p50"],
    )


def resolve_group_kpis(root, info, date_from=None, date_to=None) -> GroupKpis:
    from django.db import connection
    from django.utils import timezone

    from analytics import hq
    from identity.access import has_code

    tenant = getattr(info.context, "tenant", None) or getattr(connection, "tenant", None)
    if getattr(tenant, "kind", None) != "group" or not has_code(principal(info), "reports.hq"):
        raise api_error(
            "Only a group headquarters' HQ viewers read the consolidated figures.",
            ApiErrorCode.PERMISSION_DENIED,
        )
    today = timezone.localdate()
    if date_to is None:
        date_to = today
    if date_from is None:
        first = date_to.replace(day=1)
        year, index = divmod(first.month - 1 - 11, 12)
        date_from = first.replace(year=first.year + year, month=index + 1)
    errors = []
    if date_to < date_from:
        errors.append(_error("to", "BAD_PERIOD", _("The last day cannot come before the first.")))
    elif (date_to - date_from).days >= MAX_GROUP_DAYS:
        errors.append(_error("to", "BAD_PERIOD", _("Choose at most three years.")))
    if errors:
        return GroupKpis(date_from=date_from, date_to=date_to, subsidiaries=[], total=None, errors=errors)
    consolidated = hq.overview(tenant, date_from, date_to + dt.timedelta(days=1))
    return GroupKpis(
        date_from=date_from,
        date_to=date_to,
        subsidiaries=[
            SubsidiaryKpis(
                id=str(row["tenant"].pk),
                name=row["tenant"].name,
                schema=row["tenant"].schema_name,
                kpis=_figures(row),
            )
            for row in consolidated["subsidiaries"]
        ],
        total=_figures(consolidated["total"]),
        errors=[],
    )


class ReportsQuery(graphene.ObjectType):
    report_datasets = graphene.List(
        graphene.NonNull(ReportDataset),
        required=True,
        resolver=resolve_report_datasets,
        description="What the caller can report on (the datasets of the modules the organisation has on).",
    )
    run_report = graphene.Field(
        ReportResult,
        required=True,
        spec=GenericScalar(
            required=True,
            description='The report as a JSON object: {"dataset", "filters", "group_by", "measures", '
            '"sort", "limit"} (lowcode/reports/compiler.py).',
        ),
        resolver=resolve_run_report,
        description="Run a report: its columns and rows (aggregated), restricted to the caller's data scope.",
    )
    saved_reports = ConnectionField(
        SavedReportNode,
        resolver=_saved_reports,
        sort=SavedReportSort,
        default_sort="NAME_ASC",
        description="The saved reports the caller may open (their own, shared with their roles).",
    )
    run_saved_report = graphene.Field(
        SavedReportRun,
        required=True,
        id=graphene.ID(required=True, description="A SavedReport id."),
        parameters=graphene.Argument(SavedReportParameters),
        resolver=resolve_run_saved_report,
        description="Run a saved report, with a period, more filters or a limit for this run: its "
        "aggregated series, or (output RECORDS) the records behind it, page by page. A report the "
        "caller cannot open answers NOT_FOUND in `errors`.",
    )
    group_kpis = graphene.Field(
        GroupKpis,
        date_from=graphene.Date(name="from", description="First day (default: 12 months ago, 1st)."),
        date_to=graphene.Date(name="to", description="Last day, inclusive (default: today)."),
        resolver=resolve_group_kpis,
        description="Group headquarters: work-order KPIs per subsidiary (any depth) and in total, "
        "from the consolidated rollups. Others get PERMISSION_DENIED.",
    )
