"""Lake upkeep on a schedule: partitioning where a table predates it, compaction, history retention, vacuum.

Weekly, Sunday 02:00 Vietnam time (the quietest hour on the wall). Vacuum keeps every file a version of
the last ``AS_OF_RETENTION_DAYS`` days refers to, so ``--as-of`` rebuilds a report exactly for that long."""

import dagster as dg

from hue_ioc.defs.resources import LakeResource
from lake.maintenance import AS_OF_RETENTION_DAYS


class UpkeepConfig(dg.Config):
    tables: list[str] = []  # empty: every table of the catalog that exists
    retention_days: int = AS_OF_RETENTION_DAYS


@dg.op(description="Repartition (where a table predates the catalog's partitioning), compact, set the history "
                   "retention and vacuum each lake table.")
def lake_upkeep(context: dg.OpExecutionContext, config: UpkeepConfig, lake: LakeResource) -> dict:
    out = lake.lake().upkeep(config.tables or None, retention_days=config.retention_days, log=context.log.info)
    context.add_output_metadata({
        "tables": dg.MetadataValue.int(len(out)),
        "files_before": dg.MetadataValue.int(sum(v["files_before"] for v in out.values())),
        "files_after": dg.MetadataValue.int(sum(v["files_after"] for v in out.values())),
        "vacuumed": dg.MetadataValue.int(sum(v["vacuumed"] for v in out.values())),
        "repartitioned": dg.MetadataValue.text(", ".join(k for k, v in out.items() if v["repartitioned"])),
    })
    return out


@dg.job(description="Lake upkeep: partitioning, compaction, history retention, vacuum.")
def lake_maintenance_job():
    lake_upkeep()


lake_maintenance_schedule = dg.ScheduleDefinition(
    job=lake_maintenance_job, cron_schedule="0 2 * * 0", execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=f"Weekly lake upkeep; keeps {AS_OF_RETENTION_DAYS} days of history for --as-of.")

defs = dg.Definitions(jobs=[lake_maintenance_job], schedules=[lake_maintenance_schedule])
