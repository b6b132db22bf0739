"""Report sources as Dagster resources: each gives a :class:`ReportSource` through ``.source()``.

- ``HueSSimulatorResource``: the Hue-S simulator (the embedded default; its data is labelled simulated).
- ``Open311Resource``: live (``base_url`` set: the GeoReport v2 endpoint over HTTP, optionally recording
  every response into ``record_dir``) or recorded (``path``: a file or folder of GeoReport v2 JSON/XML
  documents and 311 CSV exports, e.g. what the live feed recorded; this is the replay used in tests).
- ``PostgresSourceResource``: the citizen app's operational database, read incrementally.

Assets keep the returned ``SourceBatch.watermark`` (e.g. in materialization metadata or a cursor) and
pass it back as ``since`` next time.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg
from pydantic import Field

from pipelines.sources.base import ReportSource
from pipelines.sources.open311.documents import DEFAULT_MAX_BYTES
from pipelines.sources.open311.feeds import Open311FileSource, Open311HttpSource
from pipelines.sources.open311.mapping import mapping_for
from pipelines.sources.postgres import PostgresReportSource
from pipelines.sources.simulator import SimulatedReportSource, SimulatorConfig


class HueSSimulatorResource(dg.ConfigurableResource):
    """The Hue-S simulator as a report source (the embedded default; its data is labelled simulated)."""

    enabled: bool = True
    seed: int = 7
    scale: float = Field(default=1.0, description="1.0 = the 3-year set (58,600 valid reports)")
    start: str = "2019-05-01"
    end: str = Field(default="2022-05-27", description="last day of the seed window (the calibrated figures)")
    until: str = Field(default="", description="last day of the timeline, YYYY-MM-DD (empty: today)")

    def config(self) -> SimulatorConfig:
        until = dt.date.fromisoformat(self.until) if self.until else dt.date.today()
        return SimulatorConfig(seed=self.seed, scale=self.scale, start=dt.date.fromisoformat(self.start),
                               end=dt.date.fromisoformat(self.end), until=until)

    def source(self) -> ReportSource:
        return SimulatedReportSource(self.config())


class Open311Resource(dg.ConfigurableResource):
    """An Open311 GeoReport v2 feed: live over HTTP (``base_url``) or recorded files (``path``)."""

    base_url: str = Field(default="", description="GeoReport v2 endpoint, e.g. https://host/open311/v2 (live)")
    path: str = Field(default="", description="file or folder of recorded documents / CSV exports (replay)")
    format: str = Field(default="json", description="json or xml (live feed)")
    jurisdiction_id: str = ""
    since_param: str = Field(default="", description="server parameter for 'updated after', if it has one")
    page_size: int = Field(default=0, description="0 = no paging; else page/page_size until a short page")
    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 30.0
    max_bytes: int = DEFAULT_MAX_BYTES
    record_dir: str = Field(default="", description="keep every live response here (replayable with path)")
    timezone: str = Field(default="UTC", description="zone of timestamps without an offset (CSV: local time, "
                                                      "e.g. America/New_York for NYC 311)")
    id_prefix: str = Field(default="", description="prefix of report ids, to keep several cities apart")
    mapping_table: str = Field(default="", description="CSV mapping table (service → category, agency → unit); "
                                                      "empty = the packaged one, which maps nothing yet")
    jurisdiction: str = Field(default="hue", description="which rows of the mapping table apply")

    def source(self) -> ReportSource:
        mapping = mapping_for(self.mapping_table or None, self.timezone, self.id_prefix, self.jurisdiction)
        if self.base_url and self.path:
            raise ValueError("Open311Resource: set base_url (live) or path (recorded), not both")
        if self.base_url:
            return Open311HttpSource(
                base_url=self.base_url, fmt=self.format, jurisdiction_id=self.jurisdiction_id or None,
                since_param=self.since_param or None, page_size=self.page_size or None,
                timeout=(self.connect_timeout_seconds, self.read_timeout_seconds), max_bytes=self.max_bytes,
                mapping=mapping, record_dir=self.record_dir or None)
        if self.path:
            return Open311FileSource(self.path, mapping=mapping, max_bytes=self.max_bytes)
        raise ValueError("Open311Resource: set base_url (live feed) or path (recorded feed)")


class PostgresSourceResource(dg.ConfigurableResource):
    """The citizen app's operational PostgreSQL (tables hues_reports, hues_report_events in ``db_schema``)."""

    dsn: str = Field(default="", description="libpq connection string, e.g. 'host=127.0.0.1 dbname=hues user=ioc'; "
                                             "empty = not configured")
    db_schema: str = "public"
    connect_timeout_seconds: int = 10

    def source(self) -> ReportSource:
        if not self.dsn:
            raise ValueError("PostgresSourceResource: no dsn configured")
        return PostgresReportSource(self.dsn, self.db_schema, connect_timeout=self.connect_timeout_seconds)
