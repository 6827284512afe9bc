"""Domain modules: one tenant app per module, each declaring itself on its AppConfig."""
