"""The organizer desk: one web page where the organizing team runs the event together (adapters/web/desk)."""
