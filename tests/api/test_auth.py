"""Who may call /graphql/: session users with CSRF, partner keys of this tenant only."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from identity import actions as identity
from tests.api.helpers import gql

pytestmark = pytest.mark.django_db

TENANT = "{ tenant { name } }"
ROOMS = "{ rooms(first: 5) { edges { node { code } } } }"


def codes(body) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def test_anonymous_callers_get_401_with_a_code(tenants):
    response = gql(Client(HTTP_HOST="a.localhost"), TENANT)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="facilis"'
    assert codes(response.json()) == ["UNAUTHENTICATED"]


def test_introspection_needs_a_caller(tenants, api):
    query = "{ __schema { queryType { name } } }"
    assert gql(Client(HTTP_HOST="a.localhost"), query).status_code == 401
    body = api(tenants.a, role="worker")(query)
    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_a_key_answers_on_its_own_domain_only(tenants, api):
    key_of_a = api(tenants.a, role="dispatcher")
    assert key_of_a(TENANT) == {"data": {"tenant": {"name": "甲医院"}}}
    # The same secret on tenant B's domain: B's schema has no such key.
    on_b = gql(Client(HTTP_HOST="b.localhost"), TENANT, HTTP_AUTHORIZATION=f"Bearer {key_of_a.key}")
    assert on_b.status_code == 401
    assert codes(on_b.json()) == ["UNAUTHENTICATED"]


def test_a_key_is_looked_up_once_and_a_change_to_its_role_applies_at_once(tenants, api, in_tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from identity.models import Role

    key = api(tenants.a, role="dispatcher")
    assert key(ROOMS)["data"]["rooms"]["edges"] == []
    with CaptureQueriesContext(connection) as captured:
        key(ROOMS)
    assert not any("identity_apikey" in q["sql"] for q in captured.captured_queries)
    with in_tenant(tenants.a):
        role = Role.objects.get(code="dispatcher")
        role.permissions = [code for code in role.permissions if code != "spaces.view"]
        role.save()
    assert "errors" not in key(ROOMS)
    assert "spaces.view" not in key("{ permissions }")["data"]["permissions"]


@pytest.mark.parametrize(
    "header",
    ["Bearer fk_nope_nope", "Bearer ", "Basic YWRtaW46YWRtaW4=", "Bearer fk_only-two-parts"],
)
def test_malformed_or_unknown_keys_are_401(tenants, header):
    response = gql(Client(HTTP_HOST="a.localhost"), TENANT, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert codes(response.json()) == ["UNAUTHENTICATED"]


def test_a_wrong_secret_with_a_real_prefix_is_401(tenants, api):
    key = api(tenants.a, role="dispatcher")
    prefix = key.key.rsplit("_", 1)[0]
    response = gql(Client(HTTP_HOST="a.localhost"), TENANT, HTTP_AUTHORIZATION=f"Bearer {prefix}_wrongsecret")
    assert response.status_code == 401


def test_revoked_and_expired_keys_stop_working(tenants, api, in_tenant):
    revoked, expired = api(tenants.a, role="dispatcher"), api(tenants.a, role="dispatcher")
    assert revoked(TENANT)["data"] and expired(TENANT)["data"]
    with in_tenant(tenants.a):
        identity.revoke_api_key(revoked.record)
        expired.record.expires_at = timezone.now() - timedelta(seconds=1)
        expired.record.save(update_fields=["expires_at"])
    assert revoked.post(TENANT).status_code == 401
    assert expired.post(TENANT).status_code == 401


def test_a_session_post_needs_the_csrf_token(tenants, tenant_admin, in_tenant):
    client = Client(HTTP_HOST="a.localhost", enforce_csrf_checks=True)
    with in_tenant(tenants.a):
        client.force_login(tenant_admin(tenants.a))
    refused = gql(client, TENANT)
    assert refused.status_code == 403
    assert codes(refused.json()) == ["PERMISSION_DENIED"]
    # The console's pages carry the token; with it (cookie + header) the call goes through.
    client.get("/console/")
    token = client.cookies["csrftoken"].value
    accepted = gql(client, TENANT, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200
    assert accepted.json() == {"data": {"tenant": {"name": "甲医院"}}}


def test_api_keys_need_no_csrf_token(tenants, api):
    key = api(tenants.a, role="dispatcher")
    client = Client(HTTP_HOST="a.localhost", enforce_csrf_checks=True)
    response = gql(client, TENANT, HTTP_AUTHORIZATION=f"Bearer {key.key}")
    assert response.status_code == 200


def test_a_session_of_tenant_a_is_not_a_caller_on_b(tenants, tenant_admin, client_for):
    a = client_for(tenants.a, user=tenant_admin(tenants.a))
    b = Client(HTTP_HOST="b.localhost")
    b.cookies["sessionid"] = a.cookies["sessionid"].value
    assert gql(b, TENANT).status_code == 401


def test_graphiql_is_for_signed_in_users(tenants, tenant_admin, client_for):
    anonymous = client_for(tenants.a).get("/graphql/", HTTP_ACCEPT="text/html")
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]
    page = client_for(tenants.a, user=tenant_admin(tenants.a)).get("/graphql/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert b"graphiql" in page.content.lower()


def test_bad_requests_carry_a_code(tenants, api):
    key = api(tenants.a, role="dispatcher")
    not_json = key.client.post("/graphql/", "{nope", content_type="application/json", **key.headers)
    assert not_json.status_code == 400
    assert codes(not_json.json()) == ["BAD_REQUEST"]
    no_query = key.client.post("/graphql/", json.dumps({}), content_type="application/json", **key.headers)
    assert no_query.status_code == 400
    assert codes(no_query.json()) == ["BAD_REQUEST"]
    unknown_field = key.post("{ tenant { salary } }")
    assert unknown_field.status_code == 400
    assert codes(unknown_field.json()) == ["INVALID_QUERY"]
    assert "salary" in unknown_field.json()["errors"][0]["message"]
