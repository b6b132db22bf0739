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
import os

import dagster as dg
from pydantic import Field

from core.settings import SettingsError, settings
from pipelines.sources.base import ReportSource
from pipelines.sources.mapping import SourceMapping, load_mapping
from pipelines.sources.open311.documents import DEFAULT_MAX_BYTES
from pipelines.sources.open311.feeds import Open311FileSource, Open311HttpSource
from pipelines.sources.open311.mapping import mapping_for
from pipelines.sources.postgres import PostgresReportSource
from pipelines.sources.simulator import SimulatedReportSource, SimulatorConfig

PG_DSN_ENV = "HUE_IOC_PG_DSN"


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
    """The citizen app's operational PostgreSQL, read through its source contract (a mapping file).

    The DSN is a secret. Deployments pass ``dg.EnvVar("HUE_IOC_PG_DSN")`` (the Dagster UI, the run config
    and the event log show the variable's name, never its value) or leave ``dsn`` empty: in production an
    empty ``dsn`` is read from HUE_IOC_PG_DSN when the run starts (so run config that sets only the schema
    keeps the DSN: Dagster replaces a resource's whole config with the run's). Empty fields mean the
    settings ``pg_schema`` / ``pg_mapping``. Outside production an empty ``dsn`` means "not a source".
    Errors mask any password (``core.settings.mask_dsn``)."""

    dsn: str = Field(default="", description="libpq connection string; a secret: give dg.EnvVar('HUE_IOC_PG_DSN') "
                                             "or leave empty (production: read from HUE_IOC_PG_DSN at run time; "
                                             "local: no PostgreSQL source)")
    db_schema: str = Field(default="", description="the app's schema; empty = setting pg_schema")
    mapping_file: str = Field(default="", description="YAML source contract; empty = setting pg_mapping, else the "
                                                      "default layout of postgres.sql")
    connect_timeout_seconds: int = 10

    def resolved_dsn(self) -> str:
        """The DSN to connect with; "" = no PostgreSQL source in this deployment."""
        if self.dsn:
            return self.dsn
        s = settings()
        if s.deployment != "production":
            return ""
        if os.environ.get(PG_DSN_ENV):
            return os.environ[PG_DSN_ENV]
        if "pg_dsn" in s.model_fields_set:
            return s.pg_dsn
        raise SettingsError(f"deployment production reads the citizen app's database: set {PG_DSN_ENV} "
                            "(a secret, from the environment) or pg_dsn without a password plus PGPASSWORD")

    def enabled(self) -> bool:
        return bool(self.resolved_dsn())

    def mapping(self) -> SourceMapping:
        return load_mapping(self.mapping_file or settings().pg_mapping or None)

    def source(self) -> PostgresReportSource:
        dsn = self.resolved_dsn()
        if not dsn:
            raise ValueError("PostgresSourceResource: no dsn configured")
        return PostgresReportSource(dsn, self.db_schema or settings().pg_schema, self.mapping(),
                                    connect_timeout=self.connect_timeout_seconds)
