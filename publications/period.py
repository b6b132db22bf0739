"""Report periods: a month (``2022-05``) or a quarter (``2022-Q2``), with the periods they are compared to."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


@dataclass(frozen=True)
class Period:
    """A calendar month or quarter; ``start`` and ``end`` are inclusive dates (Vietnam time)."""

    kind: str  # month | quarter
    year: int
    index: int  # month 1-12 or quarter 1-4

    @classmethod
    def parse(cls, text: str) -> Period:
        text = text.strip()
        if m := _MONTH.match(text):
            month = int(m.group(2))
            if not 1 <= month <= 12:
                raise ValueError(f"tháng không hợp lệ / invalid month: {text!r}")
            return cls("month", int(m.group(1)), month)
        if m := _QUARTER.match(text):
            return cls("quarter", int(m.group(1)), int(m.group(2)))
        raise ValueError(f"kỳ báo cáo không hợp lệ / invalid period {text!r}: use YYYY-MM or YYYY-Qn")

    @property
    def label(self) -> str:
        return f"{self.year}-{self.index:02d}" if self.kind == "month" else f"{self.year}-Q{self.index}"

    @property
    def label_vi(self) -> str:
        return f"Tháng {self.index:02d}/{self.year}" if self.kind == "month" else f"Quý {self.index}/{self.year}"

    @property
    def label_en(self) -> str:
        if self.kind == "month":
            return dt.date(self.year, self.index, 1).strftime("%B %Y")
        return f"Q{self.index} {self.year}"

    @property
    def first_month(self) -> int:
        return self.index if self.kind == "month" else 3 * (self.index - 1) + 1

    @property
    def n_months(self) -> int:
        return 1 if self.kind == "month" else 3

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        y, m = _add_months(self.year, self.first_month, self.n_months)
        return dt.date(y, m, 1) - dt.timedelta(days=1)

    @property
    def months(self) -> list[str]:
        """The ``YYYY-MM`` months it covers (the keys of gold.unit_performance)."""
        out = []
        for k in range(self.n_months):
            y, m = _add_months(self.year, self.first_month, k)
            out.append(f"{y}-{m:02d}")
        return out

    def previous(self) -> Period:
        if self.kind == "month":
            y, m = _add_months(self.year, self.index, -1)
            return Period("month", y, m)
        return Period("quarter", self.year - 1, 4) if self.index == 1 else Period("quarter", self.year, self.index - 1)

    def year_ago(self) -> Period:
        return Period(self.kind, self.year - 1, self.index)


def _add_months(year: int, month: int, k: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + k
    return total // 12, total % 12 + 1
