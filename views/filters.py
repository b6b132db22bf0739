"""The filters a person picks (a period and the 2025 communes/wards of interest), as a small frozen value
every view accepts; the dashboards' sidebar only draws the widgets that produce it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from views.period import Period

# ``($no_area OR list_contains($areas, code))``: no area picked means every area (bound parameters only)
AREA_SQL = "($no_area OR list_contains($areas::VARCHAR[], {col}))"


@dataclass(frozen=True)
class Filters:
    period: Period
    areas: tuple[str, ...] = ()  # admin_unit_code_2025 values; () = all

    @classmethod
    def of(cls, start: dt.date, end: dt.date, areas: tuple[str, ...] = ()) -> Filters:
        return cls(Period.range(start, end), tuple(areas))

    @property
    def start(self) -> dt.date:
        return self.period.start

    @property
    def end(self) -> dt.date:  # inclusive
        return self.period.end

    @property
    def start_ts(self) -> dt.datetime:
        return self.period.start_ts

    @property
    def end_ts(self) -> dt.datetime:
        return self.period.end_ts

    @property
    def days(self) -> int:
        return self.period.days

    def previous(self) -> Filters:
        """The same areas over ``period.previous()`` (previous month/quarter/year, or the range just before)."""
        return Filters(self.period.previous(), self.areas)

    def params(self) -> dict[str, Any]:
        """Bound parameters shared by the views ($start/$end dates, $start_ts/$end_ts instants,
        $no_area/$areas for ``AREA_SQL``)."""
        return {"start": self.start, "end": self.end, "start_ts": self.start_ts, "end_ts": self.end_ts,
                "no_area": not self.areas, "areas": list(self.areas)}


def list_filter(col: str, name: str, values: tuple[str, ...], params: dict[str, Any]) -> str:
    """``($no_name OR list_contains($name, col))`` with its two parameters added to ``params``."""
    params[f"no_{name}"] = not values
    params[name] = list(values)
    return f"($no_{name} OR list_contains(${name}::VARCHAR[], {col}))"
