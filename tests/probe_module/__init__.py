"""A module that exists only in tests, so the module guards can be proven on something
that can be switched off (spaces is always on)."""
