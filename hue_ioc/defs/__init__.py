"""One module per domain (reports, cameras, disasters, publications), each exposing ``defs``."""
