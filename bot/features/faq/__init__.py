"""The FAQ: everyday questions (Wi-Fi, lunch, toilets, how to get there) answered before the talk search."""
