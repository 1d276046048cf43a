"""Broadcasts: one announcement to an audience, previewed, confirmed and sent through the outbox."""
