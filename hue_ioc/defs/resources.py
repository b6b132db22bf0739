"""Resources per deployment (local / production), chosen by HUE_IOC_DEPLOYMENT."""

from __future__ import annotations

import dagster as dg

from lake import SERVICE, Lake


class LakeResource(dg.ConfigurableResource):
    """The lake every asset writes through. ``root`` empty = HUE_IOC_LAKE or ./data/lake."""

    root: str = ""

    def lake(self) -> Lake:
        return Lake.open(self.root or None, role=SERVICE)
