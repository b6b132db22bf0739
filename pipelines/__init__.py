"""Hue IOC Dagster code location: sources, per-domain assets, checks, jobs, schedules, sensors."""
