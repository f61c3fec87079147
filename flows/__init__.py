"""Prefect flows over the plain-Python core in `pipeline/`.

Telemetry is off before Prefect is imported: neither the client nor a local server phones home.
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
