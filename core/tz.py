"""Vietnam time: the one time zone every screen, report and deadline is read in, and how a moment
given by a person ("2022-06-01", "2022-06-01T08:00+07:00") is read."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

# The IANA name, for DuckDB (timezone(VN_TZ_NAME, col)), polars (convert_time_zone) and Dagster schedules.
VN_TZ_NAME = "Asia/Ho_Chi_Minh"
VN_TZ = ZoneInfo(VN_TZ_NAME)


def parse_moment(value: dt.datetime | dt.date | str) -> dt.datetime:
    """A moment to time-travel to. A date (or a date-only string such as "2022-06-01") means the end of
    that day in Vietnam time; a time without a zone is taken as UTC."""
    if isinstance(value, str):
        value = value.strip().replace("Z", "+00:00")
        value = dt.date.fromisoformat(value) if len(value) == 10 else dt.datetime.fromisoformat(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(23, 59, 59, 999999), VN_TZ)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def day_window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants bounding the Vietnam days ``start``..``end`` (both included): [from, to)."""
    return (dt.datetime.combine(start, dt.time(0), VN_TZ),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), VN_TZ))
