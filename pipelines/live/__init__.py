"""Live ingest: MQTT messages (Frigate events, our detector's events, gauge telemetry), the citizen app's
PostgreSQL and CAP feeds, in micro-batches → bronze → the silver and gold slices they touch.

Modules: ``messages`` (a received message, its topic and idempotency key), ``zones`` (a camera's zone rules as
plain data), ``frigate`` and ``camera_events`` (camera messages → violations and count contributions),
``telemetry`` (gauge messages → readings), ``batch`` (one micro-batch through the lake), ``advance`` (the
silver/gold slices a batch touched), ``mqtt`` (the broker connection with manual acknowledgement),
``inprocess`` (a source without a broker, for the demo), ``polls`` (PostgreSQL and CAP), ``service`` (the loop
`hue-ioc live` runs), ``simulator``, ``simulator_reports`` and ``simulator_run`` (`hue-ioc simulate live`: the
traffic of now, labelled simulated, through the same service).
"""
