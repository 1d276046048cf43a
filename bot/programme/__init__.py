"""The conference as data: content and importers, search, agenda queries, days, times, overrides, talk cards."""
