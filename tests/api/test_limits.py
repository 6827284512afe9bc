"""What one request may ask and how often: each limit refuses with its documented code."""

import json

import pytest
from django.test import Client

from kernel.graphql.limits import cost_of
from tests.api.helpers import gql

pytestmark = pytest.mark.django_db


def error_codes(body) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


@pytest.fixture
def key(tenants, api):
    return api(tenants.a, role="tenant_admin")


def nested(depth: int) -> str:
    """A query `depth` levels deep through department → parent → parent …"""
    inner = "code"
    for _ in range(depth - 4):  # departments, edges, node … code: four levels besides the parents
        inner = f"parent {{ {inner} }}"
    return f"{{ departments(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"


class TestDepth:
    def test_eight_levels_pass_nine_do_not(self, key):
        assert "errors" not in key(nested(8))
        response = key.post(nested(9))
        assert response.status_code == 400
        body = response.json()
        assert error_codes(body) == ["QUERY_TOO_DEEP"]
        assert body["errors"][0]["extensions"]["depth"] == 9

    def test_fragments_count_towards_depth(self, key):
        query = """
        query { departments(first: 1) { edges { node { ...P } } } }
        fragment P on Department { parent { parent { parent { parent { parent { parent { code } } } } } } }
        """
        assert error_codes(key(query)) == ["QUERY_TOO_DEEP"]


class TestCost:
    def test_the_documented_model(self):
        from graphql import parse

        def cost(query, variables=None):
            document = parse(query)
            return cost_of(document.definitions[0], {}, variables or {})[0]

        assert cost("{ tenant { name } }") == 2
        # rooms (1) + 100 × (edges 1 + node 1 + 5 fields)
        assert (
            cost("{ rooms(first: 100) { edges { node { code name kind areaM2 capacity } } } }") == 1 + 100 * 7
        )
        assert (
            cost("query($n: Int) { rooms(first: $n) { edges { node { code } } } }", {"n": 10}) == 1 + 10 * 3
        )
        # Nested pages multiply.
        assert cost("{ a: rooms(first: 10) { edges { node { floor { code } } } } }") == 1 + 10 * 4

    def test_an_expensive_query_is_refused_before_it_runs(self, key):
        query = (
            "{ users(first: 100) { edges { node { username fullName email phone employeeNumber "
            "department { code name parent { code name } head { username fullName } } roles { code name } } } } "
            "rooms(first: 100) { edges { node { code name kind floor { code } } } } }"
        )
        response = key.post(query)
        assert response.status_code == 400
        body = response.json()
        assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
        assert body["errors"][0]["extensions"]["cost"] > 2500

    def test_a_full_page_of_a_plain_list_fits(self, key, places):
        assert "errors" not in key(
            "{ rooms(first: 100) { totalCount edges { cursor node { id code name kind } } } }"
        )

    def test_introspection_is_not_limited(self, key):
        from graphql import get_introspection_query

        body = key(get_introspection_query())
        assert "errors" not in body and body["data"]["__schema"]["queryType"]["name"] == "Query"


class TestAliasesAndOperations:
    def test_thirty_aliases_pass_thirty_one_do_not(self, key):
        def aliased(n):
            return "{ " + " ".join(f"t{i}: tenant {{ name }}" for i in range(n)) + " }"

        assert "errors" not in key(aliased(30))
        assert error_codes(key(aliased(31))) == ["TOO_MANY_ALIASES"]

    def test_one_operation_per_request(self, key):
        document = "query A { tenant { name } } query B { me { username } }"
        response = key.client.post(
            "/graphql/",
            json.dumps({"query": document, "operationName": "A"}),
            content_type="application/json",
            **key.headers,
        )
        assert response.status_code == 400
        assert error_codes(response.json()) == ["TOO_MANY_OPERATIONS"]

    def test_batches_are_not_accepted(self, key):
        response = key.client.post(
            "/graphql/",
            json.dumps([{"query": "{ tenant { name } }"}, {"query": "{ tenant { name } }"}]),
            content_type="application/json",
            **key.headers,
        )
        assert response.status_code == 400
        assert error_codes(response.json()) == ["BAD_REQUEST"]


class TestBodySize:
    def test_bodies_over_64_kb_are_refused_unread(self, key):
        padding = " " * (64 * 1024)
        response = key.post("{ tenant { name } }" + padding)
        assert response.status_code == 413
        assert error_codes(response.json()) == ["PAYLOAD_TOO_LARGE"]

    def test_anonymous_oversized_bodies_are_also_413(self, tenants):
        response = gql(Client(HTTP_HOST="a.localhost"), "{ tenant { name } }" + " " * 70_000)
        assert response.status_code == 413


class TestRateLimit:
    def test_a_key_over_its_rate_gets_429_with_retry_after(self, tenants, api):
        key = api(tenants.a, role="worker", per_minute=60)  # burst of 12, then one a second
        statuses = [key.post("{ tenant { name } }").status_code for _ in range(13)]
        assert statuses[:12] == [200] * 12
        assert statuses[12] == 429
        refused = key.post("{ tenant { name } }")
        assert refused.status_code == 429
        assert 1 <= int(refused["Retry-After"]) <= 2
        assert error_codes(refused.json()) == ["RATE_LIMITED"]

    def test_buckets_are_per_key(self, tenants, api):
        slow, other = (
            api(tenants.a, role="worker", per_minute=60),
            api(tenants.a, role="worker", per_minute=60),
        )
        for _ in range(13):
            slow.post("{ tenant { name } }")
        assert slow.post("{ tenant { name } }").status_code == 429
        assert other.post("{ tenant { name } }").status_code == 200

    def test_tokens_come_back_with_time(self, tenants, api, monkeypatch):
        import kernel.graphql.limits as limits

        now = [1_000_000.0]
        monkeypatch.setattr(limits.time, "time", lambda: now[0])
        key = api(tenants.a, role="worker", per_minute=60)
        for _ in range(12):
            assert key.post("{ tenant { name } }").status_code == 200
        assert key.post("{ tenant { name } }").status_code == 429
        now[0] += 1.01  # one token a second
        assert key.post("{ tenant { name } }").status_code == 200
        assert key.post("{ tenant { name } }").status_code == 429

    def test_session_users_have_their_own_bucket(self, tenants, api, tenant_admin, settings):
        settings.GRAPHQL_USER_REQUESTS_PER_MINUTE = 50  # burst of 10
        user = api(tenants.a, user=tenant_admin(tenants.a))
        statuses = [user.post("{ tenant { name } }").status_code for _ in range(11)]
        assert statuses == [200] * 10 + [429]
