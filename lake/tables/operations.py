"""How the pipelines themselves are doing: runs that failed, for the freshness marks of the screens."""

import pyarrow as pa

from lake.catalog import TS, Column, TableSpec

STR = pa.string()

PIPELINE_FAILURES = TableSpec(
    name="silver.pipeline_failures",
    schema=pa.schema([
        ("run_id", STR),
        ("job_name", STR),
        ("tables", STR),
        ("steps", STR),
        ("message", STR),
        ("failed_at", TS),
    ]),
    keys=("run_id",),
    docs={
        "run_id": Column("the Dagster run that failed"),
        "job_name": Column("the job it ran (rebuild_reports, sync_reports, disasters_update, ...)"),
        "tables": Column("JSON list of the lake tables the run was to write"),
        "steps": Column("JSON list of the steps that failed"),
        "message": Column("the first failure's message (one line)"),
        "failed_at": Column("when the run failed (UTC)"),
    },
    description="Dagster runs that failed, recorded by the run-failure sensor; the screens' freshness marks "
                "show 'run failed' for a source until one of its tables is written again.",
)

TABLES = [PIPELINE_FAILURES]
