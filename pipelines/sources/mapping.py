"""The source contract of the citizen app's PostgreSQL: which tables and columns hold what, as data.

A mapping file (YAML) names, for each canonical table the IOC reads (``reports``, ``events`` and the
reference tables ``units`` and ``categories``), the app's table and, per canonical column, the app's
column (or nothing: the app does not keep it, the value is NULL). It also holds value maps (the app's
status / event type / rating / channel vocabulary and its unit and category codes → the IOC's) and how
changes are captured. ``postgres_default.yaml`` describes the layout of ``postgres.sql`` and is the
default; a deployment on another database writes its own file and points ``HUE_IOC_PG_MAPPING`` at it.

Nothing in a mapping is pasted into SQL as text: tables and columns travel as quoted identifiers, values
as parameters, and every name is checked against the database by ``hue-ioc source check``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipelines.sources.base import EVENT_KEYS, REPORT_KEYS, REPORT_OPTIONAL_KEYS

DEFAULT_MAPPING = Path(__file__).with_name("postgres_default.yaml")

# canonical table → (canonical columns, key, required columns)
CANONICAL: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "reports": (REPORT_KEYS + REPORT_OPTIONAL_KEYS, "report_id", ("report_id", "received_at")),
    "events": (EVENT_KEYS + ("updated_at",), "event_id", ("event_id", "report_id", "event_type", "at")),
    "units": (("unit_id", "name", "unit_type", "sector", "admin_unit_code", "joined_on"), "unit_id",
              ("unit_id", "name")),
    "categories": (("category_code", "name_vi", "name_en", "process_type", "deadline_hours",
                    "deadline_working_days"), "category_code", ("category_code", "name_vi")),
}
FACTS = ("reports", "events")
REFERENCE = ("units", "categories")
# canonical column → the value map that applies to it (unit and category codes are recoded everywhere)
VALUE_MAP_OF = {"unit_id": "unit_id", "to_unit_id": "unit_id", "category_code": "category_code",
                "status": "status", "event_type": "event_type", "rating": "rating", "channel": "channel",
                "process_type": "process_type"}
VALUE_MAPS = tuple(sorted(set(VALUE_MAP_OF.values())))
CHANGE_CAPTURE = ("auto", "txid", "keyset")
DELETIONS = ("mark_deleted",)


class MappingError(ValueError):
    """The mapping file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class TableMap:
    name: str  # canonical: reports | events | units | categories
    table: str  # the app's table
    columns: dict[str, str | None]  # canonical column → the app's column (None: not kept, NULL)
    version: str | None = None  # canonical column of the "last changed" time (keyset change capture)

    @property
    def key(self) -> str:
        return CANONICAL[self.name][1]

    def source_columns(self) -> list[str]:
        return [c for c in self.columns.values() if c is not None]


@dataclass(frozen=True)
class SourceMapping:
    tables: dict[str, TableMap]
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # value map → {app value: IOC value}
    change_capture: str = "auto"  # txid (the _txid column of postgres.sql) | keyset (updated-at) | auto
    overlap_seconds: int = 600  # keyset: re-read this far behind the newest change seen
    deletions: str = "mark_deleted"
    timezone: str = "Asia/Ho_Chi_Minh"  # of the app's timestamps stored without a zone
    origin: str = "default"

    def table(self, name: str) -> TableMap | None:
        return self.tables.get(name)

    def recode(self, column: str, value: Any) -> Any:
        """An app value → the IOC's, for columns with a value map; other values pass unchanged."""
        vmap = self.values.get(VALUE_MAP_OF.get(column, ""), {})
        return vmap.get(value, value) if isinstance(value, str) and vmap else value


def _fail(origin: str, where: str, msg: str) -> MappingError:
    return MappingError(f"mapping {origin}: {where}: {msg}")


def _table(origin: str, name: str, raw: Any) -> TableMap:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("table"), str) or not raw["table"]:
        raise _fail(origin, f"tables.{name}", "needs 'table: <the app's table name>'")
    canon, _, required = CANONICAL[name]
    cols_raw = raw.get("columns")
    if not isinstance(cols_raw, Mapping):
        raise _fail(origin, f"tables.{name}.columns", "needs a map of canonical column → the app's column")
    unknown = sorted(set(map(str, cols_raw)) - set(canon))
    if unknown:
        raise _fail(origin, f"tables.{name}.columns", f"unknown canonical column {', '.join(unknown)}; "
                    f"known: {', '.join(canon)}")
    columns: dict[str, str | None] = {}
    for c in canon:
        v = cols_raw.get(c)
        if v is not None and (not isinstance(v, str) or not v):
            raise _fail(origin, f"tables.{name}.columns.{c}", f"{v!r} is not a column name")
        columns[c] = v
    missing = [c for c in required if columns[c] is None]
    if missing:
        raise _fail(origin, f"tables.{name}.columns", f"required column {', '.join(missing)} not mapped")
    version = raw.get("version", "updated_at" if columns.get("updated_at") else None)
    if version is not None and (version not in columns or columns[version] is None):
        raise _fail(origin, f"tables.{name}.version", f"{version!r} is not a mapped column of {name}")
    extra = sorted(set(map(str, raw)) - {"table", "columns", "version"})
    if extra:
        raise _fail(origin, f"tables.{name}", f"unknown entry {', '.join(extra)}")
    return TableMap(name, raw["table"], columns, version)


def parse_mapping(doc: Any, origin: str = "default") -> SourceMapping:
    if not isinstance(doc, Mapping):
        raise _fail(origin, "top level", "not a YAML map")
    extra = sorted(set(map(str, doc)) - {"tables", "values", "change_capture", "overlap_seconds", "deletions",
                                      "timezone"})
    if extra:
        raise _fail(origin, "top level", f"unknown entry {', '.join(extra)}")
    tables_raw = doc.get("tables")
    if not isinstance(tables_raw, Mapping):
        raise _fail(origin, "tables", "needs a map with reports, events (and units, categories)")
    problems: list[str] = []  # every problem, one line each (``source check`` prints them all)
    unknown = sorted(set(map(str, tables_raw)) - set(CANONICAL))
    if unknown:
        problems.append(str(_fail(origin, "tables", f"unknown table {', '.join(unknown)}; known: "
                                                    f"{', '.join(CANONICAL)}")))
    for need in FACTS:
        if need not in tables_raw:
            problems.append(str(_fail(origin, "tables", f"{need} is not mapped")))
    tables: dict[str, TableMap] = {}
    for name, raw in tables_raw.items():
        if name in CANONICAL:
            try:
                tables[name] = _table(origin, name, raw)
            except MappingError as exc:
                problems.append(str(exc))
    values_raw = doc.get("values") or {}
    values: dict[str, dict[str, str]] = {}
    if not isinstance(values_raw, Mapping):
        problems.append(str(_fail(origin, "values", "needs a map of value map → {app value: IOC value}")))
        values_raw = {}
    for name, vmap in values_raw.items():
        if name not in VALUE_MAPS:
            problems.append(str(_fail(origin, f"values.{name}", f"no such value map; known: {', '.join(VALUE_MAPS)}")))
        elif vmap is not None and (not isinstance(vmap, Mapping) or not all(isinstance(v, str) for v in vmap.values())):
            problems.append(str(_fail(origin, f"values.{name}", "needs a map of app value → IOC value (text)")))
        elif vmap is not None:
            values[name] = {str(k): v for k, v in vmap.items()}
    cc = doc.get("change_capture", "auto")
    if cc not in CHANGE_CAPTURE:
        problems.append(str(_fail(origin, "change_capture", f"{cc!r} refused; one of {', '.join(CHANGE_CAPTURE)}")))
    overlap = doc.get("overlap_seconds", 600)
    if not isinstance(overlap, int) or isinstance(overlap, bool) or overlap < 0:
        problems.append(str(_fail(origin, "overlap_seconds", f"{overlap!r} refused; a whole number of seconds ≥ 0")))
    deletions = doc.get("deletions", "mark_deleted")
    if deletions not in DELETIONS:
        problems.append(str(_fail(origin, "deletions", f"{deletions!r} refused; one of {', '.join(DELETIONS)}")))
    if cc == "keyset":
        for name in FACTS:
            if name in tables and tables[name].version is None:
                problems.append(str(_fail(origin, f"tables.{name}.version",
                                          "keyset change capture needs an updated-at column")))
    tz = doc.get("timezone", "Asia/Ho_Chi_Minh")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(str(tz))
    except (KeyError, ValueError):
        problems.append(str(_fail(origin, "timezone", f"{tz!r} is not a time zone name (e.g. Asia/Ho_Chi_Minh)")))
    if problems:
        raise MappingError("\n".join(problems))
    return SourceMapping(tables, values, cc, overlap, deletions, str(tz), origin)


def load_mapping(path: str | Path | None = None) -> SourceMapping:
    """The mapping file at ``path``, or the default layout (``postgres.sql``)."""
    p = Path(path) if path else DEFAULT_MAPPING
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"mapping file not found: {p}") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"mapping {p}: not valid YAML ({exc})") from None
    return parse_mapping(doc, "default" if not path else str(p))
