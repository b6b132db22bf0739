"""Disasters and floods: CAP 1.2 warnings in and out, river gauges, SOS/hotline, flood status and map layers.

Plain functions over the lake API; the Dagster assets in ``pipelines.domains.disasters`` are thin wrappers.
"""
