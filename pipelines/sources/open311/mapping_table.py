"""The Open311 mapping table a user edits (CSV): service codes / names → categories, agencies → units.

Shipped empty but documented (``mapping_table.csv``); the setting ``open311_mapping`` or the import's
``--mapping`` names another file. Rows apply to one jurisdiction (or every one), are tried in order and
the first match wins; values are case-insensitive globs. A category must be one silver accepts
(``categories.yaml``): a wrong code is refused when the table is loaded, with its line number.
"""

from __future__ import annotations

import csv
import fnmatch
from dataclasses import dataclass
from pathlib import Path

from pipelines.sources.categories import categories_frame

DEFAULT_MAPPING_TABLE = Path(__file__).with_name("mapping_table.csv")
COLUMNS = ("jurisdiction", "kind", "value", "maps_to", "note")
KINDS = ("service", "agency")


@dataclass(frozen=True)
class Rule:
    jurisdiction: str  # case-folded; "" = every jurisdiction
    kind: str  # service | agency
    pattern: str  # case-folded glob
    maps_to: str
    line: int


@dataclass(frozen=True)
class MappingTable:
    rules: tuple[Rule, ...] = ()
    path: str = ""

    @classmethod
    def load(cls, path: str | Path | None = None) -> MappingTable:
        p = Path(path) if path else DEFAULT_MAPPING_TABLE
        try:
            text = p.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ValueError(f"Open311 mapping table {p}: cannot read it ({exc.strerror or exc})") from None
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if not line.lstrip().startswith("#")]
        rows = list(csv.reader(line for _, line in lines))
        if not rows or [h.strip().lower() for h in rows[0]] [:4] != list(COLUMNS[:4]):
            raise ValueError(f"Open311 mapping table {p}: the first row must be the header {','.join(COLUMNS)}")
        categories = set(categories_frame()["category_code"])
        rules = []
        for (lineno, _), row in zip(lines[1:], rows[1:], strict=True):
            if not any(cell.strip() for cell in row):
                continue
            cells = [c.strip() for c in row] + [""] * (len(COLUMNS) - len(row))
            jurisdiction, kind, value, maps_to = cells[:4]
            where = f"Open311 mapping table {p} line {lineno}"
            if kind not in KINDS:
                raise ValueError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
            if not value or not maps_to:
                raise ValueError(f"{where}: value and maps_to are both needed")
            if kind == "service" and maps_to not in categories:
                raise ValueError(f"{where}: category {maps_to!r} is not one of {', '.join(sorted(categories))}")
            rules.append(Rule("" if jurisdiction in ("", "*") else jurisdiction.casefold(), kind,
                              value.casefold(), maps_to, lineno))
        return cls(tuple(rules), str(p))

    def _first(self, kind: str, jurisdiction: str, candidates: tuple[str | None, ...]) -> str | None:
        where = jurisdiction.casefold()
        for value in candidates:
            if not value:
                continue
            folded = value.strip().casefold()
            for rule in self.rules:
                if rule.kind == kind and rule.jurisdiction in ("", where) and fnmatch.fnmatchcase(folded, rule.pattern):
                    return rule.maps_to
        return None

    def category(self, jurisdiction: str, *candidates: str | None) -> str | None:
        """The category of the first candidate (service code, then name, then descriptor) a row maps."""
        return self._first("service", jurisdiction, candidates)

    def unit(self, jurisdiction: str, agency: str | None) -> str | None:
        return self._first("agency", jurisdiction, (agency,))
