"""The code location: every domain's Definitions merged, with resources for the deployment."""

from __future__ import annotations

import importlib
import pkgutil

import dagster as dg

from pipelines import domains
from pipelines.resources import LakeResource


def domain_definitions() -> list[dg.Definitions]:
    out = []
    for info in sorted(pkgutil.iter_modules(domains.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"{domains.__name__}.{info.name}")
        if isinstance(getattr(mod, "defs", None), dg.Definitions):
            out.append(mod.defs)
    return out


def build_definitions(resources: dict | None = None) -> dg.Definitions:
    base = dg.Definitions(resources={"lake": LakeResource(), **(resources or {})})
    return dg.Definitions.merge(base, *domain_definitions())


defs = build_definitions()
