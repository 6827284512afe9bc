"""Lists: required page sizes, stable keyset cursors both ways, sorting, filters, lazy totalCount,
and query counts that do not grow with the page (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from identity import actions as identity
from identity.defaults import root_department
from identity.models import Department, User
from modules.spaces import actions as spaces
from tests.api.helpers import gid

pytestmark = pytest.mark.django_db

ROOMS = """
query($first: Int, $last: Int, $after: String, $before: String, $sort: LocationSort, $filter: RoomFilter) {
  rooms(first: $first, last: $last, after: $after, before: $before, sort: $sort, filter: $filter) {
    edges { cursor node { code } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
ALL_CODES = ["101", "102", "501", "502", "503", "504", "505"]


def codes(body) -> list[str]:
    return [edge["node"]["code"] for edge in body["data"]["rooms"]["edges"]]


def error_codes(body) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


@pytest.fixture
def key(tenants, api, places):
    return api(tenants.a, role="worker")


class TestPageSizes:
    def test_first_or_last_is_required(self, key):
        assert error_codes(key(ROOMS)) == ["PAGINATION_REQUIRED"]
        assert error_codes(key(ROOMS, {"first": 2, "last": 2})) == ["PAGINATION_REQUIRED"]

    @pytest.mark.parametrize("size", [0, -1, 101, 10_000])
    def test_sizes_outside_1_to_100_are_refused(self, key, size):
        assert error_codes(key(ROOMS, {"first": size})) == ["PAGINATION_LIMIT"]
        assert error_codes(key(ROOMS, {"last": size})) == ["PAGINATION_LIMIT"]

    def test_100_is_allowed(self, key):
        assert codes(key(ROOMS, {"first": 100})) == ALL_CODES


class TestCursors:
    def test_walking_forwards_visits_every_row_once(self, key):
        seen, after, pages = [], None, 0
        while True:
            body = key(ROOMS, {"first": 3, "after": after})
            seen += codes(body)
            pages += 1
            info = body["data"]["rooms"]["pageInfo"]
            assert info["hasPreviousPage"] == (after is not None)
            if not info["hasNextPage"]:
                break
            after = info["endCursor"]
        assert (seen, pages) == (ALL_CODES, 3)

    def test_walking_backwards_from_the_end(self, key):
        body = key(ROOMS, {"last": 3})
        assert codes(body) == ["503", "504", "505"]
        info = body["data"]["rooms"]["pageInfo"]
        assert (info["hasPreviousPage"], info["hasNextPage"]) == (True, False)
        earlier = key(ROOMS, {"last": 3, "before": info["startCursor"]})
        assert codes(earlier) == ["102", "501", "502"]
        assert codes(
            key(ROOMS, {"last": 3, "before": earlier["data"]["rooms"]["pageInfo"]["startCursor"]})
        ) == ["101"]

    def test_a_page_does_not_shift_when_rows_are_added_before_it(self, tenants, in_tenant, key, places):
        first = key(ROOMS, {"first": 3})
        cursor = first["data"]["rooms"]["pageInfo"]["endCursor"]
        with in_tenant(tenants.a):
            spaces.create_room(floor=places["a"]["floors"][1], code="100", name="新加的")
        assert codes(key(ROOMS, {"first": 3, "after": cursor})) == ["502", "503", "504"]

    def test_ties_in_the_sort_field_are_broken_by_id(self, tenants, in_tenant, key, places):
        with in_tenant(tenants.a):
            for code in ("601", "602", "603"):
                spaces.create_room(floor=places["a"]["floors"][0], code=code, name="同名")
        filt = {"search": "同名"}
        page1 = key(ROOMS, {"first": 2, "sort": "NAME_ASC", "filter": filt})
        page2 = key(
            ROOMS,
            {
                "first": 2,
                "sort": "NAME_ASC",
                "filter": filt,
                "after": page1["data"]["rooms"]["pageInfo"]["endCursor"],
            },
        )
        assert codes(page1) + codes(page2) == ["601", "602", "603"]

    @pytest.mark.parametrize("cursor", ["!!!", "bm9wZQ==", "WzEsMiwzXQ==", ""])
    def test_cursors_this_api_did_not_give_out_are_refused(self, key, cursor):
        body = key(ROOMS, {"first": 2, "after": cursor or "W10="})
        assert error_codes(body) == ["INVALID_CURSOR"]

    def test_a_cursor_of_one_sort_is_refused_by_another(self, key):
        cursor = key(ROOMS, {"first": 2, "sort": "UPDATED_DESC"})["data"]["rooms"]["pageInfo"]["endCursor"]
        assert error_codes(key(ROOMS, {"first": 2, "after": cursor, "sort": "CODE_ASC"})) == [
            "INVALID_CURSOR"
        ]

    def test_a_forged_cursor_with_a_bad_value_type_is_refused(self, key):
        import base64
        import json

        forged = base64.urlsafe_b64encode(json.dumps(["updated_at", "yesterday", "x"]).encode()).decode()
        assert error_codes(key(ROOMS, {"first": 2, "after": forged, "sort": "UPDATED_DESC"})) == [
            "INVALID_CURSOR"
        ]


class TestSortAndFilter:
    def test_sorts(self, key):
        # Names compare by code point (挂 U+6302 < 病 U+75C5); pinyin order needs a zh collation.
        assert codes(key(ROOMS, {"first": 3, "sort": "NAME_ASC"})) == ["101", "501", "502"]
        newest = codes(key(ROOMS, {"first": 1, "sort": "UPDATED_DESC"}))
        assert newest == ["102"]

    def test_filters(self, key, places):
        assert codes(key(ROOMS, {"first": 10, "filter": {"kind": "CLINIC"}})) == ["102"]
        assert codes(key(ROOMS, {"first": 10, "filter": {"search": "挂号"}})) == ["101"]
        fifth = gid("Floor", places["a"]["floors"][0].pk)
        assert codes(key(ROOMS, {"first": 10, "filter": {"floor": fifth}})) == [
            "501",
            "502",
            "503",
            "504",
            "505",
        ]
        outpatient = gid("Building", places["a"]["buildings"][1].pk)
        assert codes(key(ROOMS, {"first": 10, "filter": {"building": outpatient}})) == ["101", "102"]
        assert codes(key(ROOMS, {"first": 10, "filter": {"isActive": False}})) == []

    def test_an_unknown_sort_or_filter_is_a_query_error(self, key):
        response = key.post(ROOMS, {"first": 2, "sort": "SALARY_DESC"})
        assert response.status_code == 400
        assert error_codes(response.json()) == ["INVALID_QUERY"]
        response = key.post(ROOMS, {"first": 2, "filter": {"ownerEmail": "x"}})
        assert response.status_code == 400


class TestTotalCount:
    def test_counted_only_when_asked(self, key):
        with CaptureQueriesContext(connection) as without:
            key("{ rooms(first: 2) { edges { node { code } } } }")
        assert not any("COUNT(" in q["sql"] for q in without.captured_queries)
        with CaptureQueriesContext(connection) as with_count:
            body = key("{ rooms(first: 2, filter: {kind: WARD}) { totalCount edges { node { code } } } }")
        assert body["data"]["rooms"]["totalCount"] == 5
        assert sum("COUNT(" in q["sql"] for q in with_count.captured_queries) == 1


def query_count(caller, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        body = caller(query)
    assert "errors" not in body, body
    return len(captured.captured_queries)


class TestNoNPlusOne:
    """A page of 2 and a page of many cost the same number of queries."""

    def grow(self, tenants, in_tenant, places, count=30):
        with in_tenant(tenants.a):
            ward = identity.create_department(Department(code="WARD", name="病区"), parent=root_department())
            for i in range(count):
                spaces.create_room(
                    floor=places["a"]["floors"][i % 2], code=f"G{i:03}", name=f"加{i}", department=ward
                )
                sub = identity.create_department(Department(code=f"D{i:03}", name=f"科{i}"), parent=ward)
                head = identity.save_user(
                    User(username=f"u{i:03}", full_name=f"人{i}", department=sub, phone="13900000000")
                )
                Department.objects.filter(pk=sub.pk).update(head=head, deputy=head)

    @pytest.mark.parametrize(
        "template",
        [
            "{ rooms(first: %d) { edges { node { code kind departmentName floor { code building { code campus { code } } } } } } }",
            "{ buildings(first: %d) { edges { node { code campus { code } } } } }",
            "{ floors(first: %d) { edges { node { code building { code campus { code } } } } } }",
            "{ departments(first: %d, sort: CODE_ASC) { edges { node { code parent { code } head { username } deputy { username } } } } }",
            "{ users(first: %d) { edges { node { username phone department { code } position { code } roles { code } workgroups } } } }",
        ],
    )
    def test_query_count_does_not_grow_with_the_page(self, tenants, in_tenant, api, places, template):
        self.grow(tenants, in_tenant, places)
        caller = api(tenants.a, role="tenant_admin")
        caller("{ tenant { name } }")  # the key's first use is recorded once a minute: not in the count
        small, large = query_count(caller, template % 2), query_count(caller, template % 30)
        assert small == large, (small, large)
        assert large <= 12  # auth, rate bucket is Redis; the rest is the page and its relations

    def test_heads_and_parents_are_shown_when_visible(self, tenants, in_tenant, api, person):
        boss = person(tenants.a, "boss", "end_user")
        with in_tenant(tenants.a):
            ward = identity.create_department(
                Department(code="WARD", name="病区", head=boss), parent=root_department()
            )
            identity.create_department(Department(code="W1", name="一病区"), parent=ward)
        body = api(tenants.a, role="dispatcher")(
            "{ departments(first: 10) { edges { node { code parent { code } head { username } } } } }"
        )
        rows = {edge["node"]["code"]: edge["node"] for edge in body["data"]["departments"]["edges"]}
        assert rows["WARD"]["head"] == {"username": "boss"}
        assert rows["W1"]["parent"] == {"code": "WARD"}
        assert rows["ORG"]["parent"] is None
