"""Number, percentage and date formats: Vietnamese by default (1.234.567; 51,1 %; 27/05/2022).

English uses 1,234,567; 51.1%; 27/05/2022 (day first in both: the IOC reads dates that way)."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DASH = "—"


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def num(x: float | int | None, decimals: int = 0, lang: str = "vi") -> str:
    """1234567 → '1.234.567' (vi) / '1,234,567' (en); 1234.5 with decimals=1 → '1.234,5'."""
    if _missing(x):
        return DASH
    text = f"{x:,.{decimals}f}"  # 1,234,567.8
    if lang == "vi":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def pct(rate: float | None, decimals: int = 1, lang: str = "vi") -> str:
    """A rate in 0..1 → '51,1 %' (vi) / '51.1%' (en)."""
    if _missing(rate):
        return DASH
    body = num(rate * 100, decimals, lang)
    return f"{body} %" if lang == "vi" else f"{body}%"


def signed_num(x: float | int | None, decimals: int = 0, lang: str = "vi") -> str:
    if _missing(x):
        return DASH
    sign = "+" if x > 0 else "-" if x < 0 else "±"
    return sign + num(abs(x), decimals, lang)


def signed_points(delta: float | None, lang: str = "vi") -> str:
    """Change of a rate, in percentage points: +0.012 → '+1,2 điểm %' / '+1.2 pp'."""
    if _missing(delta):
        return DASH
    unit = " điểm %" if lang == "vi" else " pp"
    return signed_num(delta * 100, 1, lang) + unit


def signed_pct(ratio: float | None, lang: str = "vi") -> str:
    """Relative change: 0.123 → '+12,3 %'."""
    if _missing(ratio):
        return DASH
    sign = "+" if ratio > 0 else "-" if ratio < 0 else "±"
    return sign + pct(abs(ratio), 1, lang)


def to_local(ts: dt.datetime) -> dt.datetime:
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    return ts.astimezone(VN_TZ)


def date(d: dt.date | dt.datetime | None, lang: str = "vi") -> str:
    """27/05/2022 (a datetime is shown in Vietnam time)."""
    if d is None:
        return DASH
    if isinstance(d, dt.datetime):
        d = to_local(d).date()
    return d.strftime("%d/%m/%Y")


def datetime(ts: dt.datetime | None, lang: str = "vi") -> str:
    """27/05/2022 14:05 in Vietnam time."""
    if ts is None:
        return DASH
    return to_local(ts).strftime("%d/%m/%Y %H:%M")


def month(ym: str | None, lang: str = "vi") -> str:
    """'2022-05' → '05/2022'."""
    if not ym:
        return DASH
    y, m = ym.split("-")[:2]
    return f"{m}/{y}"
