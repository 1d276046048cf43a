"""Room and channel announcements: /announce and the posts it plans into a group or channel."""
