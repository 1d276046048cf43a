"""Streams, slides and recordings: "the recording is up" to a talk's subscribers and raters (``push.py``).

The links themselves are content (``rooms[].stream``, ``talks[].slides``, ``talks[].recording``) and
are shown by the talk card, the room view and the reminders (``bot.programme.cards.media_lines``).
"""
