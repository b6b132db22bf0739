"""Vietnamese number and date formatting for publications: 58.000 · 97,5 % · +2,3 điểm % · 31/05/2022."""

from __future__ import annotations

import datetime as dt
import math

DASH = "—"
VN_TZ = dt.timezone(dt.timedelta(hours=7))


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_int(x: float | int | None) -> str:
    """Whole number with '.' as thousands separator: 58.000."""
    if _missing(x):
        return DASH
    return f"{round(float(x)):,}".replace(",", ".")  # type: ignore[arg-type]


def fmt_num(x: float | None, digits: int = 1) -> str:
    """Decimal number with ',' as decimal mark and '.' for thousands: 1.234,5."""
    if _missing(x):
        return DASH
    s = f"{float(x):,.{digits}f}"  # type: ignore[arg-type]
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


def fmt_pct(x: float | None, digits: int = 1) -> str:
    """A fraction as a percentage: 0.975 → '97,5 %' (a no-break space before %)."""
    if _missing(x):
        return DASH
    return f"{fmt_num(100.0 * float(x), digits)}\u00a0%"  # type: ignore[arg-type]


def fmt_signed(x: float, digits: int = 1) -> str:
    s = fmt_num(abs(x), digits)
    return ("+" if x > 0 else "−" if x < 0 else "±") + s


def fmt_change_rate(cur: float | None, prev: float | None) -> str:
    """Change of a rate in percentage points: '+2,3 điểm %'."""
    if _missing(cur) or _missing(prev):
        return DASH
    return f"{fmt_signed(100.0 * (float(cur) - float(prev)))}\u00a0điểm\u00a0%"  # type: ignore[arg-type]


def fmt_change_count(cur: float | None, prev: float | None) -> str:
    """Change of a count, relative when the base is not zero: '+12,3 %' (or '+45' from zero)."""
    if _missing(cur) or _missing(prev):
        return DASH
    if not prev:
        return fmt_signed(float(cur), 0) if cur else "±0"  # type: ignore[arg-type]
    return f"{fmt_signed(100.0 * (float(cur) - float(prev)) / float(prev))}\u00a0%"  # type: ignore[arg-type]


def fmt_date(d: dt.date | dt.datetime | None) -> str:
    if d is None:
        return DASH
    if isinstance(d, dt.datetime):
        d = d.astimezone(VN_TZ) if d.tzinfo else d
        return d.strftime("%d/%m/%Y")
    return d.strftime("%d/%m/%Y")


def fmt_datetime(d: dt.datetime | None) -> str:
    """Vietnam time: '31/05/2022 14:05'."""
    if d is None:
        return DASH
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.UTC)
    return d.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")
