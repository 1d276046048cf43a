"""Browsing the programme: agenda, now, next, talks, speakers, search, tracks, rooms, venue, help, home."""
