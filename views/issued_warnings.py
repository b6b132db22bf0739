"""The warnings the IOC issued itself (silver.warnings, direction 'issued'), for the public CAP feed.

Each row keeps the CAP 1.2 document the issuer built and validated (one info block per language,
Vietnamese first, English second); this module hands it out as stored.
"""

from __future__ import annotations

import json
from typing import Any

from core.tz import VN_TZ
from lake import Lake

_COLUMNS = ("warning_id, identifier, sender, sent, status, msg_type, event, severity, urgency, certainty, "
            "headline, description, sender_name, area_desc, expires, superseded_by, superseded_at, cancelled, "
            "languages, infos_json")


def _entry(r: dict[str, Any]) -> dict[str, Any]:
    infos = json.loads(r.pop("infos_json") or "[]")
    # headline per language ("vi-VN" -> text), so a feed can show both
    r["headlines"] = {i["language"]: i.get("headline") or i.get("event") for i in infos}
    r["categories"] = sorted({c for i in infos for c in i.get("categories") or []})
    for col in ("sent", "expires", "superseded_at"):
        if r[col] is not None:
            r[col] = r[col].astimezone(VN_TZ)
    r["languages"] = (r["languages"] or "").split(",") if r["languages"] else []
    return r


def issued_warnings(lake: Lake, limit: int = 100) -> list[dict[str, Any]]:
    """The newest issued warnings, newest first: their CAP fields (times in Vietnam time), no XML."""
    df = lake.sql(f"SELECT {_COLUMNS} FROM silver.warnings WHERE direction = 'issued' "
                  "ORDER BY sent DESC, warning_id LIMIT $limit", {"limit": int(limit)})
    return [_entry(r) for r in df.iter_rows(named=True)]


def issued_warning(lake: Lake, warning_id: str) -> dict[str, Any] | None:
    """One issued warning's fields and its CAP 1.2 document (``xml``), or None when there is none."""
    df = lake.sql(f"SELECT {_COLUMNS}, xml FROM silver.warnings WHERE direction = 'issued' "
                  "AND warning_id = $id LIMIT 1", {"id": warning_id})
    if df.is_empty():
        return None
    return _entry(df.row(0, named=True))
