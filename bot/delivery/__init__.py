"""Push delivery: everything that sends a message nobody asked for right now.

- ``outbox``: the durable queue (one row per recipient and push, idempotency keys, claims),
  which signals the runtime itself once an enqueue has committed;
- ``dispatcher``: claims due rows, sends them through platform senders, records outcomes;
- ``sender``: the contract a platform's sender implements (``sent`` / ``retry`` / ``blocked``
  / ``failed``) and the rate it reports;
- ``render``: one renderer per push kind, in a table keyed by kind;
- ``reminders`` and ``schedule_changes``: what gets enqueued, and when;
- ``scheduler`` and ``runtime``: APScheduler wake-ups and the per-process lifecycle.
"""
