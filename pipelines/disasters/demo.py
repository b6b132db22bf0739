"""``build_demo_disasters(lake)``: everything the flood page and the leadership report need, in one call.

Loads the gauge stations, the real November 2025 readings (Huế, and central Vietnam for the other
gauges), the shared CAP samples, the warnings the IOC issues for the crossings, the simulated SOS /
hotline / warnings history, and gold.flood_status. Idempotent: a second call adds nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.settings import data_dir, data_path
from lake import Lake
from pipelines.disasters import gauges, sos, warnings_history
from pipelines.disasters.cap_ingest import SAMPLE_SOURCE, ingest_documents
from pipelines.disasters.feeds import file_documents
from pipelines.disasters.flood_status import build_flood_status
from pipelines.disasters.warnings_issuer import issue_flood_warnings, relay_received_for_hue


def shared_cap_samples() -> list:
    """The CAP 1.2 specification's example alerts: loaded as samples (``SAMPLE_SOURCE``), never as warnings."""
    base = data_dir()
    return sorted((base / "cap").glob("*.xml")) if base is not None else []


def timeline_end(lake: Lake) -> dt.date | None:
    """The last day of the lake's timeline as its reports were built (build parameters); None for a lake
    without simulated reports (the SOS simulation then covers the seed window only)."""
    from pipelines.reports.build_params import recorded

    until = (recorded(lake) or {}).get("until")
    return dt.date.fromisoformat(until) if until else None


def build_demo_disasters(lake: Lake, *, central: bool = True, until: dt.date | None = None) -> dict[str, Any]:
    """``until``: the last day of the simulated SOS / hotline timeline (default: the reports' timeline)."""
    out: dict[str, Any] = {"stations": gauges.load_stations(lake)}
    out["readings_hue"] = gauges.load_vndms_file(lake).as_dict()
    if central:
        out["readings_central"] = gauges.load_vndms_file(lake, data_path(gauges.CENTRAL_FILE)).as_dict()
    cap = ingest_documents(lake, file_documents(shared_cap_samples(), source=SAMPLE_SOURCE))
    out["cap_samples"] = cap.as_dict()
    out["issued_flood_warnings"] = issue_flood_warnings(lake)
    out["relayed_warnings"] = relay_received_for_hue(lake)
    out["simulated"] = sos.load_simulated(lake, until=until or timeline_end(lake))
    out["simulated_warnings"] = warnings_history.load_simulated_warnings(lake)
    out["flood_status"] = build_flood_status(lake)
    return out
