"""`materialize` of the whole asset graph (every domain) on a small simulated set, with real local resources."""

import dagster as dg
import pytest

from hue_ioc.definitions import domain_definitions
from hue_ioc.defs.resources import LakeResource
from pipelines.sources.resources import HueSSimulatorResource, Open311Resource, PostgresSourceResource


@pytest.mark.slow
def test_materialize_every_domain(tmp_path, assets_dir):
    defs = domain_definitions()
    assets = [a for d in defs for a in (d.assets or [])]
    checks = [c for d in defs for c in (d.asset_checks or [])]
    lake_res = LakeResource(root=str(tmp_path / "lake"))
    resources = {"lake": lake_res, "simulator": HueSSimulatorResource(scale=0.01, seed=5),
                 "open311": Open311Resource(), "postgres_source": PostgresSourceResource(dsn="")}
    unpartitioned = [a for a in assets if not getattr(a, "partitions_def", None)]
    partitioned = [a for a in assets if getattr(a, "partitions_def", None)]
    result = dg.materialize(
        [*unpartitioned, *checks], resources=resources,
        run_config={"ops": {"camera_detections": {"config": {"max_frames": 40}}}},
    )
    assert result.success
    failed = [c for c in result.get_asset_check_evaluations() if not c.passed]
    assert not failed, failed
    lake = lake_res.lake()
    for table in ("gold.unit_performance", "gold.kpi_daily", "gold.violations_daily", "gold.flood_status",
                  "silver.warnings", "silver.sos_requests"):
        assert lake.sql(f"SELECT count(*) FROM {table}").item() > 0, table
    # the publications (monthly partitions) on top of what just landed
    monthly = [a for a in partitioned if "monthly" in a.key.to_user_string()]
    result = dg.materialize([*unpartitioned, *monthly], selection=[a.key for a in monthly],
                            partition_key="2022-04-01", resources=resources)
    assert result.success
