"""Speaker check-in: linked speakers are asked before their talk, a missing check-in is escalated.

:mod:`push` plans the asks and escalations as outbox rows and renders them; :mod:`commands` has
``/checkin <id>`` (the ask's button) and ``/checkins`` (the day's state, for organizers and room hosts).
"""
