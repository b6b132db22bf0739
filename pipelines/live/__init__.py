"""Live ingest: MQTT messages (Frigate events, our detector's events, gauge telemetry), the citizen app's
PostgreSQL and CAP feeds, in micro-batches → bronze → the silver and gold slices they touch.

Modules: ``messages`` (a received message, its topic and idempotency key), ``frigate`` and ``camera_events``
(camera messages → violations and count contributions), ``telemetry`` (gauge messages → readings), ``batch``
(one micro-batch through the lake), ``advance`` (silver/gold slices), ``mqtt`` (the broker connection with
manual acknowledgement), ``polls`` (PostgreSQL and CAP), ``service`` (the loop `hue-ioc live` runs).
"""
