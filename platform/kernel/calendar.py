"""Business hours: the organisation's working days, hours, holidays and swapped working days
(调休). Deadlines in business hours (workflow steps now, work-order SLAs later) are computed
here, in the organisation's time zone, and stored as plain timestamps (timers live in the
database: ARCHITECTURE.md §3.7).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import connection


def calendar():
    """This organisation's calendar (the defaults until someone changes them)."""
    from kernel.models import BusinessCalendar

    found = BusinessCalendar.objects.first()
    return found if found is not None else BusinessCalendar()


def _zone() -> ZoneInfo:
    tenant = getattr(connection, "tenant", None)
    return ZoneInfo(getattr(tenant, "time_zone", None) or "Asia/Shanghai")


def is_working_day(day: dt.date, cal) -> bool:
    if day.isoformat() in set(cal.extra_working_days or ()):
        return True
    if day.isoformat() in set(cal.holidays or ()):
        return False
    return day.weekday() in set(cal.working_weekdays or ())


def add_business_hours(start: dt.datetime, hours: float, cal=None) -> dt.datetime:
    """The moment `hours` of working time after `start` (an aware datetime)."""
    cal = cal or calendar()
    zone = _zone()
    moment = start.astimezone(zone)
    left = dt.timedelta(hours=hours)
    for _day in range(3660):  # ten years of days at most: a calendar with no working day stops here
        day = moment.date()
        opens = dt.datetime.combine(day, cal.day_starts, zone)
        closes = dt.datetime.combine(day, cal.day_ends, zone)
        if is_working_day(day, cal) and moment < closes:
            moment = max(moment, opens)
            if moment + left <= closes:
                return moment + left
            left -= closes - moment
        moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone)
    raise ValueError("the business calendar has no working time")
