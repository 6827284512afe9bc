"""Pytest entry: the shared fixtures live in tests/fixtures.py (used by tests/ and modules/*/tests)."""

pytest_plugins = ["tests.fixtures"]
