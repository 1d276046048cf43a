"""Audience questions: /ask, 👍 votes, moderation, and the top questions posted to a room chat."""
