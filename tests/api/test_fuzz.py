"""Schemathesis fuzzes every query and mutation of the committed schema: never a 500, never an
INTERNAL_ERROR, always an error code when something is refused."""

import pytest
import schemathesis
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

SCHEMA = schemathesis.graphql.from_path(settings.BASE_DIR / "schema.graphql")
EXAMPLES = 40  # per operation; the committed schema has about fifteen


@pytest.fixture
def caller(tenants, api, places):
    """Tenant A's administrator key, on a small estate, with a rate limit fuzzing will not hit."""
    return api(tenants.a, role="tenant_admin", per_minute=1_000_000)


@pytest.mark.django_db
@SCHEMA.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI failures can be reproduced
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_server_errors(case, caller):
    response = caller.post(case.body if isinstance(case.body, str) else case.body["query"])
    assert response.status_code < 500, response.content[:500]
    body = response.json()
    for error in body.get("errors", []):
        assert error.get("extensions", {}).get("code"), error
        assert error["extensions"]["code"] != "INTERNAL_ERROR", (case.body, error)
    if response.status_code == 200:
        assert "data" in body
