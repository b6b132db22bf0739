"""Open311 GeoReport v2 feeds and 311 CSV bulk exports as a :class:`ReportSource`.

Three shapes of input, one mapping to canonical records:

- GeoReport v2 ``requests.json`` / ``requests.xml`` (a list of service requests) and ``services.json`` /
  ``services.xml`` (the service list, read by ``services()``), from a file, a folder (the recorded feed) or
  an HTTP endpoint (the live feed, fetched with ``requests`` and timeouts; optionally recorded to a folder
  that the file source replays). XML is parsed with defusedxml, JSON and XML documents have a size limit.
- The CSV bulk style of NYC 311 exports (Unique Key, Created Date, Closed Date, Agency, Complaint Type,
  Descriptor, Latitude, Longitude, Status, ...), streamed row by row: columns found by name whatever their
  order or spelling (``Created Date`` = ``created_date``), BOM and cp1252 tolerated.

A request becomes a report record plus events: ``received`` at its requested time, ``assigned`` to the
unit its agency maps to, ``resolved`` at its close time when its status is closed (``invalidated`` when its
status notes say it was a duplicate or invalid). Categories and units come from a mapping table a user edits
(``mapping_table.csv``, CSV; see ``mapping_table``); what it does not map yet stays None and is named in the
payload's ``extra["unmapped"]``, which ``intake`` keeps visible in silver.open311_requests. What the feed says
beyond the canonical fields (service code and name, raw status and notes, agency, address, cleaned ZIP code)
rides along in ``extra``. Dirty values (bad dates, ZIP+4 or malformed ZIP codes, missing or non-numeric
coordinates) become None and the row goes through; a row without an id or a readable requested/created date
is a reject with the reason; a truncated or broken document keeps every complete record before the break
(``salvage``).
"""
