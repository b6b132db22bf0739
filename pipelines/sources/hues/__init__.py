"""The parts of the Hue-S simulator (``pipelines.sources.simulator`` puts them together in draw order)."""
