"""What the simulated app delivers: each report's event log (received → validated → assigned → …),
and the messiness of real deliveries — late edits, identical re-sends, a few ids reused for other content."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.sources.hues.lifecycle import Assignment, Deadlines
from pipelines.sources.hues.outcomes import Outcomes
from pipelines.sources.hues.ratings import Ratings
from pipelines.sources.hues.routing import Routing

EVENT_SCHEMA = {"event_id": pl.String, "report_id": pl.String, "event_type": pl.String, "at": pl.Datetime("us"),
                "unit_id": pl.String, "to_unit_id": pl.String, "deadline_at": pl.Datetime("us"),
                "rating": pl.String, "note": pl.String}


class EventLog:
    """Events of many reports at once, one call per event type."""

    def __init__(self, report_id: np.ndarray) -> None:
        self.report_id = report_id
        self.parts: list[pl.DataFrame] = []

    def add(self, mask: np.ndarray, etype: str, at: np.ndarray, unit=None, to_unit=None, deadline_at=None,
            rating=None, note=None, seq: int = 1) -> None:
        idx = np.flatnonzero(mask)
        if not len(idx):
            return

        def pick(v):
            if v is None:
                return None
            v = v[idx] if isinstance(v, np.ndarray) else v
            return v.tolist() if isinstance(v, np.ndarray) and v.dtype == object else v

        self.parts.append(pl.DataFrame({
            "event_id": [f"{r}:{etype}:{seq}" for r in self.report_id[idx]],
            "report_id": self.report_id[idx], "event_type": etype, "at": at[idx], "unit_id": pick(unit),
            "to_unit_id": pick(to_unit), "deadline_at": pick(deadline_at), "rating": pick(rating), "note": pick(note),
        }, schema=EVENT_SCHEMA, strict=False))

    def frame(self, horizon: np.datetime64) -> pl.DataFrame:
        """Every event up to ``horizon``: nothing after the end of the window has happened yet."""
        return pl.concat(self.parts).filter(pl.col("at") <= horizon).with_columns(
            pl.col("at").dt.replace_time_zone("UTC"), pl.col("deadline_at").dt.replace_time_zone("UTC"))


def event_log(report_id: np.ndarray, *, received: np.ndarray, valid: np.ndarray, validated: np.ndarray,
              invalid_reason: np.ndarray, routed: Routing, assigned: Assignment, due: Deadlines, ended: Outcomes,
              rated: Ratings, horizon: np.datetime64) -> pl.DataFrame:
    log = EventLog(report_id)
    first, final, transferred = routed.first_unit, routed.final_unit, routed.transferred
    log.add(np.ones(len(report_id), dtype=bool), "received", received)
    log.add(valid, "validated", validated)
    log.add(~valid, "invalidated", validated, note=invalid_reason)
    # the first unit's deadline ran from its own assignment, with the same window
    log.add(valid, "assigned", assigned.assigned, unit=first, deadline_at=np.where(
        transferred, assigned.assigned + (due.deadline - assigned.last_assign), due.deadline))
    log.add(transferred, "transferred", assigned.transfer_at, unit=first, to_unit=final, deadline_at=due.deadline)
    log.add(ended.has_ext, "extension_requested", ended.ext_req, unit=final)
    log.add(ended.has_ext, "extension_granted", ended.ext_grant, unit=final, deadline_at=ended.ext_deadline)
    log.add(ended.processed, "resolved", ended.resolve, unit=final)
    log.add(ended.withdrawn, "withdrawn", ended.withdraw_at, unit=final,
            note=np.full(len(report_id), "Công dân rút phản ánh"))
    log.add(rated.rated, "rated", rated.rated_at, rating=rated.rating)
    log.add(rated.reopen, "reopened", rated.reopen_at, unit=final,
            note=np.full(len(report_id), "Công dân không hài lòng, mở lại"))
    log.add(rated.reopen, "resolved", rated.re_resolve, unit=final, seq=2)
    return log.frame(horizon)


def messy(rng: np.random.Generator, reports: pl.DataFrame, events: pl.DataFrame, *, late_edit_share: float,
          resend_share: float, conflicting: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(report versions, event deliveries): late edits (a newer version), identical re-sends, and
    ``conflicting`` reports delivered again under the same id and version with other content."""
    n = reports.height
    edit = rng.random(n) < late_edit_share
    edits = reports.filter(pl.Series(edit)).with_columns(
        pl.col("description") + " (Công dân bổ sung thông tin.)",
        (pl.col("updated_at") + pl.duration(hours=pl.lit(rng.integers(1, 72, int(edit.sum()))))),
    )
    resent = reports.filter(pl.Series(rng.random(n) < resend_share))
    conflicts = reports.sample(n=min(conflicting, n), seed=seed).with_columns(
        pl.col("description") + " [bản ghi trùng mã]")
    resent_events = events.filter(pl.Series(rng.random(events.height) < resend_share))
    return pl.concat([reports, edits, resent, conflicts]), pl.concat([events, resent_events])
