"""Citizen reports and categories in the shape of Open311 GeoReport v2, for partners and the public.

Only validated reports are published (status open or resolved): a report not yet validated, or found
invalid (spam, inciting content, ...), is not shown to the public. No personal data leaves this module:
the reporter's name and phone are read only to blank them out of the free text, and phone numbers and
e-mail addresses typed into a description are masked too.

Times are returned as aware datetimes in Vietnam time; the caller formats them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Any

from core.tz import VN_TZ
from lake import Lake

OPEN311_STATUSES = ("open", "closed")
# our lifecycle -> Open311: a validated report is open until it is resolved (a reopened one is open again)
STATUS_OF = {"open": "open", "resolved": "closed"}
MASK = "[…]"
# Vietnamese phone numbers (0xx… or +84…, with spaces, dots or dashes between digits) and e-mail addresses
_PHONE = re.compile(r"(?<![\w+])(?:\+84|0)(?:[ .\-]?\d){8,10}(?!\w)")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")

_NOTES = {
    "vi": {
        "on_time": "Đã xử lý đúng hạn.",
        "late_with_extension": "Đã xử lý sau hạn, có lý do xin gia hạn được chấp thuận.",
        "late": "Đã xử lý sau hạn.",
        "reopened": "Được mở lại, đang xử lý.",
        "extended": "Đang xử lý; đã được gia hạn.",
        "open": "Đang xử lý.",
        "immediate": "Xử lý tức thời: trong {n} giờ.",
        "timed": "Xử lý có thời hạn: {n} ngày làm việc.",
        "group_immediate": "Xử lý tức thời",
        "group_timed": "Xử lý có thời hạn",
        "place": "thành phố Huế",
    },
    "en": {
        "on_time": "Resolved on time.",
        "late_with_extension": "Resolved after the deadline, with a granted extension.",
        "late": "Resolved after the deadline.",
        "reopened": "Reopened, in progress.",
        "extended": "In progress; an extension was granted.",
        "open": "In progress.",
        "immediate": "Immediate processing: within {n} hours.",
        "timed": "Timed processing: {n} working days.",
        "group_immediate": "Immediate processing",
        "group_timed": "Timed processing",
        "place": "Huế city",
    },
}


def _lang(lang: str) -> dict[str, str]:
    return _NOTES["en" if lang == "en" else "vi"]


def _vn(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.astimezone(VN_TZ)


def _coord(value: float | None) -> float | None:
    """A coordinate, or None when missing or not a number (a NaN is not a place)."""
    return None if value is None or math.isnan(value) else value


def services(lake: Lake, lang: str = "vi") -> list[dict[str, Any]]:
    """Our report categories as Open311 services (no extra attributes: ``metadata`` is false)."""
    notes = _lang(lang)
    rows = lake.sql("SELECT category_code, name_vi, name_en, process_type, deadline_hours, deadline_working_days "
                    "FROM silver.categories ORDER BY category_code").iter_rows(named=True)
    out = []
    for r in rows:
        name, other = (r["name_en"], r["name_vi"]) if lang == "en" else (r["name_vi"], r["name_en"])
        immediate = r["process_type"] == "immediate"
        n = r["deadline_hours"] if immediate else r["deadline_working_days"]
        desc = notes["immediate" if immediate else "timed"].format(n=n) if n is not None else ""
        out.append({
            "service_code": r["category_code"], "service_name": name or r["category_code"],
            "description": desc, "metadata": False, "type": "realtime",
            "keywords": other or "", "group": notes["group_immediate" if immediate else "group_timed"],
        })
    return out


def service(lake: Lake, service_code: str, lang: str = "vi") -> dict[str, Any] | None:
    """One service, or None when the code is not one of our categories."""
    return next((s for s in services(lake, lang) if s["service_code"] == service_code), None)


def mask_personal(text: str | None, names: Sequence[str | None] = ()) -> str | None:
    """``text`` with the given names (the reporter's own), phone numbers and e-mail addresses masked."""
    if text is None:
        return None
    for name in names:
        if name and name.strip():
            text = text.replace(name.strip(), MASK)
    return _EMAIL.sub(MASK, _PHONE.sub(MASK, text))


def _status_notes(r: dict[str, Any], notes: dict[str, str]) -> str:
    if r["status"] == "resolved":
        if r["on_time"]:
            return notes["on_time"]
        return notes["late_with_extension" if r["late_with_extension"] else "late"]
    if r["reopened"]:
        return notes["reopened"]
    return notes["extended" if r["extension_granted_at"] is not None else "open"]


def requests(lake: Lake, *, ids: Sequence[str] | None = None, service_codes: Sequence[str] | None = None,
             statuses: Sequence[str] | None = None, start: dt.datetime | None = None,
             end: dt.datetime | None = None, updated_after: dt.datetime | None = None,
             limit: int = 100, offset: int = 0, lang: str = "vi") -> list[dict[str, Any]]:
    """Published reports as Open311 service requests, newest first.

    ``ids`` overrides every other filter (as GeoReport v2 says). ``start``/``end`` bound the time the
    report was received (both inclusive); ``updated_after`` keeps reports changed strictly after it;
    ``statuses`` are Open311 statuses (open, closed)."""
    clauses = ["r.is_valid", "r.status IN ('open', 'resolved')"]
    params: dict[str, Any] = {"limit": int(limit), "offset": int(offset)}
    if ids:
        clauses.append("list_contains($ids, r.report_id)")
        params["ids"] = list(ids)
    else:
        if service_codes:
            clauses.append("list_contains($codes, r.category_code)")
            params["codes"] = list(service_codes)
        if statuses:
            ours = sorted({k for k, v in STATUS_OF.items() if v in statuses})
            clauses.append("list_contains($statuses, r.status)")
            params["statuses"] = ours
        if start is not None:
            clauses.append("r.received_at >= $start")
            params["start"] = start
        if end is not None:
            clauses.append("r.received_at <= $end")
            params["end"] = end
        if updated_after is not None:
            clauses.append("r.updated_at > $updated_after")
            params["updated_after"] = updated_after
    name_col = "c.name_en" if lang == "en" else "c.name_vi"
    df = lake.sql(
        f"""SELECT r.report_id, r.status, r.category_code, {name_col} AS service_name, r.description,
                   u.name AS agency, r.received_at, r.updated_at, r.deadline_at, r.extension_granted_at,
                   r.extended_deadline_at, r.on_time, r.late_with_extension, r.reopened, r.lat, r.lon,
                   a.name AS commune, r.reporter_name, r.reporter_phone
            FROM silver.reports r
            LEFT JOIN silver.categories c ON c.category_code = r.category_code
            LEFT JOIN silver.units u ON u.unit_id = r.current_unit_id
            LEFT JOIN silver.admin_units a ON a.admin_unit_code = r.admin_unit_code
            WHERE {" AND ".join(clauses)}
            ORDER BY r.received_at DESC, r.report_id
            LIMIT $limit OFFSET $offset""",
        params,
    )
    notes = _lang(lang)
    out = []
    for r in df.iter_rows(named=True):
        personal = (r["reporter_name"], r["reporter_phone"])
        expected = r["extended_deadline_at"] if r["extension_granted_at"] is not None else None
        out.append({
            "service_request_id": r["report_id"],
            "status": STATUS_OF[r["status"]],
            "status_notes": _status_notes(r, notes),
            "service_name": r["service_name"] or r["category_code"],
            "service_code": r["category_code"],
            "description": mask_personal(r["description"], personal),
            "agency_responsible": r["agency"],
            "requested_datetime": _vn(r["received_at"]),
            "updated_datetime": _vn(r["updated_at"]),
            "expected_datetime": _vn(expected or r["deadline_at"]),
            "address": f"{r['commune']}, {notes['place']}" if r["commune"] else notes["place"],
            "lat": _coord(r["lat"]),
            "long": _coord(r["lon"]),
        })
    return out


def request(lake: Lake, report_id: str, lang: str = "vi") -> dict[str, Any] | None:
    """One published report as an Open311 service request, or None (unknown or not published)."""
    found = requests(lake, ids=[report_id], limit=1, lang=lang)
    return found[0] if found else None
