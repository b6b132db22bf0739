"""The Kubernetes path is shipped, not exercised (no cluster here): its code location loads, its fleet job
uses the Kubernetes executor, and the Helm values point at that code location with the K8s run launcher."""

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_k8s_code_location_loads_with_the_k8s_executor():
    from hue_ioc.definitions_k8s import camera_fleet_k8s_job, defs

    assert camera_fleet_k8s_job.executor_def.name == "k8s"
    names = {j.name for j in defs.resolve_all_job_defs()}
    assert {"camera_fleet_k8s_job", "camera_fleet_celery_job", "lake_maintenance_job"} <= names


def test_helm_values_launch_runs_on_kubernetes_from_that_code_location():
    values = yaml.safe_load((REPO / "deploy" / "helm" / "values.yaml").read_text(encoding="utf-8"))
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "hue_ioc.definitions_k8s"]
    env = {e["name"]: e["value"] for e in deployment["env"]}
    assert env["HUE_IOC_LAKE"].startswith("s3://")
