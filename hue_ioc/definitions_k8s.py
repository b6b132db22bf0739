"""The code location for Kubernetes (deploy/helm/values.yaml): every job of ``hue_ioc.definitions`` plus the
camera fleet on ``k8s_job_executor``, each camera step in a pod of its own.

Shipped configuration, NOT exercised on the development machines or in CI (no cluster there): the tests
only load this module and check the executor is the Kubernetes one. The celery path (hue_ioc.defs.cameras)
is the one tested with real workers."""

from __future__ import annotations

import dagster as dg
from dagster_k8s import k8s_job_executor

from hue_ioc.definitions import build_definitions
from hue_ioc.defs.cameras import camera_fleet
from hue_ioc.defs.resources import LakeResource

# each step a Kubernetes Job; a pod killed mid-step is retried by the step retry policy (the op's) and
# by the executor's retries, on another node; the lake is S3 (HUE_IOC_LAKE=s3://..., see values.yaml)
camera_fleet_k8s_job = camera_fleet.to_job(
    name="camera_fleet_k8s_job", resource_defs={"lake": LakeResource()},
    executor_def=k8s_job_executor.configured({
        "max_concurrent": 50,  # camera steps at once across the cluster
        "retries": {"enabled": {}},
        "step_k8s_config": {"container_config": {"resources": {
            "requests": {"cpu": "1", "memory": "1536Mi"}, "limits": {"cpu": "2", "memory": "3Gi"}}}},
    }),
    description="The camera fleet with each camera in its own pod (Kubernetes; not exercised here).")

defs = dg.Definitions.merge(build_definitions(), dg.Definitions(jobs=[camera_fleet_k8s_job]))
