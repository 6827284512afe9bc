"""Schemathesis fuzzes every query and mutation of the committed schema: never a 500, never an
INTERNAL_ERROR, always an error code when something is refused."""

import pytest
import schemathesis
from django.conf import settings
from graphql.language import ast
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st


def _json_nodes():
    """GenericScalar (JSON answers of forms, custom fields): any JSON value as a GraphQL literal,
    with keys that forms really use mixed in so that validators are reached."""
    scalars = st.one_of(
        st.text(max_size=20).map(lambda v: ast.StringValueNode(value=v)),
        st.integers(-(10**12), 10**12).map(lambda v: ast.IntValueNode(value=str(v))),
        st.booleans().map(lambda v: ast.BooleanValueNode(value=v)),
        st.just(ast.NullValueNode()),
    )
    keys = st.one_of(
        st.sampled_from(["category", "amount", "room", "items", "qty", "name", "reason"]),
        st.text("abcxyz_", min_size=1, max_size=8),
    )

    def containers(children):
        return st.one_of(
            st.lists(children, max_size=4).map(lambda v: ast.ListValueNode(values=tuple(v))),
            st.dictionaries(keys, children, max_size=5).map(
                lambda d: ast.ObjectValueNode(
                    fields=tuple(
                        ast.ObjectFieldNode(name=ast.NameNode(value=k), value=v) for k, v in d.items()
                    )
                )
            ),
        )

    return st.recursive(scalars, containers, max_leaves=12)


schemathesis.graphql.scalar("GenericScalar", _json_nodes())

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
