"""Camera analytics: frames → OpenVINO detections → ByteTrack tracks → zone/line rules → plates → lake.

Knows nothing of Dagster; writes through the lake API only.
"""

import os

# FFmpeg's own log lines ("partial file", "Connection refused", ...) would flood the console on a broken
# source; the video layer reports those itself (VideoError, VideoStats). Set before the first capture.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
