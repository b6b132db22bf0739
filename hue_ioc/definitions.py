"""The code location: every domain's Definitions merged, with resources for the deployment.

Domains are imported explicitly (as in dagster-open-platform), so the code location shows in one
place what it is made of."""

from __future__ import annotations

import dagster as dg

from hue_ioc.defs import cameras, disasters, maintenance, operations, publications, reports
from hue_ioc.defs.resources import LakeResource


def domain_definitions() -> list[dg.Definitions]:
    return [reports.defs, cameras.defs, disasters.defs, publications.defs, operations.defs, maintenance.defs]


def build_definitions(resources: dict | None = None) -> dg.Definitions:
    # Steps run in the run's own process: each step here is one lake write that takes seconds, and a process
    # per step (the multiprocess default) spent most of a run importing the code again for every step
    # (README, "Dagster": step time against wall time measured both ways). A run is still isolated from
    # the webserver and the daemon, and a failed step still fails its run.
    base = dg.Definitions(resources={"lake": LakeResource(), **(resources or {})}, executor=dg.in_process_executor)
    return dg.Definitions.merge(base, *domain_definitions())


defs = build_definitions()
