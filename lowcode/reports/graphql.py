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
from graphene.types.generic import GenericScalar

from kernel.graphql.scoped import principal
from lowcode.reports.compiler import ReportError, run
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
    kind = graphene.String(required=True, description='"dimension" or "measure".')


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
