"""Cleaning the dirty values of Open311 feeds and 311 exports: dates in many formats, numbers, points,
ZIP codes. What cannot be read becomes None (the row goes through)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

_DT_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y",
    "%m/%d/%y %I:%M:%S %p", "%m/%d/%y %I:%M %p", "%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M", "%m/%d/%y",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d", "%d-%b-%Y %H:%M:%S",
)
_ZIP = re.compile(r"(\d{5})(?:-\d{4})?")
_POINT = re.compile(r"\(?\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\)?")


def parse_datetime(value: Any, tz: dt.tzinfo) -> dt.datetime | None:
    """A timestamp with its offset, or None when it cannot be read. Naive values are in ``tz``."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    parsed: dt.datetime | None = None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        for fmt in _DT_FORMATS:
            try:
                parsed = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None or not 1970 <= parsed.year <= 2100:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def parse_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(str(value).strip())
    except ValueError:
        return None
    return out if math.isfinite(out) else None


def parse_point(lat: Any, lon: Any, location: Any = None) -> tuple[float | None, float | None]:
    """(lat, lon) when both are numbers on Earth and not (0, 0); else (None, None)."""
    la, lo = parse_float(lat), parse_float(lon)
    if (la is None or lo is None) and location:
        m = _POINT.fullmatch(str(location).strip())
        if m:
            la, lo = float(m.group(1)), float(m.group(2))
    if la is None or lo is None or not (-90 <= la <= 90 and -180 <= lo <= 180) or (la == 0 and lo == 0):
        return None, None
    return la, lo


def clean_zip(value: Any) -> str | None:
    """A 5-digit ZIP code (ZIP+4 shortened), None for anything else (e.g. '99432-01234', 'N/A')."""
    if value is None:
        return None
    m = _ZIP.fullmatch(str(value).strip())
    return m.group(1) if m else None


def address_zip(address: Any) -> str | None:
    """The ZIP code ending an address such as '1540 W 17TH ST, CHICAGO, IL, 60608'."""
    m = re.search(r"\b(\d{5})(?:-\d{4})?\s*$", str(address or ""))
    return m.group(1) if m else None


def clean_text(value: Any) -> str | None:
    if value is None:
        return None
    out = str(value).strip()
    return out or None


