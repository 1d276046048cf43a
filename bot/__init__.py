"""confbot core: platform-free conference logic (agenda, search, subscriptions, delivery)."""
