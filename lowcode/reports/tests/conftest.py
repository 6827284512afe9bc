"""Fixtures of the reports tests: the work-order fixtures (modules on in tenants A and B)."""

from modules.workorders.tests.conftest import wo  # noqa: F401
