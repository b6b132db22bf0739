"""The reports pipeline steps, lake in and lake out (the Dagster assets are thin wrappers over these).

ingest → bronze (``bronze.ingest_batch``: insert-only by raw_id, re-ingesting the same payload adds nothing)
silver  → rebuilt from all of bronze (overwrite) or synced from its watermark (merge): the bronze versions
          silver reflects are recorded in silver.reports' own commit (lake.watermarks), so any later run
          applies exactly the bronze rows not yet reflected, after a crash or beside a rebuild
gold    → recomputed from silver (overwrite), then the consistent set is recorded (lake.snapshots)
Silver and gold writers hold the "reports" lease (lake.lease): one at a time across processes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import polars as pl

from core.settings import settings
from lake import Lake, snapshots
from lake.catalog import spec
from lake.lease import lease
from lake.watermarks import rows_since, watermarks
from pipelines.reports import build_params, gold
from pipelines.reports.bronze import ingest_batch
from pipelines.reports.conform import Conformed, conform_events, conform_reports, fold
from pipelines.sources.admin_units import admin_units_frame
from pipelines.sources.base import EVENTS_RAW, REPORTS_RAW
from pipelines.sources.categories import categories_frame
from pipelines.sources.hues.seed_facts import load_seed_facts
from pipelines.sources.simulator import SimulatedReportSource, SimulatorConfig, roster

LEASE = "reports"  # silver and gold of reports: one writer at a time (lake.lease), any process
BRONZE_TABLES = (REPORTS_RAW, EVENTS_RAW)


@dataclass
class SilverResult:
    reports: Conformed
    events: Conformed
    cleared: int = 0  # stale rejects a rebuild removed

    def metadata(self) -> dict[str, int]:
        return {"reports_read": self.reports.read, "reports_kept": self.reports.rows.height,
                "reports_superseded": self.reports.superseded, "reports_rejected": self.reports.rejects.height,
                "events_read": self.events.read, "events_kept": self.events.rows.height,
                "events_rejected": self.events.rejects.height, "rejects_cleared": self.cleared}

    def reject_rate(self) -> float:
        """Share of the rows read that went to rejects (0 when nothing was read)."""
        read = self.reports.read + self.events.read
        return (self.reports.rejects.height + self.events.rejects.height) / read if read else 0.0


REFERENCE_TABLES = ("silver.units", "silver.categories", "silver.admin_units")


def load_reference(lake: Lake, units: pl.DataFrame, categories: pl.DataFrame | None = None) -> dict[str, int]:
    """Units, categories and admin units into silver, before the facts that name them.

    ``categories``: the source's (production: the app's own table); None = the configured categories.yaml.
    Upserts of the rows that differ from what silver holds: a rerun with nothing new writes nothing (no new
    table version). Returns the rows written per table."""
    out = {}
    for name, frame in (("silver.units", units),
                        ("silver.categories", categories_frame() if categories is None else categories),
                        # the lake names the key admin_unit_code, as every other table does (the frame says "code")
                        ("silver.admin_units", admin_units_frame().rename({"code": "admin_unit_code"}))):
        out[name] = _upsert_changed(lake, name, frame)
    return out


def _upsert_changed(lake: Lake, name: str, frame: pl.DataFrame) -> int:
    s = spec(name)
    frame = frame.select(s.schema.names) if set(s.schema.names) <= set(frame.columns) else frame
    if lake.exists(name):
        have = lake.read(name)
        if not have.is_empty():
            frame = frame.join(have.select(frame.columns).cast(frame.schema), on=frame.columns, how="anti",
                               nulls_equal=True)
    if frame.is_empty():
        return 0
    lake.merge(name, frame)
    return frame.height


def missing_reference(lake: Lake) -> list[str]:
    """Reference tables the reports load needs that are absent or empty (its rows would all be rejected)."""
    return [t for t in ("silver.units", "silver.categories") if not lake.exists(t) or not lake.sql(
        f"SELECT count(*) FROM {t}").item()]


def _categories(lake: Lake) -> set[str]:
    """The category codes reports may carry: silver.categories (the source's in production)."""
    if lake.exists("silver.categories"):
        return set(lake.read("silver.categories")["category_code"])
    return set()


def conform_all(reports_raw: pl.DataFrame, events_raw: pl.DataFrame, units: pl.DataFrame,
                now: dt.datetime, categories: set[str] | None = None) -> SilverResult:
    admin = admin_units_frame()
    cats = set(categories_frame()["category_code"]) if categories is None else categories
    rep = conform_reports(reports_raw, categories=cats, admin_codes=set(admin["code"]), now=now)
    ev = conform_events(events_raw, known_reports=set(rep.rows["report_id"]),
                        known_units=set(units["unit_id"]), now=now)
    return SilverResult(rep, ev)


def build_silver(lake: Lake, now: dt.datetime | None = None) -> SilverResult:
    """Rebuild silver.reports / report_events from all of bronze; rejects are added insert-only.

    Bronze is read at its current versions, which become silver's watermark: rows committed to bronze
    while the rebuild runs are after the watermark, and the next sync (or the ingest waiting for the
    lease) applies them. Runs under the reports lease, so no sync interleaves with the overwrite."""
    now = now or dt.datetime.now(dt.UTC)
    with lease(lake, LEASE):
        upto = {t: lake.version(t) for t in BRONZE_TABLES}
        pinned = lake.as_of(upto)
        result = conform_all(pinned.read(REPORTS_RAW), pinned.read(EVENTS_RAW), _units(lake), now,
                             _categories(lake))
        rejects = pl.concat([result.reports.rejects, result.events.rejects])
        _write_silver(lake, result.reports.rows, result.events.rows, rejects, upto, overwrite=True)
        result.cleared = clear_superseded_rejects(lake, rejects)
    return result


def _units(lake: Lake) -> pl.DataFrame:
    if lake.exists("silver.units"):
        return lake.read("silver.units")
    return pl.from_arrow(spec("silver.units").schema.empty_table())  # type: ignore[return-value]


CONFORM_TARGETS = ("silver.reports", "silver.report_events")


def clear_superseded_rejects(lake: Lake, current: pl.DataFrame) -> int:
    """After a rebuild from all of bronze: the rejects of the reports load that the rebuild no longer makes
    (e.g. "unknown unit" written before the units were loaded) are removed; the ones it makes again are
    kept (same id). Rejects of other loads (unreadable files, other domains) are not touched."""
    if not lake.exists("silver.rejects"):
        return 0
    stale = (lake.scan("silver.rejects").filter(pl.col("target_table").is_in(CONFORM_TARGETS))
             .select("reject_id").join(current.select("reject_id").lazy(), on="reject_id", how="anti").collect())
    return lake.delete_keys("silver.rejects", stale) if stale.height else 0


def _write_silver(lake: Lake, reports: pl.DataFrame, events: pl.DataFrame, rejects: pl.DataFrame,
                  upto: dict[str, int | None], *, overwrite: bool, events_all: pl.DataFrame | None = None) -> None:
    """Events, then rejects, then reports with the bronze watermark: the reports commit completes a run.

    A process killed before it leaves the old watermark, and the next run redoes the same rows (events
    and rejects are insert-only by key, reports an upsert), so nothing is lost or doubled."""
    marks = {t: v for t, v in upto.items() if v is not None}
    ev_marks = {EVENTS_RAW: marks[EVENTS_RAW]} if EVENTS_RAW in marks else None
    if overwrite:
        lake.overwrite("silver.report_events", events, marks=ev_marks)
    else:
        lake.merge("silver.report_events", events, update=False, marks=ev_marks)
    lake.merge("silver.rejects", rejects, update=False)
    admin = admin_units_frame()
    folded = fold(reports, events if events_all is None else events_all, admin)
    if overwrite:
        lake.overwrite("silver.reports", folded, marks=marks)
    else:
        lake.merge("silver.reports", folded, marks=marks)


def pending(lake: Lake) -> dict[str, tuple[int | None, int | None]]:
    """Per bronze table: (silver's watermark, bronze's version); equal when nothing waits."""
    marks = watermarks(lake, "silver.reports", BRONZE_TABLES)
    return {t: (marks[t], lake.version(t)) for t in BRONZE_TABLES}


def sync_silver(lake: Lake, now: dt.datetime | None = None) -> SilverResult:
    """Incremental: conform the bronze rows committed after silver's watermark, re-fold the reports they touch.

    Whoever runs it (the ingest that wrote them, a later sync, a rerun after a crash) applies exactly the
    rows not yet reflected, and moves the watermark in the same commit as silver.reports."""
    now = now or dt.datetime.now(dt.UTC)
    with lease(lake, LEASE):
        state = pending(lake)
        upto = {t: v for t, (_, v) in state.items()}
        new_r = rows_since(lake, REPORTS_RAW, *state[REPORTS_RAW]) if upto[REPORTS_RAW] is not None \
            else lake.read(REPORTS_RAW)
        new_e = rows_since(lake, EVENTS_RAW, *state[EVENTS_RAW]) if upto[EVENTS_RAW] is not None \
            else lake.read(EVENTS_RAW)
        if new_r.is_empty() and new_e.is_empty():
            empty = conform_all(new_r, new_e, _units(lake), now, set())
            if any(m != v for m, v in state.values()):  # e.g. only re-deliveries: move the mark alone
                lake.append("silver.reports", spec("silver.reports").schema.empty_table(),
                            marks={t: v for t, v in upto.items() if v is not None})
            return empty
        return _apply(lake, new_r, new_e, upto, now)


def _rows_of(lake: Lake, table: str, report_ids: list[str]) -> pl.DataFrame:
    """The rows of ``table`` for these reports (a join: thousands of ids stay fast)."""
    ids = pl.LazyFrame({"report_id": report_ids}, schema={"report_id": pl.String})
    return lake.scan(table).join(ids, on="report_id", how="semi").collect()


def _apply(lake: Lake, new_r: pl.DataFrame, new_e: pl.DataFrame, upto: dict[str, int | None],
           now: dt.datetime) -> SilverResult:
    pinned = lake.as_of(upto)
    touched = set(new_r["record_id"]) | set(
        new_e.select(pl.col("payload").str.json_path_match("$.report_id"))["payload"].drop_nulls())
    # earlier versions of the touched reports take part, so the newest version still wins
    old_r = (pinned.scan(REPORTS_RAW)
             .join(pl.LazyFrame({"record_id": sorted(touched)}, schema={"record_id": pl.String}), on="record_id",
                   how="semi")
             .join(new_r.select("raw_id").lazy(), on="raw_id", how="anti").collect())
    units = _units(lake)
    known = set(lake.sql("SELECT report_id FROM silver.reports")["report_id"])
    admin = admin_units_frame()
    rep = conform_reports(pl.concat([old_r.select(new_r.columns).cast(new_r.schema), new_r]),
                          categories=_categories(lake), admin_codes=set(admin["code"]), now=now)
    ev = conform_events(new_e, known_reports=known | set(rep.rows["report_id"]),
                        known_units=set(units["unit_id"]), now=now)
    ids = sorted(set(rep.rows["report_id"]) | set(ev.rows["report_id"]))
    have = _rows_of(lake, "silver.report_events", ids)
    all_ev = pl.concat([have.select(ev.rows.columns).cast(ev.rows.schema), ev.rows]).unique(
        "event_id", keep="first", maintain_order=True)
    base = rep.rows
    missing = sorted(set(ids) - set(base["report_id"]))
    if missing:  # events for reports unchanged in this batch: take their current attributes
        cur = _rows_of(lake, "silver.reports", missing)
        base = pl.concat([base, cur.select(base.columns).cast(base.schema)])
    _write_silver(lake, base, ev.rows, pl.concat([rep.rejects, ev.rejects]), upto, overwrite=False,
                  events_all=all_ev)
    return SilverResult(rep, ev)


GOLD_INPUTS = ("silver.reports", "silver.report_events", "silver.units")
GOLD_TABLES = ("gold.unit_performance", "gold.kpi_daily", "gold.unit_transfers")


def build_gold(lake: Lake) -> dict[str, int]:
    """Gold recomputed from silver, each table marked with the silver versions it came from; then the
    consistent set (silver + gold) is recorded for readers (``lake.snapshots.consistent``)."""
    with lease(lake, LEASE):
        src = {t: lake.version(t) for t in GOLD_INPUTS}
        marks = {t: v for t, v in src.items() if v is not None}
        weights = dict(settings().score_weights)
        if _gold_params(lake) == weights and all(
                lake.exists(g) and watermarks(lake, g, GOLD_INPUTS) == src for g in GOLD_TABLES):
            # gold already reflects these silver versions: nothing new, nothing written (no new version)
            return {"unit_months": _count(lake, "gold.unit_performance"),
                    "kpi_daily_rows": _count(lake, "gold.kpi_daily"),
                    "unit_transfer_rows": _count(lake, "gold.unit_transfers"), "unchanged": 1}
        pinned = lake.as_of(src)
        reports = pinned.read("silver.reports")
        events = pinned.read("silver.report_events")
        units = pinned.read("silver.units")
        as_of = gold.data_as_of(reports)
        up = gold.unit_performance(reports, events, units, weights, as_of)
        kd = gold.kpi_daily(reports, as_of)
        tr = gold.unit_transfers(events)
        lake.overwrite("gold.unit_performance", up, marks=marks)
        lake.overwrite("gold.kpi_daily", kd, marks=marks)
        lake.overwrite("gold.unit_transfers", tr, marks=marks)
        snapshots.record(lake, LEASE, [*GOLD_INPUTS, *GOLD_TABLES])
        lake.put_artifact(*GOLD_PARAMS, json.dumps(weights, sort_keys=True).encode())
    return {"unit_months": up.height, "kpi_daily_rows": kd.height, "unit_transfer_rows": tr.height, "unchanged": 0}


GOLD_PARAMS = ("state", "gold_reports_params.json")  # the score weights gold was last computed with


def _gold_params(lake: Lake) -> dict[str, float] | None:
    try:
        return json.loads(lake.get_artifact(lake.artifact_uri(*GOLD_PARAMS)))
    except (FileNotFoundError, OSError, ValueError):
        return None


def _count(lake: Lake, table: str) -> int:
    return int(lake.sql(f"SELECT count(*) FROM {table}").item())  # table names from GOLD_TABLES only


def catch_up(lake: Lake, now: dt.datetime | None = None) -> tuple[SilverResult, dict[str, int]]:
    """Silver from its watermark, then gold, under one hold of the lease (what an ingest runs)."""
    with lease(lake, LEASE):
        silver = sync_silver(lake, now)
        return silver, build_gold(lake)


def build_reports_lake(lake: Lake, seed: int = 7, start: dt.date | None = None, end: dt.date | None = None,
                       scale: float = 1.0, until: dt.date | None = None) -> dict[str, object]:
    """Simulate Hue-S and run the whole reports pipeline into ``lake`` (for tests, benches, notebooks).

    The demo uses the Dagster assets instead (`hue-ioc demo`); both call the same steps."""
    cfg = SimulatorConfig(seed=seed, start=start or SimulatorConfig.start, end=end or SimulatorConfig.end,
                          scale=scale, until=until)
    load_reference(lake, roster(cfg))
    ingest_batch(lake, SimulatedReportSource(cfg).fetch(), prefix="sim")
    build_params.record(lake, {"scale": scale, "seed": seed, "start": cfg.start.isoformat(),
                               "end": cfg.end.isoformat(), "until": cfg.last_day.isoformat()})
    silver = build_silver(lake)
    out: dict[str, object] = {**silver.metadata(), **build_gold(lake)}
    out.update(load_seed_facts(lake, seed, cfg.start, cfg.end, cfg.last_day))
    return out
