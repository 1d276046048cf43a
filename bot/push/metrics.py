"""Process-wide delivery counters (Prometheus client objects; each replica counts its own)."""

from __future__ import annotations

from prometheus_client import Counter

SEND_TIMEOUTS = Counter(
    "confbot_send_timeouts",
    "Sends retried after a response timeout: each may have been delivered, so the retry may be a duplicate.",
    ["platform"],
)
