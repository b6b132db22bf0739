"""How the pipelines are doing: a run-failure sensor that records each failed run in the lake
(``silver.pipeline_failures``), where the screens' freshness marks show "run failed" for the sources whose
tables the run was to write (``views.freshness``), until those tables are written again."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import dagster as dg
import polars as pl

from hue_ioc.defs.catalog import table_of
from hue_ioc.defs.resources import LakeResource
from lake import Lake

FAILURES = "silver.pipeline_failures"


def record_failure(lake: Lake, run_id: str, job_name: str, tables: Iterable[str], steps: Iterable[str],
                   message: str, failed_at: dt.datetime) -> None:
    """One row per failed run (a rerun of the sensor over the same run changes nothing)."""
    lines = (message or "").strip().splitlines()
    lake.merge(FAILURES, pl.DataFrame({
        "run_id": [run_id], "job_name": [job_name], "tables": [json.dumps(sorted(set(tables)))],
        "steps": [json.dumps(sorted(set(steps)))], "message": [lines[0][:500] if lines else ""],
        "failed_at": [failed_at.astimezone(dt.UTC)]}), update=False)


def run_tables(context: dg.RunFailureSensorContext) -> list[str]:
    """The lake tables the failed run was to write: its asset selection, else every asset of its job."""
    keys = context.dagster_run.asset_selection
    if not keys:
        keys = set()
        planned = context.instance.get_records_for_run(
            context.dagster_run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED).records
        for record in planned:
            event = record.event_log_entry.dagster_event
            if event is not None and event.asset_key is not None:
                keys.add(event.asset_key)
    return sorted(t for t in (table_of(k) for k in keys) if t)


@dg.run_failure_sensor(name="record_run_failures", default_status=dg.DefaultSensorStatus.RUNNING,
                       minimum_interval_seconds=30,
                       description="Records every failed run in silver.pipeline_failures: the screens' freshness "
                                   "marks then say 'run failed' for the sources it was to write.")
def record_run_failures(context: dg.RunFailureSensorContext, lake: LakeResource) -> None:
    steps = [e.step_key for e in context.get_step_failure_events() if e.step_key]
    message = context.failure_event.message or ""
    stats = context.instance.get_run_stats(context.dagster_run.run_id)
    ended = stats.end_time or dt.datetime.now(dt.UTC).timestamp()
    tables = run_tables(context)
    record_failure(lake.lake(), context.dagster_run.run_id, context.dagster_run.job_name, tables, steps, message,
                   dt.datetime.fromtimestamp(ended, dt.UTC))
    context.log.info(f"run {context.dagster_run.run_id} of {context.dagster_run.job_name} failed: {tables}")


defs = dg.Definitions(sensors=[record_run_failures])
