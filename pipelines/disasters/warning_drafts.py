"""Warnings need a human: a Huế gauge crossing an alarm level, or a received CAP alert for Huế, makes a DRAFT of
the IOC's warning (Vietnamese with English, silver.warning_drafts); an operator edits, approves or discards it on
the flood page (``dashboards.actions.warnings``, audited in silver.warning_decisions); only approved drafts are
issued (:func:`issue_approved`: CAP 1.2, one info per language, into silver.warnings with direction 'issued',
where the warnings are counted).

Drafts are keyed by the alert they draft (the crossing's gauge and reading time, or the received alert), so a
batch processed again drafts nothing new and a discarded draft stays discarded. An issued alert's <sent> is the
approval time and its message type follows what was really issued before it for the same gauge (an Alert when
nothing is in force, else an Update or a Cancel referencing it), so an episode whose first draft was discarded
starts with an Alert."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

import polars as pl
import pyarrow as pa

from core.tz import VN_TZ
from lake import Lake
from lake.catalog import spec
from pipelines.disasters.cap.model import CapAlert
from pipelines.disasters.cap.parse import parse_cap
from pipelines.disasters.cap.rules import format_cap_datetime
from pipelines.disasters.cap.write import build_cap_xml
from pipelines.disasters.cap_ingest import (
    TARGET,
    alert_to_row,
    apply_supersession,
    warning_id,
    warnings_frame,
)
from pipelines.disasters.common import insert_new, utcnow
from pipelines.disasters.warnings_issuer import concerns_hue, flood_warnings_for, relay_alert

DRAFTS = "silver.warning_drafts"
TEXTS = ("headline_vi", "description_vi", "instruction_vi", "headline_en", "description_en", "instruction_en")
# a crossing older than this when first seen is history, not a warning to draft (a lake loaded with a past flood)
DRAFT_WINDOW = dt.timedelta(hours=24)


def _texts(alert: CapAlert) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for info in alert.infos:
        lang = info.language[:2]
        if lang in ("vi", "en"):
            out |= {f"headline_{lang}": info.headline, f"description_{lang}": info.description,
                    f"instruction_{lang}": info.instruction}
    return out


def _draft_row(alert: CapAlert, *, kind: str, source: str, origin: str, now: dt.datetime,
               station_code: str | None = None, alarm_level: int | None = None, previous_level: int | None = None,
               water_level_m: float | None = None, observed_at: dt.datetime | None = None) -> dict:
    info = alert.primary_info()
    return {"draft_id": warning_id(alert), "kind": kind, "source": source, "origin": origin,
            "identifier": alert.identifier, "station_code": station_code, "alarm_level": alarm_level,
            "previous_level": previous_level, "water_level_m": water_level_m,
            "observed_at": observed_at or alert.sent, "severity": info.severity if info else None,
            "created_at": now, "status": "draft", **_texts(alert),
            "xml": build_cap_xml(alert, tz=VN_TZ).decode("utf-8"), "decided_by": None, "decided_at": None,
            "issued_warning_id": None, "issued_at": None}


def _frame(rows: list[dict]) -> pl.DataFrame:
    schema = spec(DRAFTS).schema
    out = pl.from_arrow(pa.Table.from_pylist([{k: r.get(k) for k in schema.names} for r in rows], schema=schema)
                        if rows else schema.empty_table())
    assert isinstance(out, pl.DataFrame)
    return out


def _issued_identifiers(lake: Lake) -> set[str]:
    if not lake.exists(TARGET):
        return set()
    return set(lake.sql("SELECT identifier FROM silver.warnings WHERE direction = 'issued'")["identifier"].to_list())


def draft_flood_warnings(lake: Lake, stations: Iterable[str] | None = None, now: dt.datetime | None = None) -> int:
    """Draft a warning for every crossing of the stations given (all when None) not yet drafted or issued and
    observed within ``DRAFT_WINDOW`` of ``now``; returns the new drafts."""
    now = now or utcnow()
    st = lake.read("silver.gauge_stations")
    codes = None if stations is None else sorted(set(stations))
    if codes is not None:
        st = st.filter(pl.col("station_code").is_in(codes))
    if st.is_empty() or not lake.exists("silver.gauge_readings"):
        return 0
    # A crossing needs a reading at alarm 1 or above (the state starts below level 1): without one, no gauge
    # can have crossed, and the readings need not be read (the common case, on every live batch).
    if not lake.sql("SELECT count(*) FROM silver.gauge_readings WHERE list_contains($codes::VARCHAR[], station_code) "
                    "AND alarm_level >= 1", {"codes": st["station_code"].to_list()}).item():
        return 0
    readings = lake.sql("""
        SELECT station_code, observed_at, water_level_m, bulletin_vi, source FROM silver.gauge_readings
        WHERE list_contains($codes::VARCHAR[], station_code)""", {"codes": st["station_code"].to_list()})
    sources = {(s, t): src for s, t, src in readings.select("station_code", "observed_at", "source").iter_rows()}
    issued = _issued_identifiers(lake)
    rows = []
    for alert, c in flood_warnings_for(readings.drop("source"), st):
        if c.observed_at < now - DRAFT_WINDOW or alert.identifier in issued:
            continue
        source = "simulated" if sources.get((c.station_code, c.observed_at)) == "simulated" else "ioc"
        rows.append(_draft_row(alert, kind="flood", source=source, origin=c.station_code, now=now,
                               station_code=c.station_code, alarm_level=c.level, previous_level=c.previous,
                               water_level_m=c.water_level_m, observed_at=c.observed_at))
    return insert_new(lake, DRAFTS, _frame(rows))


def draft_relays(lake: Lake, warning_ids: list[str] | None = None, now: dt.datetime | None = None) -> int:
    """Draft a Vietnamese IOC relay for each received Actual Alert/Update covering Huế; returns new drafts."""
    if not lake.exists(TARGET):
        return 0
    now = now or utcnow()
    df = lake.read(TARGET).filter((pl.col("direction") == "received") & (pl.col("status") == "Actual")
                                  & pl.col("msg_type").is_in(["Alert", "Update"]))
    if warning_ids is not None:
        df = df.filter(pl.col("warning_id").is_in(warning_ids))
    issued = _issued_identifiers(lake)
    rows = []
    for row in df.iter_rows(named=True):
        ok, communes = concerns_hue(row)
        if not ok or not communes:
            continue
        alert = relay_alert(row, communes)
        if alert.identifier in issued:
            continue
        rows.append(_draft_row(alert, kind="relay", source="simulated" if row["source"] == "simulated" else "ioc",
                               origin=row["warning_id"], now=now, observed_at=row["sent"]))
    return insert_new(lake, DRAFTS, _frame(rows))


def _previous_issued(lake: Lake, station_code: str, identifier: str) -> dict | None:
    if not lake.exists(TARGET):
        return None
    df = lake.sql("""
        SELECT sender, identifier, sent, msg_type FROM silver.warnings
        WHERE direction = 'issued' AND station_code = $code AND identifier <> $ident
        ORDER BY sent DESC LIMIT 1""", {"code": station_code, "ident": identifier})
    return None if df.is_empty() else df.row(0, named=True)


def issue_draft(lake: Lake, draft: dict) -> CapAlert:
    """The CAP alert an approved draft issues: its edited texts, sent at the approval, the message type and
    references of what was issued before it for the same gauge."""
    alert = parse_cap(draft["xml"])
    infos = []
    for info in alert.infos:
        lang = info.language[:2]
        if lang in ("vi", "en"):
            info = dataclasses.replace(info, headline=draft[f"headline_{lang}"] or info.headline,
                                       description=draft[f"description_{lang}"] or info.description,
                                       instruction=draft[f"instruction_{lang}"] or info.instruction)
        infos.append(info)
    sent = (draft["decided_at"] or utcnow()).astimezone(dt.UTC).replace(microsecond=0)
    msg_type, refs = "Alert", []
    if draft["kind"] == "flood" and draft["station_code"]:
        prev = _previous_issued(lake, draft["station_code"], alert.identifier)
        if prev is not None and prev["msg_type"] != "Cancel":
            msg_type = "Cancel" if draft["alarm_level"] == 0 else "Update"
            refs = [(prev["sender"], prev["identifier"], format_cap_datetime(prev["sent"], VN_TZ))]
    return dataclasses.replace(alert, sent=sent, sent_text=format_cap_datetime(sent, VN_TZ), msg_type=msg_type,
                               references=refs, infos=infos)


def issue_approved(lake: Lake) -> int:
    """Issue every approved draft (oldest approval first); returns the warnings issued.

    The issued alert's id follows from the draft and its approval time, so a crash between the two writes
    issues nothing twice: the rerun finds the warning stored and only marks the draft issued."""
    if not lake.exists(DRAFTS):
        return 0
    approved = lake.sql("SELECT * FROM silver.warning_drafts WHERE status = 'approved' ORDER BY decided_at, draft_id")
    if approved.is_empty():
        return 0
    issued, now, done = 0, utcnow(), []
    for draft in approved.iter_rows(named=True):
        alert = issue_draft(lake, draft)
        xml = build_cap_xml(alert, tz=VN_TZ).decode("utf-8")
        row = alert_to_row(alert, direction="issued", source=draft["source"], origin=draft["origin"], xml=xml,
                           ingested_at=now, station_code=draft["station_code"], alarm_level=draft["alarm_level"],
                           water_level_m=draft["water_level_m"])
        issued += insert_new(lake, TARGET, warnings_frame([row]))  # one by one: the next one's type follows it
        done.append(draft | {"status": "issued", "issued_warning_id": row["warning_id"], "issued_at": now})
    apply_supersession(lake)
    lake.merge(DRAFTS, _frame(done), update=True)
    return issued


__all__ = ["DRAFTS", "TEXTS", "draft_flood_warnings", "draft_relays", "issue_approved", "issue_draft"]
