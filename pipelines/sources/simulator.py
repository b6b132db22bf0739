"""The Hue-S simulator: citizen field reports with their full event logs, deterministic from a seed.

Calibrated to the published Hue-S figures of May 2019 – May 2022 (DESIGN.md): > 58,000 valid reports,
97.5 % processed, of processed 51.1 % on time / 48.9 % late with a granted extension, 77.7 % of rated
satisfied or accepting, ~45 % of processed rated; 226 units (193 state + 33 enterprises), ~145 by the
end of 2019. Everything it makes is labelled ``source = 'simulated'``.

One timeline: the seed window (``start`` → ``end``) holds the calibrated figures; ``until`` (when later)
continues the city after it with growing use and improving units (``after_*`` shares), through the
administrative eras of 2025 (reports and units carry the unit of their date). The unprocessed share is
reports withdrawn by their citizen and, at the end of the timeline, the tail still being handled.

``simulate()`` puts the parts of ``pipelines.sources.hues`` together; ``SimulatedReportSource`` serves the
result like any other :class:`ReportSource`. Vectorised with numpy/polars, so that the 5-million-report
benchmark lake is built in minutes. The order of the random draws is the seed's contract: changing it
changes every simulated figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from core.tz import VN_TZ_NAME
from pipelines.sources.admin_units import admin_units_frame
from pipelines.sources.base import SourceBatch
from pipelines.sources.categories import categories_frame
from pipelines.sources.hues.arrivals import arrivals
from pipelines.sources.hues.clock import PUBLISHED_END, PUBLISHED_START, horizon
from pipelines.sources.hues.deliveries import event_log, messy
from pipelines.sources.hues.lifecycle import assignment, deadlines
from pipelines.sources.hues.outcomes import merge as merge_outcomes
from pipelines.sources.hues.outcomes import outcomes
from pipelines.sources.hues.places import places
from pipelines.sources.hues.ratings import merge as merge_ratings
from pipelines.sources.hues.ratings import ratings
from pipelines.sources.hues.records import SOURCE, report_frame, report_ids
from pipelines.sources.hues.routing import routing
from pipelines.sources.hues.units import units_frame
from pipelines.sources.hues.validation import copy_originals, invalid_reasons, validated_at


@dataclass(frozen=True)
class SimulatorConfig:
    seed: int = 7
    start: dt.date = PUBLISHED_START
    end: dt.date = PUBLISHED_END
    scale: float = 1.0  # 1.0 → 58,600 valid reports over the default three years
    valid_reports: int = 58_600
    invalid_share: float = 0.12  # of all received: spam, duplicates, out of scope, inciting
    processed_rate: float = 0.975
    on_time_share: float = 0.511  # of processed
    overdue_closed_share: float = 0.003  # of processed: closed late without extension
    satisfied_share: float = 0.777  # of rated
    participation: float = 0.452  # rated / processed
    transfer_share: float = 0.12
    reopen_share: float = 0.006  # of all rated
    missing_coords_share: float = 0.04
    late_edit_share: float = 0.03
    resend_share: float = 0.01  # identical payload delivered twice
    conflicting_duplicates: int = 20  # same id and version, different content (per scale 1.0)
    channels: dict[str, float] = field(default_factory=lambda: {"app": 0.80, "hotline": 0.12, "web": 0.08})
    until: dt.date | None = None  # last day of the timeline (None: the seed window's end)
    # after the seed window the city keeps improving (working assumptions, not published figures)
    after_processed_rate: float = 0.98
    after_on_time_share: float = 0.62
    after_satisfied_share: float = 0.82
    after_participation: float = 0.50

    @property
    def last_day(self) -> dt.date:
        return max(self.until or self.end, self.end)

    @property
    def n_valid(self) -> int:
        return max(1, round(self.valid_reports * self.scale))


@dataclass
class SimulatedHueS:
    config: SimulatorConfig
    reports: pl.DataFrame  # one row per report *version* (late edits, resends, conflicts included)
    events: pl.DataFrame  # one row per event delivery (resends included)
    units: pl.DataFrame

    def batch(self, since: str | None = None, batch_id: str | None = None) -> SourceBatch:
        """The deliveries (after ``since``, an ISO-8601 moment, when given) as a source batch.

        Ingested at the end of the simulated window, so reruns are identical. Without ``since`` the batch is
        the whole simulation: unlike a real source, whose events are facts that stay, a simulation is
        regenerated whole, and its batch replaces what an earlier run of the same batch left."""
        reports, events = self.reports, self.events
        if since is not None:
            after = pl.lit(dt.datetime.fromisoformat(since)).cast(pl.Datetime("us", "UTC"))
            reports = reports.filter(pl.col("updated_at") > after)
            events = events.filter(pl.col("at") > after)
        return SourceBatch(
            encoded={"report": encode(reports, "report_id"), "event": encode(events, "event_id")},
            batch_id=batch_id or f"sim-seed{self.config.seed}",
            ingested_at=dt.datetime.combine(self.config.last_day, dt.time(23, 59), dt.UTC),
            complete=since is None)


def encode(frame: pl.DataFrame, id_col: str, source: str = SOURCE) -> pl.DataFrame:
    """Canonical columns → bronze-shaped rows: JSON payload text with Vietnam-time ISO-8601 timestamps."""
    ts_cols = [c for c, t in frame.schema.items() if isinstance(t, pl.Datetime)]
    return frame.with_columns(
        [pl.col(c).dt.convert_time_zone(VN_TZ_NAME).dt.strftime("%Y-%m-%dT%H:%M:%S%.6f%:z") for c in ts_cols]
    ).select(pl.col(id_col).alias("record_id"), source=pl.lit(source),
             payload=pl.struct(pl.all()).struct.json_encode())


def roster(config: SimulatorConfig) -> pl.DataFrame:
    """The simulated units: the first thing ``simulate`` draws from its seed, so both give the same roster."""
    return units_frame(admin_units_frame(), np.random.default_rng(config.seed), config.start)


def simulate(config: SimulatorConfig | None = None) -> SimulatedHueS:
    cfg = config or SimulatorConfig()
    rng = np.random.default_rng(cfg.seed)
    admin = admin_units_frame()
    cats = categories_frame()
    units = units_frame(admin, rng, cfg.start)
    n_valid = cfg.n_valid
    n = n_valid + round(n_valid * cfg.invalid_share / (1 - cfg.invalid_share))
    # the timeline ends with its last day, or now when that day is today: nothing after now has happened
    now = np.datetime64(dt.datetime.now(dt.UTC).replace(tzinfo=None), "us")
    end = min(horizon(cfg.last_day), now)

    came = arrivals(rng, cfg.start, cfg.end, cfg.last_day, n, n_valid, cfg.channels)
    where = places(rng, admin, came.hotline, cfg.missing_coords_share, came.flood)
    routed = routing(rng, units, came.category, where, came.received, came.valid, cfg.transfer_share)
    validated = validated_at(rng, came.received, came.hotline)
    assigned = assignment(rng, validated, routed.transferred)
    due = deadlines(cats, came.category, assigned.last_assign)
    segments = [(came.in_seed, cfg.processed_rate, cfg.on_time_share, cfg.participation, cfg.satisfied_share),
                (~came.in_seed, cfg.after_processed_rate, cfg.after_on_time_share, cfg.after_participation,
                 cfg.after_satisfied_share)]
    segments = [s for s in segments if s[0].any()]
    ended = merge_outcomes([(seg, outcomes(
        # after the seed window the units hold the level they reached (its own calibration, flat)
        rng, unit_ids=units["unit_id"].to_numpy(), final_unit=routed.final_unit,
        progress=np.minimum(came.progress, 1.0),
        valid=came.valid & seg, last_assign=assigned.last_assign, due=due, horizon=end, processed_rate=processed,
        on_time_share=on_time, overdue_closed_share=cfg.overdue_closed_share))
        for seg, processed, on_time, _, _ in segments])
    rated = merge_ratings([(seg, ratings(
        rng, processed=ended.processed & seg, resolve=ended.resolve, on_time=ended.on_time, horizon=end,
        participation=participation, satisfied_share=satisfied, reopen_share=cfg.reopen_share))
        for seg, _, _, participation, satisfied in segments])
    why_invalid = invalid_reasons(rng, len(came.received))

    ids = report_ids(came.received)
    reports = report_frame(rng, report_id=ids, came=came, where=where, immediate=due.immediate,
                           invalid_reason=why_invalid)
    reports = copy_originals(cfg.seed, reports)  # the reports marked duplicate repeat an earlier one
    events = event_log(ids, received=came.received, valid=came.valid, validated=validated,
                       invalid_reason=why_invalid, routed=routed, assigned=assigned, due=due, ended=ended,
                       rated=rated, horizon=end)
    if (came.received > end).any():
        reports = reports.filter(pl.Series(came.received <= end))
    reports, events = messy(rng, reports, events, late_edit_share=cfg.late_edit_share,
                            resend_share=cfg.resend_share,
                            conflicting=round(cfg.conflicting_duplicates * cfg.scale), seed=cfg.seed)
    return SimulatedHueS(cfg, reports, events, units)


@dataclass
class SimulatedReportSource:
    """The Hue-S simulator as a :class:`ReportSource`: ``fetch(since)`` simulates and returns the deliveries
    after ``since`` (all of them without it). It gives no watermark: a simulation has no feed position, each
    fetch without ``since`` is the whole simulated world, which replaces its own earlier batch."""

    config: SimulatorConfig = field(default_factory=SimulatorConfig)
    name: str = SOURCE

    def fetch(self, since: str | None = None) -> SourceBatch:
        return simulate(self.config).batch(since)
