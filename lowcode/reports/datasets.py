"""Reportable datasets: what a module lets people count, sum and compare (SPEC §4.3).

A module declares its datasets on `ModuleSpec.report_datasets` (a dotted path to a function
returning a list of `Dataset`). Each names its rows (a queryset restricted by the viewer's
data scope), its **dimensions** (what to group or filter by: a field, a time bucket) and its
**measures** (count, sum, average, min, max, percentiles, shares). Reports pick from these
by key only: the compiler (`compiler.py`) turns a report into ORM calls, so no text a user
typed ever becomes SQL — values travel as query parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Aggregate, Avg, Count, DurationField, F, FloatField, Max, Min, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("a fraction from 0 to 1")
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass(frozen=True)
class Dimension:
    key: str
    label: Any
    path: str  # ORM path of the value (e.g. "trade__code")
    kind: str = "category"  # "category", "time", "number", "boolean"
    label_path: str | None = None  # ORM path of what to show for it (e.g. "trade__name")
    choices: dict | None = None  # value → label, for fields with choices


@dataclass(frozen=True)
class Measure:
    key: str
    label: Any
    build: Callable[[], Any]  # → an aggregate expression
    unit: str = ""
    # Whether the figures of disjoint groups add up to the figure of their union (counts and
    # sums do; averages, percentiles, shares, min and max do not): pivot totals are shown only
    # for additive measures. None: read from the aggregate the builder makes.
    additive: bool | None = None

    def __post_init__(self):
        if self.additive is None:
            object.__setattr__(self, "additive", _is_additive(self.build))


@dataclass(frozen=True)
class Column:
    """A field of the underlying records, shown when drilling down into a figure."""

    key: str
    label: Any
    path: str  # ORM path of what to show (e.g. "trade__name")
    choices: dict | None = None


@dataclass
class Dataset:
    key: str
    label: Any
    module: str
    rows: Callable[[], Any]  # → the base queryset (the compiler restricts it by scope)
    time: str  # the dimension path relative dates apply to
    dimensions: list[Dimension] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    # Drill-down: the records' columns, and the console page of one record (by its pk).
    columns: list[Column] = field(default_factory=list)
    record_url: Callable[[int], str] | None = None

    def dimension(self, key: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.key == key), None)

    def measure(self, key: str) -> Measure | None:
        return next((m for m in self.measures if m.key == key), None)


def _is_additive(build: Callable[[], Any]) -> bool:
    """A plain COUNT or SUM (possibly wrapped in COALESCE) adds up across groups."""
    try:
        expression = build()
    except (TypeError, ValueError):  # a builder that needs more than a declaration has: say no
        return False
    if isinstance(expression, Coalesce):
        expression = expression.get_source_expressions()[0]
    if isinstance(expression, Count):
        return not expression.distinct
    return isinstance(expression, Sum)


# --- Building blocks for modules' declarations -------------------------------------------------


def count() -> Any:
    return Count("pk")


def total(path: str) -> Callable[[], Any]:
    return lambda: Coalesce(Sum(path), Value(0), output_field=FloatField())


def average(path: str) -> Callable[[], Any]:
    return lambda: Avg(Cast(path, FloatField()))


def lowest(path: str) -> Callable[[], Any]:
    return lambda: Min(path)


def highest(path: str) -> Callable[[], Any]:
    return lambda: Max(path)


def minutes_between(start: str, end: str, fraction: float) -> Callable[[], Any]:
    """The `fraction` percentile of the minutes from `start` to `end` (rows with both)."""
    from django.db.models import ExpressionWrapper
    from django.db.models.functions import Extract

    def build():
        span = ExpressionWrapper(F(end) - F(start), output_field=DurationField())
        return PercentileCont(
            Extract(span, "epoch") / 60.0,
            fraction,
            filter=Q(**{f"{start}__isnull": False, f"{end}__isnull": False}),
        )

    return build


def share(condition: Q, *, of: Q | None = None) -> Callable[[], Any]:
    """The percentage of rows (of those matching `of`) that match `condition`."""

    def build():
        base = of if of is not None else Q(pk__isnull=False)
        matching = Count("pk", filter=base & condition)
        # NULL (not an error) when no row matches `of`.
        return (
            Cast(matching, FloatField()) * 100.0 / NullIf(Cast(Count("pk", filter=base), FloatField()), 0.0)
        )

    return build


def all_datasets() -> dict[str, Dataset]:
    """Every dataset of the modules the current tenant has on."""
    from kernel import modules

    found: dict[str, Dataset] = {}
    for spec in modules.all_modules():
        path = getattr(spec, "report_datasets", None)
        if path and modules.is_enabled(spec.key):
            for dataset in spec.import_attr("report_datasets")():
                found[dataset.key] = dataset
    return found
