"""Organizer views: /stats and /audit."""
