"""Schedule fixes and updates: /move, /cancel, /reload, the content watcher, live sync, notices, warnings."""
