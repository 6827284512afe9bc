"""Statistics of work orders: each function takes the orders the viewer may see (a queryset
already run through `identity.access.restrict`) and a `Period`, and returns plain data.

Every figure is one aggregated SQL query over the period's orders (found through the
`submitted_at` index); nothing loops over orders in Python. Durations are in minutes,
percentages rounded to one decimal, medians and 90th percentiles by PostgreSQL's
`percentile_cont`. The period and its buckets (weeks, months) are in the organisation's
time zone.

Definitions (the page says them too):
- volume: every order submitted in the period (rejected and cancelled ones included);
- the other figures leave out rejected, cancelled and still-in-approval orders;
- response time: submitted → the worker took it (接单); resolution time: submitted → completed;
- SLA compliance: of the orders whose outcome is known (responded to, or already late),
  the share not late; the same for resolution;
- success rate of a worker: of their completed orders, the share never reopened;
- repeat fault: an order whose room had an order of the same trade in the 30 days before;
- desk workload: calls and walk-ins logged (orders) and the desk's own acts (timeline events)
  in the period, per officer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Aggregate, Avg, Count, F, FloatField, Func, Max, Q, QuerySet
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from modules.workorders.models import DESK_EVENT_KINDS, Event, WorkOrder

Status = WorkOrder.Status
NOT_COUNTED = (Status.REJECTED, Status.CANCELLED, Status.PENDING_APPROVAL)
REPEAT_DAYS = 30
# Timeline events that are the desk's own work (the automatic dispatch has no actor).
DESK_KINDS = DESK_EVENT_KINDS


# --- Periods ------------------------------------------------------------------------------------------


def zone() -> ZoneInfo:
    tenant = getattr(connection, "tenant", None)
    return ZoneInfo(getattr(tenant, "time_zone", None) or "Asia/Shanghai")


@dataclass(frozen=True)
class Period:
    kind: str  # month | last_month | 12m | custom
    first_day: dt.date  # inclusive
    last_day: dt.date  # inclusive
    unit: str  # week | month: the buckets of the volume chart

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first_day, dt.time.min, tzinfo=zone())

    @property
    def end(self) -> dt.datetime:
        """Exclusive: midnight after the last day."""
        return dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time.min, tzinfo=zone())

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def query(self) -> dict:
        """The period as the statistics page's query parameters."""
        if self.kind == "custom":
            return {"period": "custom", "from": self.first_day.isoformat(), "to": self.last_day.isoformat()}
        return {"period": self.kind}


MAX_CUSTOM_DAYS = 3 * 366


def _first_of_month(day: dt.date, back: int = 0) -> dt.date:
    month = day.year * 12 + day.month - 1 - back
    return dt.date(month // 12, month % 12 + 1, 1)


def period(kind: str = "month", *, first_day=None, last_day=None, today: dt.date | None = None) -> Period:
    """This month (weeks), last month (weeks), the last 12 months (months), or a custom range
    of days (weeks up to 92 days, months beyond). A bad custom range raises a ValidationError
    on the fields "from" / "to"."""
    from django.core.exceptions import ValidationError

    today = today or dt.datetime.now(zone()).date()
    if kind == "last_month":
        first = _first_of_month(today, 1)
        return Period("last_month", first, _first_of_month(today) - dt.timedelta(days=1), "week")
    if kind == "12m":
        return Period("12m", _first_of_month(today, 11), _next_month(today) - dt.timedelta(days=1), "month")
    if kind == "custom":
        errors = {}
        first, last = _date(first_day), _date(last_day)
        if first is None:
            errors["from"] = ValidationError(_("Give the first day (YYYY-MM-DD)."), code="invalid")
        if last is None:
            errors["to"] = ValidationError(_("Give the last day (YYYY-MM-DD)."), code="invalid")
        if first and last and last < first:
            errors["to"] = ValidationError(_("The last day comes before the first."), code="invalid")
        elif first and last and (last - first).days >= MAX_CUSTOM_DAYS:
            errors["to"] = ValidationError(_("At most three years at a time."), code="invalid")
        if errors:
            raise ValidationError(errors)
        return Period("custom", first, last, "week" if (last - first).days < 92 else "month")
    return Period("month", _first_of_month(today), _next_month(today) - dt.timedelta(days=1), "week")


def _next_month(day: dt.date) -> dt.date:
    return _first_of_month(day, -1)


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


# --- Building blocks ------------------------------------------------------------------------------------


class Percentile(Aggregate):
    """percentile_cont(fraction) WITHIN GROUP (ORDER BY expression) [FILTER (WHERE …)]."""

    function = "percentile_cont"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def minutes_between(later: str, earlier: str) -> Func:
    """Minutes as float8: date_part, not EXTRACT (which gives numeric since PostgreSQL 14 and
    sorts several times slower in the percentiles)."""
    return Func(
        F(later) - F(earlier),
        template="(date_part('epoch', %(expressions)s) / 60.0)",
        output_field=FloatField(),
    )


RESPONSE = minutes_between("responded_at", "submitted_at")
RESOLUTION = minutes_between("completed_at", "submitted_at")
LIVE = ~Q(status__in=NOT_COUNTED)
RESPONDED = Q(responded_at__isnull=False)
COMPLETED = Q(completed_at__isnull=False)
RESPONSE_DECIDED = Q(responded_at__isnull=False) | Q(response_breached=True)
RESOLUTION_DECIDED = Q(completed_at__isnull=False) | Q(resolution_breached=True)


def in_period(orders: QuerySet, p: Period) -> QuerySet:
    return orders.filter(submitted_at__gte=p.start, submitted_at__lt=p.end).order_by()


def counted(orders: QuerySet, p: Period) -> QuerySet:
    return in_period(orders, p).exclude(status__in=NOT_COUNTED)


def _name(zh: str | None, en: str | None) -> str:
    if en and (get_language() or "").startswith("en"):
        return en
    return zh or ""


def _round(value, digits=1):
    return None if value is None else round(float(value), digits)


def _rate(part: int, whole: int):
    return round(100 * part / whole, 1) if whole else None


def is_restricted(orders: QuerySet) -> bool:
    """Does the queryset filter anything (a scoped viewer), or is it every order?"""
    return bool(orders.query.where)


def drill(p: Period, **filters) -> str:
    """The console's order list filtered like a bar or slice of a chart (and the period)."""
    query = {"submitted_at_from": p.first_day.isoformat(), "submitted_at_to": p.last_day.isoformat()}
    query.update({key: value for key, value in filters.items() if value not in (None, "")})
    return f"{reverse('workorders_order:index')}?{urlencode(query)}"


def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    """The SQL of a (restricted) queryset, to be wrapped in an aggregate Django cannot express.
    A scope that matches nothing (Django will not even write its SQL) becomes the same columns
    with no rows."""
    from django.core.exceptions import EmptyResultSet
    from django.db.models.sql.where import WhereNode

    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        nothing = queryset.all()
        nothing.query.where = WhereNode()
        sql, params = nothing.filter(pk__isnull=True).query.sql_with_params()
    return sql, tuple(params)


# --- Figures ----------------------------------------------------------------------------------------------


def summary(orders: QuerySet, p: Period) -> dict:
    """Totals, response and resolution times (median, p90), SLA compliance, ratings and cost:
    one pass over the period's orders. Each order's minutes and "counted" flag are worked out
    once in the inner query (OFFSET 0 keeps them there); each percentile pair is one sort."""
    from django.db.models import BooleanField, ExpressionWrapper

    inner = (
        in_period(orders, p)
        .annotate(
            live=ExpressionWrapper(LIVE, output_field=BooleanField()),
            response=RESPONSE,
            resolution=RESOLUTION,
        )
        .values(
            "status",
            "live",
            "response",
            "resolution",
            "response_breached",
            "resolution_breached",
            "rating",
            "auto_accepted",
            "total_cost",
        )
    )
    inner_sql, inner_params = _sql(inner)
    stars = ", ".join(f"COUNT(*) FILTER (WHERE live AND rating = {n})" for n in range(1, 6))
    sql = f"""
        SELECT COUNT(*),
               COUNT(*) FILTER (WHERE status = %s),
               COUNT(*) FILTER (WHERE status = %s),
               COUNT(*) FILTER (WHERE status = ANY(%s)),
               COUNT(*) FILTER (WHERE live AND resolution IS NOT NULL),
               COUNT(*) FILTER (WHERE live AND response IS NOT NULL),
               percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY response)
                   FILTER (WHERE live AND response IS NOT NULL),
               percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY resolution)
                   FILTER (WHERE live AND resolution IS NOT NULL),
               COUNT(*) FILTER (WHERE live AND (response IS NOT NULL OR response_breached)),
               COUNT(*) FILTER (WHERE live AND (response IS NOT NULL OR response_breached) AND NOT response_breached),
               COUNT(*) FILTER (WHERE live AND (resolution IS NOT NULL OR resolution_breached)),
               COUNT(*) FILTER (WHERE live AND (resolution IS NOT NULL OR resolution_breached)
                                AND NOT resolution_breached),
               AVG(rating) FILTER (WHERE live),
               COUNT(*) FILTER (WHERE live AND rating IS NULL AND auto_accepted),
               SUM(total_cost) FILTER (WHERE live),
               {stars}
        FROM ({inner_sql} OFFSET 0) AS scoped
    """
    params = (Status.REJECTED.value, Status.CANCELLED.value, list(WorkOrder.OPEN), *inner_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchone()
    names = [
        "total",
        "rejected",
        "cancelled",
        "open",
        "completed",
        "responded",
        "response",
        "resolution",
        "response_decided",
        "response_met",
        "resolution_decided",
        "resolution_met",
        "rating_avg",
        "unrated",
        "cost",
        "stars_1",
        "stars_2",
        "stars_3",
        "stars_4",
        "stars_5",
    ]
    row = dict(zip(names, values, strict=True))
    response = row["response"] or [None, None]
    resolution = row["resolution"] or [None, None]
    ratings = {n: row[f"stars_{n}"] for n in range(1, 6)}
    return {
        "total": row["total"],
        "open": row["open"],
        "completed": row["completed"],
        "rejected": row["rejected"],
        "cancelled": row["cancelled"],
        "response": {"count": row["responded"], "median": _round(response[0]), "p90": _round(response[1])},
        "resolution": {
            "count": row["completed"],
            "median": _round(resolution[0]),
            "p90": _round(resolution[1]),
        },
        "sla": {
            "response": {
                "met": row["response_met"],
                "decided": row["response_decided"],
                "rate": _rate(row["response_met"], row["response_decided"]),
            },
            "resolution": {
                "met": row["resolution_met"],
                "decided": row["resolution_decided"],
                "rate": _rate(row["resolution_met"], row["resolution_decided"]),
            },
        },
        "rating": {"count": sum(ratings.values()), "average": _round(row["rating_avg"], 2)},
        "ratings": ratings,
        "unrated": row["unrated"],
        "cost": row["cost"] or 0,
    }


GROUPED = ("bucket", "trade_id", "building_id", "department_id", "desk_officer_id")
SLA_FLAGS = {
    "response_decided": RESPONSE_DECIDED & LIVE,
    "response_met": RESPONSE_DECIDED & Q(response_breached=False) & LIVE,
    "resolution_decided": RESOLUTION_DECIDED & LIVE,
    "resolution_met": RESOLUTION_DECIDED & Q(resolution_breached=False) & LIVE,
}


def grouped_counts(orders: QuerySet, p: Period) -> dict[str, dict]:
    """Orders per week (or month), trade (with its SLA counts), building, department and
    logging desk officer: one pass with GROUPING SETS (a hash table per set) instead of five
    scans. The SLA conditions are worked out once per order in the inner query (OFFSET 0
    keeps PostgreSQL from copying them into every aggregate)."""
    from django.contrib.postgres.fields import ArrayField
    from django.db.models import BooleanField, DateTimeField, ExpressionWrapper, IntegerField, Value

    # The bucket of each order: its place among the buckets' first moments (worked out here in
    # the organisation's time zone), found by width_bucket's binary search — cheaper per row
    # than converting every timestamp to local time and truncating it.
    starts = [dt.datetime.combine(day, dt.time.min, tzinfo=zone()) for day in _buckets(p)]
    inner = (
        in_period(orders, p)
        .annotate(
            bucket=Func(
                F("submitted_at"),
                Value(starts, output_field=ArrayField(DateTimeField())),
                function="width_bucket",
                output_field=IntegerField(),
            ),
            **{flag: ExpressionWrapper(q, output_field=BooleanField()) for flag, q in SLA_FLAGS.items()},
        )
        .values(*GROUPED, *SLA_FLAGS)
    )
    inner_sql, params = _sql(inner)
    flags = ", ".join(f"COUNT(*) FILTER (WHERE {flag})" for flag in SLA_FLAGS)
    sql = f"""
        SELECT GROUPING(bucket), GROUPING(trade_id), GROUPING(building_id), GROUPING(department_id),
               bucket, trade_id, building_id, department_id, desk_officer_id, COUNT(*), {flags}
        FROM ({inner_sql} OFFSET 0) AS scoped
        GROUP BY GROUPING SETS ((bucket), (trade_id), (building_id), (department_id), (desk_officer_id))
    """
    result: dict[str, dict] = {key: {} for key in GROUPED}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            g_bucket, g_trade, g_building, g_department = row[:4]
            bucket, trade, building, department, officer, n = row[4:10]
            if not g_bucket:
                result["bucket"][starts[bucket - 1].date()] = n
            elif not g_trade:
                result["trade_id"][trade] = {"n": n, **dict(zip(SLA_FLAGS, row[10:], strict=True))}
            elif not g_building:
                result["building_id"][building] = n
            elif not g_department:
                result["department_id"][department] = n
            elif officer is not None:
                result["desk_officer_id"][officer] = n
    return result


def _buckets(p: Period) -> list[dt.date]:
    """The first day of every week (Monday) or month overlapping the period."""
    if p.unit == "month":
        days, day = [], _first_of_month(p.first_day)
        while day <= p.last_day:
            days.append(day)
            day = _next_month(day)
        return days
    day = p.first_day - dt.timedelta(days=p.first_day.weekday())
    days = []
    while day <= p.last_day:
        days.append(day)
        day += dt.timedelta(days=7)
    return days


def volume(orders: QuerySet, p: Period, counts: dict | None = None) -> dict:
    """Orders submitted per week or month, with a least-squares trend line (fitted over the
    buckets, not the orders) and each bucket's drill-down link."""
    per_bucket = (counts or grouped_counts(orders, p))["bucket"]
    buckets = []
    for first in _buckets(p):
        last = (_next_month(first) if p.unit == "month" else first + dt.timedelta(days=7)) - dt.timedelta(
            days=1
        )
        shown_first, shown_last = max(first, p.first_day), min(last, p.last_day)
        buckets.append(
            {
                "start": first,
                "label": first.strftime("%Y-%m") if p.unit == "month" else first.strftime("%m-%d"),
                "count": per_bucket.get(first, 0),
                "url": drill(Period("custom", shown_first, shown_last, p.unit)),
            }
        )
    n = len(buckets)
    slope = intercept = 0.0
    if n >= 2:
        mean_x = (n - 1) / 2
        mean_y = sum(b["count"] for b in buckets) / n
        sxx = sum((i - mean_x) ** 2 for i in range(n))
        slope = sum((i - mean_x) * (b["count"] - mean_y) for i, b in enumerate(buckets)) / sxx
        intercept = mean_y - slope * mean_x
    elif n == 1:
        intercept = float(buckets[0]["count"])
    for i, bucket in enumerate(buckets):
        bucket["trend"] = round(intercept + slope * i, 1)
    return {"unit": p.unit, "buckets": buckets, "slope": round(slope, 2), "total": sum(per_bucket.values())}


def _names(model, ids) -> dict:
    return {
        row["pk"]: _name(row["name"], row["name_en"])
        for row in model.objects.filter(pk__in=[i for i in ids if i is not None]).values(
            "pk", "name", "name_en"
        )
    }


def breakdown(
    orders: QuerySet, p: Period, dimension: str, limit: int = 30, counts: dict | None = None
) -> list[dict]:
    """Orders per trade (with SLA compliance per trade), building or charged department, most
    first; each with its drill-down link."""
    from identity.models import Department
    from modules.spaces.models import Building
    from modules.workorders.models import Trade

    counts = counts or grouped_counts(orders, p)
    if dimension == "trade":
        ranked = sorted(counts["trade_id"].items(), key=lambda item: (-item[1]["n"], item[0]))[:limit]
        names = _names(Trade, [pk for pk, _row in ranked])
        return [
            {
                "id": pk,
                "name": names.get(pk, "?"),
                "count": row["n"],
                "response_rate": _rate(row["response_met"], row["response_decided"]),
                "resolution_rate": _rate(row["resolution_met"], row["resolution_decided"]),
                "url": drill(p, trade=pk),
                "late_url": drill(p, trade=pk, response_breached="true"),
            }
            for pk, row in ranked
        ]
    key = {"building": "building_id", "department": "department_id"}[dimension]
    per_key = counts[key]
    ranked = sorted(per_key.items(), key=lambda item: (-item[1], item[0] is None, item[0] or 0))[:limit]
    names = _names(Building if dimension == "building" else Department, [pk for pk, _n in ranked])
    return [
        {
            "id": pk,
            "name": names.get(pk, "?") if pk is not None else _("(none)"),
            "count": n,
            "url": drill(p, **{dimension: pk}) if pk is not None else None,
        }
        for pk, n in ranked
    ]


def league(orders: QuerySet, p: Period, limit: int = 50) -> list[dict]:
    """Workers: orders given to them in the period, completed, median resolution time, average
    rating, success rate (completed and never reopened), most completed first."""
    from identity.models import User

    rows = list(
        counted(orders, p)
        .filter(assignee__isnull=False)
        .values("assignee_id")
        .annotate(
            n=Count("id"),
            done=Count("id", filter=COMPLETED),
            first_time=Count("id", filter=COMPLETED & Q(reopen_count=0)),
            median=Percentile(RESOLUTION, 0.5, filter=COMPLETED),
            rating_avg=Avg("rating"),
            rated_count=Count("rating"),
        )
        .order_by("-done", "-n", "assignee_id")[:limit]
    )
    people = {
        user.pk: str(user)
        for user in User.objects.filter(pk__in=[r["assignee_id"] for r in rows]).only("full_name", "username")
    }
    return [
        {
            "id": row["assignee_id"],
            "name": people.get(row["assignee_id"], "?"),
            "count": row["n"],
            "completed": row["done"],
            "median_minutes": _round(row["median"]),
            "average_rating": _round(row["rating_avg"], 2),
            "rated": row["rated_count"],
            "success_rate": _rate(row["first_time"], row["done"]),
            "url": drill(p, assignee=row["assignee_id"]),
        }
        for row in rows
    ]


def desk_workload(orders: QuerySet, p: Period, counts: dict | None = None) -> list[dict]:
    """Per desk officer: calls and walk-ins logged in the period, and the desk's acts recorded
    on the timeline in the period (accepted, dispatched by hand, reassigned, rejected,
    revisited, closed) on orders the viewer may see. The events are found through a partial
    index on the desk's kinds (`wo_event_desk`)."""
    from identity.models import User

    logged = (counts or grouped_counts(orders, p))["desk_officer_id"]
    events = Event.objects.filter(at__gte=p.start, at__lt=p.end, kind__in=DESK_KINDS, actor__isnull=False)
    if is_restricted(orders):
        events = events.filter(order__in=orders.order_by().values("pk"))
    acts = {
        row["actor_id"]: row
        for row in events.order_by()
        .values("actor_id")
        .annotate(**{kind: Count("id", filter=Q(kind=kind)) for kind in DESK_KINDS})
    }
    people = {
        user.pk: str(user)
        for user in User.objects.filter(pk__in=set(logged) | set(acts)).only("full_name", "username")
    }
    result = []
    for pk in set(logged) | set(acts):
        row = {"id": pk, "name": people.get(pk, "?"), "logged": logged.get(pk, 0)}
        row.update({kind: acts.get(pk, {}).get(kind, 0) for kind in DESK_KINDS})
        row["total"] = row["logged"] + sum(row[kind] for kind in DESK_KINDS)
        row["url"] = drill(p, desk_officer=pk) if row["logged"] else None
        result.append(row)
    result.sort(key=lambda r: (-r["total"], r["name"]))
    return result


def repeat_faults(orders: QuerySet, p: Period, days: int = REPEAT_DAYS, limit: int = 20) -> list[dict]:
    """Rooms with the same trade reported again within `days` of the previous order: per room
    and trade, the period's orders and how many of them were repeats. A window function gives
    each order's gap to the previous one in the period; the first of a room and trade in the
    period is compared with the last one in the `days` before it (a hash aggregate, not a
    second sort). Rejected and cancelled orders do not count."""
    from modules.spaces.models import Room
    from modules.workorders.models import Trade

    window = dt.timedelta(days=days)
    real = ~Q(status__in=(Status.REJECTED, Status.CANCELLED))
    current_sql, current_params = _sql(
        in_period(orders, p).filter(real).values("room_id", "trade_id", "submitted_at")
    )
    before_sql, before_params = _sql(
        orders.filter(real, submitted_at__gte=p.start - window, submitted_at__lt=p.start)
        .order_by()
        .values("room_id", "trade_id")
        .annotate(last_at=Max("submitted_at"))
    )
    repeat = "(c.gap <= %s OR (c.nth = 1 AND c.submitted_at - b.last_at <= %s))"
    sql = f"""
        SELECT c.room_id, c.trade_id, COUNT(*) AS orders,
               COUNT(*) FILTER (WHERE {repeat}) AS repeats, MAX(c.submitted_at) AS last_at
        FROM (
            SELECT room_id, trade_id, submitted_at,
                   submitted_at - LAG(submitted_at) OVER w AS gap, ROW_NUMBER() OVER w AS nth
            FROM ({current_sql}) AS scoped
            WINDOW w AS (PARTITION BY room_id, trade_id ORDER BY submitted_at)
        ) AS c
        LEFT JOIN ({before_sql}) AS b ON b.room_id = c.room_id AND b.trade_id = c.trade_id
        GROUP BY c.room_id, c.trade_id
        HAVING COUNT(*) FILTER (WHERE {repeat}) > 0
        ORDER BY repeats DESC, orders DESC, c.room_id, c.trade_id
        LIMIT %s
    """
    params = (window, window, *current_params, *before_params, window, window, limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    rooms = {
        room.pk: room
        for room in Room.objects.filter(pk__in={r[0] for r in rows}).select_related("floor__building")
    }
    trades = _names(Trade, {r[1] for r in rows})
    since = Period("custom", (p.start - window).date(), p.last_day, p.unit)
    return [
        {
            "room_id": room_id,
            "room": str(rooms[room_id]) if room_id in rooms else "?",
            "building": str(rooms[room_id].floor.building) if room_id in rooms else "",
            "trade_id": trade_id,
            "trade": trades.get(trade_id, "?"),
            "orders": count,
            "repeats": repeats,
            "last_at": last_at,
            "url": drill(since, room=room_id, trade=trade_id),
        }
        for room_id, trade_id, count, repeats, last_at in rows
    ]


def satisfaction(orders: QuerySet, p: Period, figures: dict | None = None) -> dict:
    """Ratings 1–5 of the period's orders, and how many were taken as accepted unrated (from
    the summary's pass)."""
    figures = figures or summary(orders, p)
    scores = [{"rating": n, "count": figures["ratings"][n], "url": drill(p, rating=n)} for n in range(1, 6)]
    rated = sum(s["count"] for s in scores)
    return {
        "scores": scores,
        "unrated": figures["unrated"],
        "rated": rated,
        "average": round(sum(s["rating"] * s["count"] for s in scores) / rated, 2) if rated else None,
        "low_share": _rate(sum(s["count"] for s in scores if s["rating"] <= 2), rated),
    }


def page(orders: QuerySet, p: Period) -> dict:
    """Everything the statistics page shows (the benchmark times this): four queries over the
    period's orders (summary, grouped counts, workers, repeat faults), one over the desk's
    events, and look-ups of names, in one transaction with room to sort in
    memory (work_mem) and no JIT compilation (it costs more than it saves on these)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
        figures = summary(orders, p)
        counts = grouped_counts(orders, p)
        return {
            "summary": figures,
            "volume": volume(orders, p, counts),
            "by_trade": breakdown(orders, p, "trade", counts=counts),
            "by_building": breakdown(orders, p, "building", counts=counts),
            "by_department": breakdown(orders, p, "department", counts=counts),
            "league": league(orders, p),
            "desk": desk_workload(orders, p, counts),
            "repeats": repeat_faults(orders, p),
            "satisfaction": satisfaction(orders, p, figures),
        }


# --- Chargeback ----------------------------------------------------------------------------------------


def chargeback(orders: QuerySet, month: dt.date, department=None) -> dict:
    """The monthly statement: chargeable orders completed in the month (labour + materials per
    order), grouped by the charged department with subtotals and a total. `department` limits it
    to that department and the ones below it."""
    from decimal import Decimal

    first = _first_of_month(month)
    p = Period("custom", first, _next_month(first) - dt.timedelta(days=1), "month")
    rows = orders.filter(
        completed_at__gte=p.start,
        completed_at__lt=p.end,
        completed_at__isnull=False,
        chargeable=True,
        status__in=(Status.COMPLETED, Status.VERIFIED, Status.CLOSED),
    )
    if department is not None:
        rows = rows.filter(department__path__startswith=department.path)
    rows = rows.order_by("department__path", "completed_at", "pk").values(
        "pk",
        "number",
        "completed_at",
        "department_id",
        "department__name",
        "department__name_en",
        "department__code",
        "trade__name",
        "trade__name_en",
        "room__name",
        "room__name_en",
        "building__name",
        "building__name_en",
        "description",
        "labour_minutes",
        "labour_cost",
        "material_cost",
        "total_cost",
    )
    groups: dict = {}
    zero = Decimal("0.00")
    for row in rows:  # the statement's own lines: one per chargeable order of the month
        group = groups.setdefault(
            row["department_id"],
            {
                "id": row["department_id"],
                "code": row["department__code"] or "",
                "name": _name(row["department__name"], row["department__name_en"]) or _("(no department)"),
                "orders": [],
                "labour": zero,
                "materials": zero,
                "total": zero,
            },
        )
        group["orders"].append(
            {
                "number": row["number"],
                "completed_at": row["completed_at"].astimezone(zone()),
                "trade": _name(row["trade__name"], row["trade__name_en"]),
                "location": f"{_name(row['building__name'], row['building__name_en'])} "
                f"{_name(row['room__name'], row['room__name_en'])}".strip(),
                "description": row["description"],
                "labour_minutes": row["labour_minutes"],
                "labour": row["labour_cost"],
                "materials": row["material_cost"],
                "total": row["total_cost"],
            }
        )
        group["labour"] += row["labour_cost"]
        group["materials"] += row["material_cost"]
        group["total"] += row["total_cost"]
    departments = list(groups.values())
    return {
        "month": first,
        "department": department,
        "departments": departments,
        "count": sum(len(g["orders"]) for g in departments),
        "labour": sum((g["labour"] for g in departments), zero),
        "materials": sum((g["materials"] for g in departments), zero),
        "total": sum((g["total"] for g in departments), zero),
    }
