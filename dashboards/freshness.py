"""How fresh the screens are: per source, how old the newest data is ("Camera: 4 giây trước"), green, then
amber and red past the configured staleness (``[dashboard.freshness]`` in hue_ioc.toml: source = [amber_s,
red_s]; defaults in ``views.freshness``). Also the wall's alarm banner (a Huế gauge at báo động 2 or 3, a CAP
warning for Huế in force) and its ticker of the newest events."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from core import fmt
from core.settings import settings
from dashboards.data import versioned
from dashboards.lang import t, t_or
from lake import Lake
from views import floods, freshness, ticker, warnings

COLOURS = {"green": "green", "amber": "orange", "red": "red", "failed": "violet", "none": "gray"}
HUE_NAMES = ("huế", "hue", "thừa thiên")  # a CAP area for Huế names it (the IOC's own warnings are for Huế)
ALARM_BANNER_FROM = 2  # báo động 2 and 3 put the banner up
LIVE_SECONDS = 10  # a page's freshness marks are drawn again this often

gauge_status = versioned(*floods.GAUGE_TABLES)(floods.gauge_status)
newest_events = versioned(*ticker.TABLES)(ticker.newest_events)


def age_text(age_s: float, lang: str) -> str:
    """"4 giây", "3 phút", "2 giờ", "5 ngày": the largest whole unit."""
    s = int(age_s)
    if s < 60:
        return t("age_seconds", lang, n=s)
    if s < 3600:
        return t("age_minutes", lang, n=s // 60)
    if s < 86400:
        return t("age_hours", lang, n=s // 3600)
    return t("age_days", lang, n=s // 86400)


def marks(lake: Lake, lang: str, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """(state, text) per source, e.g. ("green", "Camera: 4 giây trước")."""
    frame = freshness.freshness(lake, now, thresholds=dict(settings().dashboard.freshness))
    out = []
    for r in frame.iter_rows(named=True):
        name = t(f"fresh_{r['source']}", lang)
        text = (t("fresh_failed", lang, source=name, job=r["failed_job"]) if r["state"] == "failed"
                else t("fresh_none", lang, source=name) if r["age_s"] is None
                else t("fresh_ago", lang, source=name, age=age_text(r["age_s"], lang)))
        out.append((r["state"], text))
    return out


def show_freshness(lake: Lake, lang: str) -> None:
    """One line of coloured marks (the page's single freshness call)."""
    st.markdown(" · ".join(f":{COLOURS[state]}[● {text}]" for state, text in marks(lake, lang)),
                help=" / ".join(t(f"fresh_state_{s}", lang) for s in COLOURS))


@st.fragment(run_every=dt.timedelta(seconds=LIVE_SECONDS))
def show_freshness_live(lake: Lake, lang: str) -> None:
    """The marks on top of a page, drawn again every ``LIVE_SECONDS`` on their own: a screen left open must
    show its data ageing (and a source coming back) without anyone reloading it. The wall draws
    ``show_freshness`` inside its own refreshing fragment."""
    show_freshness(lake, lang)


def _for_hue(area: str | None, direction: str | None) -> bool:
    return direction == "issued" or any(n in (area or "").lower() for n in HUE_NAMES)


def alarms(lake: Lake, lang: str, now: dt.datetime | None = None) -> list[str]:
    """The banner's lines: each Huế gauge at báo động 2 or 3 now (its reading fresh), each CAP warning for Huế
    in force now."""
    now = now or dt.datetime.now(dt.UTC)
    out = []
    gauges = gauge_status(lake, now).filter(~pl.col("stale") & (pl.col("alarm_level") >= ALARM_BANNER_FROM))
    for g in gauges.sort("alarm_level", descending=True).iter_rows(named=True):
        out.append(t("banner_gauge", lang, level=g["alarm_level"], station=g["name"] or g["station_code"],
                     level_m=fmt.num(g["latest_level_m"], 2, lang)))
    for w in warnings.in_force(lake, now).iter_rows(named=True):
        if _for_hue(w["area_desc"], w["direction"]):
            out.append(t("banner_cap", lang, headline=w["headline"] or w["event"] or w["warning_id"]))
    return out


def show_banner(lake: Lake, lang: str) -> None:
    for line in alarms(lake, lang):
        st.markdown(f'<div class="hue-alarm" style="background:#c62828;color:#fff;padding:.6rem 1rem;'
                    f'font-weight:700;font-size:2rem;border-radius:6px">⚠ {line}</div>', unsafe_allow_html=True)


def ticker_rows(lake: Lake, lang: str, limit: int = 8) -> pl.DataFrame:
    """The ticker as shown: time, event, detail."""
    rows = []
    for e in newest_events(lake, limit).iter_rows(named=True):
        code = e["code"]
        if e["kind"] == "violation":
            detail = f"{e['subject']} · {t_or('vt_' + (code or ''), code or '', lang)}"
        elif e["kind"] == "reading":
            level = t_or(f"alarm_{code}", "", lang) if code not in (None, "0") else ""
            detail = f"{e['subject']} · {fmt.num(e['value'], 2, lang)} m" + (f" · {level}" if level else "")
        else:
            detail = f"{e['subject']} · {code or fmt.DASH}"
        rows.append({"time": fmt.datetime(e["event_at"], lang), "event": t(f"ev_{e['kind']}", lang),
                     "detail": detail})
    return pl.DataFrame(rows, schema={"time": pl.String, "event": pl.String, "detail": pl.String})
