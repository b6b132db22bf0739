"""Benchmarks: each bench_<area>.py has main() that prints a table and writes bench/results/<area>.json."""

import os

# The benchmarks build and time the IOC's own writes and reads: they run as the service role (lake.access).
os.environ.setdefault("HUE_IOC_LAKE_ROLE", "service")
