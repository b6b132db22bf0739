"""Camera analytics: frames → OpenVINO detections → ByteTrack tracks → zone/line rules → plates → lake.

Knows nothing of Dagster; writes through the lake API only.
"""
