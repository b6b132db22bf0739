"""The period every figure is about: a month (``2022-05``), a quarter (``2022-Q2``), a year (``2022``) or a
free range of days (``2022-05-01..2022-05-07``), with the periods it is compared to.

Screens, the PDF/XLSX and ``hue-ioc kpis`` take the same ``Period``, so "so với kỳ trước" means the same
everywhere: the previous month, quarter or year; for a free range, the same number of days just before it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from core.tz import VN_TZ

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
KINDS = ("month", "quarter", "year", "range")


@dataclass(frozen=True)
class Period:
    """``start`` and ``end`` are inclusive dates (Vietnam time). Build one with ``month``, ``quarter``,
    ``year``, ``range`` or ``parse``."""

    kind: str  # month | quarter | year | range
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"loại kỳ không hợp lệ / invalid period kind {self.kind!r}")
        if self.end < self.start:
            raise ValueError(f"kỳ kết thúc trước khi bắt đầu / period ends before it starts: {self.start}..{self.end}")

    # ------------------------------------------------------------ constructors
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise ValueError(f"tháng không hợp lệ / invalid month: {year}-{month:02d}")
        return cls("month", dt.date(year, month, 1), _month_end(year, month))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValueError(f"quý không hợp lệ / invalid quarter: {year}-Q{quarter}")
        first = 3 * (quarter - 1) + 1
        return cls("quarter", dt.date(year, first, 1), _month_end(year, first + 2))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls("year", dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def range(cls, start: dt.date, end: dt.date) -> Period:
        return cls("range", start, end)

    @classmethod
    def last_complete_month(cls, last_day: dt.date, first_day: dt.date | None = None) -> Period:
        """The newest month the data covers to its end: the month of ``last_day`` when that day closes it,
        else the month before (its tail is still open: a default period ending mid-month shows a false drop).
        When the data starts after that month began (less than one whole month of data), the month of
        ``last_day``."""
        if (last_day + dt.timedelta(days=1)).month != last_day.month:
            return cls.month(last_day.year, last_day.month)
        prev = cls.month(*_add_months(last_day.year, last_day.month, -1))
        if first_day is not None and first_day > prev.start:
            return cls.month(last_day.year, last_day.month)
        return prev

    @classmethod
    def parse(cls, text: str) -> Period:
        """"2022-05", "2022-Q2", "2022" or "2022-05-01..2022-05-07" (both days included)."""
        text = text.strip()
        if m := _MONTH.match(text):
            return cls.month(int(m.group(1)), int(m.group(2)))
        if m := _QUARTER.match(text):
            return cls.quarter(int(m.group(1)), int(m.group(2)))
        if m := _YEAR.match(text):
            return cls.year(int(m.group(1)))
        if m := _RANGE.match(text):
            try:
                start, end = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
            except ValueError as exc:
                raise ValueError(f"ngày không hợp lệ / invalid date in {text!r}") from exc
            return cls.range(start, end)
        raise ValueError(f"kỳ báo cáo không hợp lệ / invalid period {text!r}: use YYYY-MM, YYYY-Qn, YYYY "
                         "or YYYY-MM-DD..YYYY-MM-DD")

    # ------------------------------------------------------------ names
    @property
    def index(self) -> int:
        """Month 1-12, quarter 1-4, 1 for a year; 0 for a free range."""
        if self.kind == "month":
            return self.start.month
        if self.kind == "quarter":
            return (self.start.month - 1) // 3 + 1
        return 1 if self.kind == "year" else 0

    @property
    def label(self) -> str:
        """The text ``parse`` reads back (also the file-name part of a report)."""
        y = self.start.year
        return {"month": f"{y}-{self.start.month:02d}", "quarter": f"{y}-Q{self.index}", "year": f"{y}",
                "range": f"{self.start.isoformat()}..{self.end.isoformat()}"}[self.kind]

    @property
    def label_vi(self) -> str:
        y = self.start.year
        if self.kind == "month":
            return f"Tháng {self.start.month:02d}/{y}"
        if self.kind == "quarter":
            return f"Quý {self.index}/{y}"
        if self.kind == "year":
            return f"Năm {y}"
        return f"Từ {self.start:%d/%m/%Y} đến {self.end:%d/%m/%Y}"

    @property
    def label_en(self) -> str:
        y = self.start.year
        if self.kind == "month":
            return self.start.strftime("%B %Y")
        if self.kind == "quarter":
            return f"Q{self.index} {y}"
        if self.kind == "year":
            return f"Year {y}"
        return f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"

    # ------------------------------------------------------------ extent
    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> list[str]:
        """The ``YYYY-MM`` months it touches (the keys of gold.unit_performance)."""
        out = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y}-{m:02d}")
            y, m = _add_months(y, m, 1)
        return out

    @property
    def start_ts(self) -> dt.datetime:
        """Midnight starting ``start`` in Vietnam time (the lake stores instants)."""
        return dt.datetime.combine(self.start, dt.time(0), VN_TZ)

    @property
    def end_ts(self) -> dt.datetime:
        """Exclusive end: midnight after ``end``, Vietnam time."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(0), VN_TZ)

    # ------------------------------------------------------------ comparisons
    def previous(self) -> Period:
        """The previous month / quarter / year; for a free range, the same number of days just before it."""
        if self.kind == "month":
            return Period.month(*_add_months(self.start.year, self.start.month, -1))
        if self.kind == "quarter":
            y, m = _add_months(self.start.year, self.start.month, -3)
            return Period.quarter(y, (m - 1) // 3 + 1)
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        end = self.start - dt.timedelta(days=1)
        return Period.range(end - dt.timedelta(days=self.days - 1), end)

    def same_period_last_year(self) -> Period:
        """The same month / quarter / year a year earlier; a free range moved back one year (29 Feb → 28 Feb)."""
        if self.kind == "month":
            return Period.month(self.start.year - 1, self.start.month)
        if self.kind == "quarter":
            return Period.quarter(self.start.year - 1, self.index)
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        return Period.range(_year_back(self.start), _year_back(self.end))


def _add_months(year: int, month: int, k: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + k
    return total // 12, total % 12 + 1


def _month_end(year: int, month: int) -> dt.date:
    y, m = _add_months(year, month, 1)
    return dt.date(y, m, 1) - dt.timedelta(days=1)


def _year_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
