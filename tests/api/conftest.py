"""Helpers for API tests: a GraphQL call with a session or an API key."""

import json

import pytest
from django.test import Client

from identity import actions as identity
from identity.defaults import root_department
from identity.models import Role, User
from tests.fixtures import PASSWORD


def gql(client, query, variables=None, **extra):
    response = client.post(
        "/graphql/", json.dumps({"query": query, "variables": variables or {}}), content_type="application/json", **extra
    )
    return response


class Api:
    """Calls /graphql/ on one tenant's domain, as a user (session) or with an API key."""

    def __init__(self, host, *, user=None, key=None, schema=None):
        self.client = Client(HTTP_HOST=host)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
        if user is not None:
            from kernel.context import tenant_schema

            with tenant_schema(schema):
                self.client.force_login(user)

    def post(self, query, variables=None):
        return gql(self.client, query, variables, **self.headers)

    def __call__(self, query, variables=None):
        response = self.post(query, variables)
        return response.json()


@pytest.fixture
def api(tenants, in_tenant):
    """api(tenant, user=…) or api(tenant, role="dispatcher") (a new API key with that role)."""

    def make(tenant, *, user=None, role=None, per_minute=6000):
        host = tenant.get_primary_domain().domain
        if role is not None:
            with in_tenant(tenant):
                _key, raw = identity.create_api_key(
                    name=f"test {role}", role=Role.objects.get(code=role), expires_at=None, requests_per_minute=per_minute
                )
            return Api(host, key=raw)
        return Api(host, user=user, schema=tenant.schema_name)

    return make


@pytest.fixture
def person(tenants, in_tenant):
    """person(tenant, "name", "role", department=None) → a saved user with that role."""

    def make(tenant, username, *roles, department=None, **fields):
        with in_tenant(tenant):
            user = User(username=username, full_name=username, department=department or root_department(), **fields)
            return identity.save_user(user, password=PASSWORD, roles=[Role.objects.get(code=r) for r in roles])

    return make
