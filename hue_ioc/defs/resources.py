"""Resources per deployment (local / production), chosen by HUE_IOC_DEPLOYMENT."""

from __future__ import annotations

import os

import dagster as dg

from core.settings import SettingsError, settings
from lake import SERVICE, Lake
from pipelines.sources.resources import PG_DSN_ENV, PostgresSourceResource


class LakeResource(dg.ConfigurableResource):
    """The lake every asset writes through. ``root`` empty = HUE_IOC_LAKE or ./data/lake."""

    root: str = ""

    def lake(self) -> Lake:
        return Lake.open(self.root or None, role=SERVICE)



def postgres_source_resource(production: bool) -> PostgresSourceResource:
    """The citizen app's database for this deployment: in production the DSN comes from the environment
    through ``dg.EnvVar`` (the UI and run config show the variable's name, not the secret); the schema and
    the mapping file are settings. Production without a DSN set anywhere is refused, not run on a default."""
    s = settings()
    if not production:
        return PostgresSourceResource(dsn="", db_schema=s.pg_schema, mapping_file=s.pg_mapping or "")
    if os.environ.get(PG_DSN_ENV):
        dsn: str | dg.EnvVar = dg.EnvVar(PG_DSN_ENV)
    elif "pg_dsn" in s.model_fields_set:  # from the TOML file, which may not hold a password (core.settings)
        dsn = s.pg_dsn
    else:
        raise SettingsError(f"deployment production reads the citizen app's database: set {PG_DSN_ENV} "
                            "(a secret, from the environment) or pg_dsn without a password plus PGPASSWORD")
    return PostgresSourceResource(dsn=dsn, db_schema=s.pg_schema, mapping_file=s.pg_mapping or "")
