"""Benchmarks: each bench_<area>.py has main() that prints a table and writes bench/results/<area>.json."""
