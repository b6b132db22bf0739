"""The moderation queue: new reports flagged as likely duplicates, spam, inciting, or from a blocked reporter.

* **duplicate**: an earlier report (received at most ``WINDOW_H`` hours before) of the same category, within
  ``RADIUS_M`` metres (or, when either has no coordinates, in the same commune and at most
  ``COMMUNE_WINDOW_H`` hours before), whose title reads the same:
  rapidfuzz's ``partial_ratio`` of the two folded titles at least ``TEXT_MIN``. The most similar (then the
  nearest in time) is named as the original.
* **spam** / **inciting**: a word or pattern of ``moderation_words.yaml`` (data the IOC edits) in the title or
  description, both folded to plain ASCII (``fold``): matched with and without diacritics.
* **blocked**: the reporter's phone is in silver.blocked_reporters.

A report an operator decided on (silver.moderation_decisions) leaves the queue."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import polars as pl
import yaml
from rapidfuzz import fuzz

from lake import Lake

TABLES = ("silver.reports", "silver.blocked_reporters", "silver.moderation_decisions", "silver.categories")
WORDS_FILE = Path(__file__).with_name("moderation_words.yaml")
WINDOW_H = 48.0
RADIUS_M = 300.0
COMMUNE_WINDOW_H = 6.0  # when either report has no coordinates
TEXT_MIN = 95.0  # demo lake (scale 1.0, seed 7): precision 0.97, recall 1.00 (0.998) against the labels
FLAGS = ("duplicate", "spam", "inciting", "blocked")


def fold(text: str | None) -> str:
    """Lower case, Vietnamese diacritics removed (đ → d), runs of non-letters as one space:
    'Quảng CÁO — Đường Lê Lợi!' → 'quang cao duong le loi'."""
    if not text:
        return ""
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn").lower()
    return re.sub(r"[^0-9a-z]+", " ", s).strip()


@lru_cache(maxsize=4)
def _rules(path: str, mtime: float) -> dict[str, list[re.Pattern[str]]]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    out: dict[str, list[re.Pattern[str]]] = {}
    for flag in ("spam", "inciting"):
        spec = data.get(flag) or {}
        words = [fold(w) for w in spec.get("words") or [] if fold(w)]
        pats = [re.compile(rf"\b{re.escape(w)}\b") for w in words]
        pats += [re.compile(p) for p in spec.get("patterns") or []]
        out[flag] = pats
    return out


def rules(path: Path = WORDS_FILE) -> dict[str, list[re.Pattern[str]]]:
    """The compiled word lists and patterns (read again when the file changes)."""
    return _rules(str(path), path.stat().st_mtime)


def content_flags(title: str | None, description: str | None, path: Path = WORDS_FILE) -> list[str]:
    """``spam`` and/or ``inciting`` when the folded text holds one of their words or patterns. Patterns also
    see the raw text lower-cased (a URL keeps its dots there)."""
    folded = fold(f"{title or ''} {description or ''}")
    raw = f"{title or ''} {description or ''}".lower()
    found = []
    for flag, pats in rules(path).items():
        if any(p.search(folded) or p.search(raw) for p in pats):
            found.append(flag)
    return found


def text_similarity(a: str | None, b: str | None) -> float:
    """0..100: how much two report titles read the same, folded; partial, so 'Phản ánh lại: X' ≈ 'X'."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return 0.0
    return float(fuzz.partial_ratio(fa, fb)) if min(len(fa), len(fb)) >= 12 else float(fuzz.ratio(fa, fb))


def duplicate_candidates(lake: Lake, start: dt.datetime, end: dt.datetime, *, window_h: float = WINDOW_H,
                         radius_m: float = RADIUS_M, text_min: float = TEXT_MIN,
                         commune_window_h: float = COMMUNE_WINDOW_H) -> pl.DataFrame:
    """Reports received in [start, end) that repeat an earlier one: report_id, duplicate_of, distance_m
    (null when compared by commune), hours_after, similarity; one row per report (its best original)."""
    pairs = lake.sql("""
        SELECT n.report_id, o.report_id duplicate_of, n.title, o.title original_title,
               CASE WHEN n.lat IS NULL OR o.lat IS NULL OR n.lon IS NULL OR o.lon IS NULL THEN NULL
                    ELSE 2 * 6371008.8 * asin(sqrt(pow(sin(radians(o.lat - n.lat) / 2), 2)
                         + cos(radians(n.lat)) * cos(radians(o.lat)) * pow(sin(radians(o.lon - n.lon) / 2), 2)))
               END distance_m,
               date_diff('second', o.received_at, n.received_at) / 3600.0 hours_after,
               n.admin_unit_code = o.admin_unit_code same_commune
        FROM silver.reports n JOIN silver.reports o
          ON o.category_code = n.category_code AND o.report_id <> n.report_id
         AND o.received_at <= n.received_at AND o.received_at >= n.received_at - to_microseconds($window_us)
        WHERE n.received_at >= $start AND n.received_at < $end""",
                     {"start": start, "end": end, "window_us": int(window_h * 3600 * 1_000_000)})
    # without coordinates (hotline calls) the commune stands in for the place: a coarser match, held to a
    # shorter window
    near = pairs.filter(pl.when(pl.col("distance_m").is_null())
                        .then(pl.col("same_commune").fill_null(False) & (pl.col("hours_after") <= commune_window_h))
                        .otherwise(pl.col("distance_m") <= radius_m))
    schema = {"report_id": pl.String, "duplicate_of": pl.String, "distance_m": pl.Float64,
              "hours_after": pl.Float64, "similarity": pl.Float64}
    if near.is_empty():
        return pl.DataFrame(schema=schema)
    scored = near.with_columns(pl.struct("title", "original_title").map_elements(
        lambda r: text_similarity(r["title"], r["original_title"]), return_dtype=pl.Float64).alias("similarity"))
    best = (scored.filter(pl.col("similarity") >= text_min)
            .sort(["report_id", "similarity", "hours_after"], descending=[False, True, False])
            .unique("report_id", keep="first", maintain_order=True))
    return best.select(list(schema))


def queue(lake: Lake, at: dt.datetime, days: float = 7.0, limit: int = 50) -> pl.DataFrame:
    """Reports received in the ``days`` before ``at`` that carry a flag and no moderation decision yet,
    newest first: report_id, received_at, category, title, description, reporter, flags (list), duplicate_of,
    the original's title, similarity, distance_m."""
    start = at - dt.timedelta(days=days)
    reports = lake.sql("""
        SELECT r.report_id, r.received_at, r.category_code, c.name_vi category_vi, c.name_en category_en, r.title,
               r.description, r.reporter_name, r.reporter_phone, r.lat, r.lon,
               b.reporter_phone IS NOT NULL blocked
        FROM silver.reports r LEFT JOIN silver.categories c USING (category_code)
             LEFT JOIN silver.blocked_reporters b ON b.reporter_phone = r.reporter_phone
        WHERE r.received_at >= $start AND r.received_at < $end
          AND r.report_id NOT IN (SELECT report_id FROM silver.moderation_decisions)""",
                        {"start": start, "end": at})
    if reports.is_empty():
        return reports
    dups = duplicate_candidates(lake, start, at)
    originals = lake.sql("SELECT report_id duplicate_of, title original_title FROM silver.reports "
                         "WHERE list_contains($ids, report_id)", {"ids": dups["duplicate_of"].to_list()})
    out = (reports.join(dups, on="report_id", how="left").join(originals, on="duplicate_of", how="left")
           .with_columns(pl.struct("title", "description", "blocked", "duplicate_of").map_elements(
               lambda r: ((["duplicate"] if r["duplicate_of"] else [])
                          + content_flags(r["title"], r["description"])
                          + (["blocked"] if r["blocked"] else [])),
               return_dtype=pl.List(pl.String)).alias("flags")))
    return (out.filter(pl.col("flags").list.len() > 0).sort("received_at", descending=True).head(limit)
            .drop("blocked"))


def decisions(lake: Lake, start: dt.datetime | None = None, end: dt.datetime | None = None) -> pl.DataFrame:
    """Moderation decisions made in [start, end) (all when not given), counted by decision: what the monthly
    report shows."""
    return lake.sql("""
        SELECT decision, count(*)::BIGINT n FROM silver.moderation_decisions
        WHERE ($start IS NULL OR decided_at >= $start) AND ($end IS NULL OR decided_at < $end)
        GROUP BY decision ORDER BY decision""", {"start": start, "end": end})


def history(lake: Lake, limit: int = 30) -> pl.DataFrame:
    """The latest moderation decisions, newest first."""
    return lake.sql("""SELECT decided_at, moderator, report_id, decision, reason, duplicate_of, flags
        FROM silver.moderation_decisions ORDER BY decided_at DESC, decision_id LIMIT $limit""", {"limit": limit})
