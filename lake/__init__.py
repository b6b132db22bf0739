"""The Hue IOC lake: Delta tables (bronze → silver → gold) behind one small API.

>>> from lake import Lake
>>> lake = Lake.open()                 # role analyst: personal data masked (lake.access)
>>> lake.tables()                      # every table with description, keys, columns and version
>>> lake.describe("silver.reports")    # each column's type, meaning, unit and allowed values
>>> lake.sql("select * from gold.unit_performance where month = $m", {"m": "2022-05"})
>>> lake.scan("silver.reports").group_by("category_code").len().collect()
>>> lake.as_of("2022-06-01").sql(...)  # time travel: every read pinned to that moment
>>> lake.as_of({"silver.reports": 3})  # or to explicit versions per table
>>> lake.diff("silver.reports", 3, 4)  # rows added, removed and changed between two versions
"""

from lake.access import ROLES, SERVICE
from lake.catalog import Column, TableSpec, catalog, spec
from lake.errors import LakeError
from lake.rejects import Reject, rejects_frame
from lake.schema import SchemaMismatch
from lake.store import Lake

__all__ = ["ROLES", "SERVICE", "Column", "Lake", "LakeError", "Reject", "SchemaMismatch", "TableSpec", "catalog", "rejects_frame", "spec"]
