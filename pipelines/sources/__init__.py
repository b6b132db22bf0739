"""What the reports pipeline reads, and nothing of the pipeline itself.

- Report sources behind one interface, ``base.ReportSource.fetch(since)``: the Hue-S simulator
  (``simulator``, its parts in ``hues``), Open311 feeds and 311 exports (``open311``), the citizen app's
  PostgreSQL (``postgres``) and JSON-lines files (``jsonl_file``). Each returns bronze-shaped records.
- The reference data reports are read against: Huế's administrative units (``admin_units``) and the
  categories with their deadline rules (``categories``, data in ``categories.yaml``).

``pipelines.reports`` imports this package (it writes batches to bronze and conforms them); never the
other way round.
"""
