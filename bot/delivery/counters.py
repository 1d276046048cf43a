"""Delivery counters of this process (Prometheus client objects; each replica counts its own)."""

from __future__ import annotations

from prometheus_client import Counter

SEND_TIMEOUTS = Counter(
    "confbot_send_timeouts",
    "Sends retried after a response timeout: each may have been delivered, so the retry may be a duplicate.",
    ["platform"],
)
SENDS = Counter(
    "confbot_push_sends",
    "Push send attempts by platform and outcome: sent, retry (to be tried again), blocked (the user is gone), "
    "failed (permanently, or after the last retry).",
    ["platform", "outcome"],
)
RATE_LIMITED = Counter(
    "confbot_rate_limited",
    "429 Too Many Requests answers the platform gave to push sends (each is retried after its retry_after).",
    ["platform"],
)
