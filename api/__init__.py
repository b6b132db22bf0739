"""The IOC's HTTP API for partners and the public: Open311 GeoReport v2 (read) and a CAP 1.2 Atom feed.

Reads only through ``views`` (and ``core``); ``create_app`` builds the ASGI app, ``serve`` runs it
under uvicorn on 127.0.0.1 by default.
"""
