"""Disasters and floods: CAP 1.2 warnings in and out, river gauges, SOS/hotline, flood status and map layers.

Plain functions over the lake API; the Dagster assets in ``hue_ioc.defs.disasters`` are thin wrappers.
"""
