"""Who reads the lake, and what each role may see.

Roles: ``wall`` (the video wall), ``leader``, ``analyst`` (notebooks), ``operator`` (IOC operators, who
handle reports and review violations) and ``service`` (the IOC's own processes: pipelines, ingest, the
dashboard and API servers, which mask again per user). Only ``operator`` and ``service`` see personal data:
the columns the catalog marks ``personal`` (a reporter's name and phone, full plate numbers, raw payloads
that hold them). For every other role the Lake API (``read``, ``scan``, ``sql``, ``diff``) shows them masked,
the same way the screens do (``mask_name``, ``mask_phone``, ``mask_plate``), or hides them (``hide``: null).

A lake's role is its ``role`` argument, else the setting ``lake_role`` (``HUE_IOC_LAKE_ROLE`` or the TOML
key), else ``analyst``: a notebook that just says ``Lake.open()`` sees no personal data. A masked lake is read-only (what it reads is not the data).
This is the API's rule, not a storage permission: whoever can read the files can read them.
"""

from __future__ import annotations

import re

import polars as pl

from lake.catalog import TableSpec
from lake.errors import LakeError

ROLES = ("wall", "leader", "analyst", "operator", "service")
DEFAULT_ROLE = "analyst"
SERVICE = "service"


def resolve_role(role: str | None) -> str:
    """``role``, else the setting ``lake_role`` (HUE_IOC_LAKE_ROLE; the settings refuse an unknown one), else
    ``analyst``; an unknown role is refused with a message."""
    if role is None:
        from core.settings import settings

        return settings().lake_role
    norm = str(role).strip().lower()
    if norm not in ROLES:
        raise LakeError(f"unknown lake role {role!r}; known: {', '.join(ROLES)}")
    return norm


def may_see_personal_data(role: str) -> bool:
    return role in ("operator", SERVICE)


def mask_name(name: str | None) -> str | None:
    """'Nguyễn Văn An' → 'N*** V*** A***'."""
    if not name:
        return name
    return " ".join(part[0] + "***" for part in name.split())


def mask_phone(phone: str | None) -> str | None:
    """'0905123456' → '090****456'."""
    if not phone:
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "***"
    return digits[:3] + "*" * (len(digits) - 6) + digits[-3:]


def mask_plate(plate: str | None) -> str | None:
    """Keep the province code and series, hide the number: '75A-123.45' → '75A-***.**'."""
    if not plate:
        return plate
    m = re.match(r"^(\d{2}[\s-]?[A-Z]{1,2}\d?)([\s.-]*)(.*)$", plate.strip().upper())
    if not m:
        return re.sub(r"[0-9]", "*", plate)
    head, sep, rest = m.groups()
    return head + (sep or "-") + re.sub(r"[0-9A-Z]", "*", rest)


_MASKERS = {"name": mask_name, "phone": mask_phone, "plate": mask_plate}


def masked_columns(s: TableSpec, role: str) -> dict[str, str]:
    """The columns of ``s`` that ``role`` sees masked, with how (empty for operators and services)."""
    return {} if may_see_personal_data(role) else s.personal


def mask_frame(lf: pl.LazyFrame, s: TableSpec, role: str) -> pl.LazyFrame:
    """``lf`` with the personal columns of ``s`` masked for ``role`` (columns it lacks are left alone)."""
    masks = masked_columns(s, role)
    have = set(lf.collect_schema().names())
    exprs = []
    for column, how in masks.items():
        if column not in have:
            continue
        if how == "hide":
            exprs.append(pl.lit(None, pl.String).alias(column))
        else:
            exprs.append(pl.col(column).map_elements(_MASKERS[how], return_dtype=pl.String, skip_nulls=True))
    return lf.with_columns(exprs) if exprs else lf


def _sql_name(c: str) -> str:
    parts = f"list_filter(regexp_split_to_array(trim({c}), '\\s+'), lambda x: x <> '')"
    return f"CASE WHEN {c} IS NULL OR {c} = '' THEN {c} ELSE array_to_string(list_transform({parts}, " \
           f"lambda x: left(x, 1) || '***'), ' ') END"


def _sql_phone(c: str) -> str:
    d = f"regexp_replace({c}, '\\D', '', 'g')"
    return (f"CASE WHEN {c} IS NULL OR {c} = '' THEN {c} WHEN length({d}) < 7 THEN '***' "
            f"ELSE left({d}, 3) || repeat('*', length({d}) - 6) || right({d}, 3) END")


def _sql_plate(c: str) -> str:
    # the province code and series stay, every later letter or digit becomes '*' (mask_plate); a text that
    # is not a plate has its digits starred
    u = f"upper(trim({c}))"
    pat = "'^(\\d{2}[\\s-]?[A-Z]{1,2}\\d?)([\\s.-]*)(.*)$'"
    head, sep, rest = (f"regexp_extract({u}, {pat}, {i})" for i in (1, 2, 3))
    return (f"CASE WHEN {c} IS NULL OR {c} = '' THEN {c} "
            f"WHEN regexp_matches({u}, {pat}) THEN {head} || CASE WHEN {sep} = '' THEN '-' ELSE {sep} END "
            f"|| regexp_replace({rest}, '[0-9A-Z]', '*', 'g') "
            f"ELSE regexp_replace({c}, '[0-9]', '*', 'g') END")


_SQL = {"name": _sql_name, "phone": _sql_phone, "plate": _sql_plate, "hide": lambda c: "CAST(NULL AS VARCHAR)"}


def sql_mask(column: str, how: str) -> str:
    """The DuckDB expression that masks ``column`` (a catalog column name) as ``how``: the same result as
    the Python mask of that kind."""
    return _SQL[how](f'"{column}"')
