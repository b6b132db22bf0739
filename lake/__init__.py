"""The Hue IOC lake: Delta tables (bronze → silver → gold) behind one small API.

>>> from lake import Lake
>>> lake = Lake.open()
>>> lake.tables()                      # every table with description, columns and version
>>> lake.sql("select * from gold.unit_performance where month = $m", {"m": "2022-05"})
>>> lake.scan("silver.reports").group_by("category_code").len().collect()
>>> lake.as_of("2022-06-01").sql(...)  # time travel: every read pinned to that moment
"""

from lake.catalog import TableSpec, catalog, spec
from lake.errors import LakeError
from lake.rejects import Reject, rejects_frame
from lake.schema import SchemaMismatch
from lake.store import Lake

__all__ = ["Lake", "LakeError", "Reject", "SchemaMismatch", "TableSpec", "catalog", "rejects_frame", "spec"]
