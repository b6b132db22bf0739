"""Sources of citizen reports behind one interface (pipelines.sources.base.ReportSource)."""
