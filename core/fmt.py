"""Numbers, percentages, changes and dates as people read them: one convention for screens, PDF, XLSX and CLI.

Vietnamese (the default):  1.234.567 · 1.234,5 · 51,1 % · +1,2 điểm % · -14,3 % · 27/05/2022 14:05
English (second):          1,234,567 · 1,234.5 · 51.1%  · +1.2 pp     · -14.3%  · 27/05/2022 14:05

Choices, settled once:
- Percent: Vietnamese writes a space before "%" (as the existing screens and reports did); it is a no-break
  space (U+00A0) so a PDF cell or a narrow column never wraps "%" away from its number. English writes "51.1%".
- Minus: the ASCII hyphen-minus "-", not U+2212. Streamlit's ``st.metric`` reads a delta's direction (arrow and
  colour) from a leading "-", and a figure copied into a spreadsheet or read back from CSV must parse as a
  negative number; a typographic minus breaks both. A change of zero is written "±0".
- Rounding: half away from zero on the decimal value a person sees (0.5115 → "51,2 %", 2.5 → "3"), not the
  binary float's nearest-even rounding, so a figure checked by hand rounds the way it is taught at school.
  A value that rounds to zero never shows a sign ("-0,0" is written "0,0").
- Missing (None, NaN, infinity) is "—". Dates are day first in both languages; a datetime is shown in Vietnam
  time, and a datetime without a zone is read as UTC (the lake stores UTC).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from numbers import Integral

from core.tz import VN_TZ

DASH = "—"
NBSP = "\u00a0"


def missing(x: object) -> bool:
    """None, NaN or infinity: nothing a person could read as a figure."""
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _decimal(x: float | int | Decimal) -> Decimal:
    if isinstance(x, Decimal):
        return x
    if isinstance(x, Integral):
        return Decimal(int(x))
    return Decimal(str(float(x)))  # the shortest decimal that reads back as this float


def _digits(d: Decimal, decimals: int, lang: str) -> str:
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)  # no "-0,0"
    text = f"{q:,.{decimals}f}"  # 1,234,567.8
    if lang == "vi":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def num(x: float | int | Decimal | None, decimals: int = 0, lang: str = "vi") -> str:
    """1234567 → '1.234.567' (vi) / '1,234,567' (en); 1234.5 with decimals=1 → '1.234,5' / '1,234.5'."""
    if missing(x):
        return DASH
    return _digits(_decimal(x), decimals, lang)  # type: ignore[arg-type]


def _percent_sign(lang: str) -> str:
    return f"{NBSP}%" if lang == "vi" else "%"


def pct(rate: float | None, decimals: int = 1, lang: str = "vi") -> str:
    """A rate in 0..1 → '51,1 %' (vi, no-break space) / '51.1%' (en)."""
    if missing(rate):
        return DASH
    return _digits(_decimal(rate) * 100, decimals, lang) + _percent_sign(lang)  # type: ignore[arg-type]


def _sign(d: Decimal, decimals: int) -> str:
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return "+" if q > 0 else "-" if q < 0 else "±"


def signed_num(x: float | int | None, decimals: int = 0, lang: str = "vi") -> str:
    """A change of a count or a number: +12 · -3 · ±0 (vi: +1.234,5)."""
    if missing(x):
        return DASH
    d = _decimal(x)  # type: ignore[arg-type]
    return _sign(d, decimals) + _digits(abs(d), decimals, lang)


def signed_points(delta: float | None, lang: str = "vi") -> str:
    """Change of a rate, in percentage points: +0.012 → '+1,2 điểm %' (vi) / '+1.2 pp' (en)."""
    if missing(delta):
        return DASH
    unit = f"{NBSP}điểm{NBSP}%" if lang == "vi" else " pp"
    return signed_num(_decimal(delta) * 100, 1, lang) + unit  # type: ignore[arg-type, arg-type]


def signed_pct(ratio: float | None, lang: str = "vi") -> str:
    """Relative change: 0.123 → '+12,3 %' (vi) / '+12.3%' (en); -0.143 → '-14,3 %'."""
    if missing(ratio):
        return DASH
    return signed_num(_decimal(ratio) * 100, 1, lang) + _percent_sign(lang)  # type: ignore[arg-type]


def change_points(cur: float | None, prev: float | None, lang: str = "vi") -> str:
    """Change of a rate from ``prev`` to ``cur`` in percentage points; '—' when either is missing."""
    if missing(cur) or missing(prev):
        return DASH
    return signed_points(_decimal(cur) - _decimal(prev), lang)  # type: ignore[arg-type, arg-type]


def change_count(cur: float | None, prev: float | None, lang: str = "vi") -> str:
    """Change of a count relative to ``prev`` ('+10,0 %'); from a base of zero, the plain difference ('+3')."""
    if missing(cur) or missing(prev):
        return DASH
    c, p = _decimal(cur), _decimal(prev)  # type: ignore[arg-type, arg-type]
    if p == 0:
        return signed_num(c, 0, lang)
    return signed_pct((c - p) / p, lang)  # type: ignore[arg-type]


def to_local(ts: dt.datetime) -> dt.datetime:
    """The same moment in Vietnam time (a datetime without a zone is UTC)."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    return ts.astimezone(VN_TZ)


def date(d: dt.date | dt.datetime | None, lang: str = "vi") -> str:
    """27/05/2022 in both languages (a datetime is first moved to Vietnam time)."""
    if d is None:
        return DASH
    if isinstance(d, dt.datetime):
        d = to_local(d).date()
    return d.strftime("%d/%m/%Y")


def datetime(ts: dt.datetime | None, lang: str = "vi") -> str:
    """27/05/2022 14:05 in Vietnam time, in both languages."""
    if ts is None:
        return DASH
    return to_local(ts).strftime("%d/%m/%Y %H:%M")


def month(ym: str | None, lang: str = "vi") -> str:
    """'2022-05' → '05/2022'."""
    if not ym:
        return DASH
    y, m = ym.split("-")[:2]
    return f"{m}/{y}"
