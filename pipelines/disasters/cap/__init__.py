"""OASIS CAP 1.2: a safe parser, a structural validator and a writer.

Parsing goes through ``defusedxml`` (no DTDs, entities or external references) after a size check
made *before* any byte is parsed. Validation follows the rules of the OASIS CAP-v1.2.xsd: the element
sequences (order and cardinality) of alert, info, resource and area, the enumerations, the dateTime
pattern (explicit offset, no "Z"), plus the spec's text rules (identifier/sender without spaces, commas,
"<" or "&"; polygons closed with at least 4 points; circles "lat,lon radius"). The same validator
checks the alerts the IOC issues (``build_cap_xml``).
"""
