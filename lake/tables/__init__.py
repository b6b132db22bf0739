"""Table declarations, one module per domain; each exposes ``TABLES: list[TableSpec]``."""
