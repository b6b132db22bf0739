"""The code location: every domain's Definitions merged, with resources for the deployment.

Domains are imported explicitly (as in dagster-open-platform), so the code location shows in one
place what it is made of."""

from __future__ import annotations

import dagster as dg

from hue_ioc.defs import cameras, disasters, maintenance, publications, reports
from hue_ioc.defs.resources import LakeResource


def domain_definitions() -> list[dg.Definitions]:
    return [reports.defs, cameras.defs, disasters.defs, publications.defs, maintenance.defs]


def build_definitions(resources: dict | None = None) -> dg.Definitions:
    base = dg.Definitions(resources={"lake": LakeResource(), **(resources or {})})
    return dg.Definitions.merge(base, *domain_definitions())


defs = build_definitions()
