"""Calling the GraphQL endpoint in tests."""

import json

from django.test import Client


def gql(client, query, variables=None, **extra):
    response = client.post(
        "/graphql/",
        json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        **extra,
    )
    return response


class Api:
    """Calls /graphql/ on one tenant's domain, as a user (session) or with an API key."""

    def __init__(self, host, *, user=None, key=None, schema=None, record=None):
        self.host = host
        self.key = key
        self.record = record  # the ApiKey row, for tests that revoke it
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


def gid(type_name: str, pk) -> str:
    from graphene import relay

    return relay.Node.to_global_id(type_name, pk)


def far_ids(tenant, *tables):
    """Number the tenant's next rows from a million up.

    Each schema has its own sequences, so a small id in A may also be one in B (B's own
    row). Tests that show A's id finds nothing on B move A's ids out of B's range first.
    Sequences ignore rollbacks: this holds for the rest of the session, which is harmless.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST(1000000, "
                "(SELECT last_value FROM pg_sequences WHERE schemaname = %s "
                "AND sequencename = %s)))",
                [f"{tenant.schema_name}.{table}", tenant.schema_name, f"{table}_id_seq"],
            )
