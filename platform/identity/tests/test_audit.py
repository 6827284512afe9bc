"""The audit trail: every change by any path, with who, when, where and before/after; immutable."""

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction

from identity import actions
from identity.models import Role, User
from kernel.models import AuditEntry
from modules.spaces import actions as spaces
from modules.spaces.models import Campus
from tests.fixtures import PASSWORD

pytestmark = pytest.mark.django_db


def test_orm_changes_are_recorded_with_actor_address_request_and_values(
    tenants, in_tenant, org, client_for, tenant_admin
):
    admin = tenant_admin(tenants.a)
    client = client_for(tenants.a, user=admin, REMOTE_ADDR="192.0.2.44")
    response = client.post(
        "/console/spaces/campuses/new/",
        {"code": "EAST", "name": "东院区", "name_en": "East", "address": "", "is_active": "on", "notes": ""},
        HTTP_X_REQUEST_ID="req-audit-000001",
    )
    assert response.status_code == 302
    with in_tenant(tenants.a):
        campus = Campus.objects.get(code="EAST")
        entry = AuditEntry.objects.get(table_name="spaces_campus", object_id=str(campus.pk), action="insert")
    assert entry.actor_id == admin.pk and entry.actor_label == admin.username
    assert entry.client_ip == "192.0.2.44" and entry.request_id == "req-audit-000001"
    assert entry.before is None and entry.after["name"] == "东院区"


def test_update_records_before_after_and_changed_fields(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        campus = spaces.create_campus(code="W", name="西院区")
        campus.name = "西院区（新）"
        spaces.save_location(campus)
        entry = AuditEntry.objects.get(table_name="spaces_campus", action="update")
        assert entry.changed_fields == ["name", "updated_at"]
        assert entry.before["name"] == "西院区" and entry.after["name"] == "西院区（新）"
        spaces.delete_location(campus)
        deleted = AuditEntry.objects.get(table_name="spaces_campus", action="delete")
        assert deleted.before["code"] == "W" and deleted.after is None


def test_raw_sql_outside_the_orm_is_recorded(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        carl = User.objects.get(username="carl")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('facilis.actor_label', '', false), set_config('facilis.actor_id', '', false)"
            )
            cursor.execute("UPDATE identity_user SET full_name = 'Carl by psql' WHERE id = %s", [carl.pk])
        entry = AuditEntry.objects.filter(
            table_name="identity_user", object_id=str(carl.pk), action="update"
        ).latest("id")
    assert entry.after["full_name"] == "Carl by psql"
    assert entry.actor_label.startswith("db:")  # the database user: the change was made outside the product


def test_role_changes_and_assignments_are_recorded(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        role = Role.objects.get(code="worker")
        role.permissions = [*role.permissions, "identity.view_users"]
        actions.save_role(role)
        carl = User.objects.get(username="carl")
        actions.save_user(carl, roles=[role])
        tables = set(AuditEntry.objects.values_list("table_name", flat=True))
        assert {"identity_role", "identity_user_roles"} <= tables
        assignment = AuditEntry.objects.filter(table_name="identity_user_roles", action="insert").latest("id")
        assert assignment.after["role_id"] == role.pk


def test_passwords_never_enter_the_trail(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        carl = User.objects.get(username="carl")
        actions.set_password(carl, "Another-Pass-2026")
        entry = AuditEntry.objects.filter(
            table_name="identity_user", changed_fields__contains=["password"]
        ).latest("id")
        assert "password" not in entry.before and "password" not in entry.after


def test_audit_rows_cannot_be_altered_by_any_product_path(tenants, in_tenant, org, client_for, tenant_admin):
    with in_tenant(tenants.a):
        entry = AuditEntry.objects.first()
        for attempt in (
            lambda: AuditEntry.objects.filter(pk=entry.pk).update(actor_label="someone else"),
            lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
            lambda: entry.delete(),
        ):
            with pytest.raises(DatabaseError, match="audit trail cannot be changed"), transaction.atomic():
                attempt()
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE kernel_auditentry")
        assert AuditEntry.objects.get(pk=entry.pk).actor_label == entry.actor_label
    # The console offers no screen that changes it; even the tenant administrator gets 404.
    admin = client_for(tenants.a, user=tenant_admin(tenants.a))
    for path in (
        f"/console/audit/{entry.pk}/edit/",
        f"/console/audit/{entry.pk}/delete/",
        "/console/kernel/auditentry/",
    ):
        assert admin.get(path).status_code == 404
        assert admin.post(path).status_code in (403, 404)


def test_console_filters_and_exports(tenants, in_tenant, org, client_for, tenant_admin):
    with in_tenant(tenants.a):
        campus = spaces.create_campus(code="N", name="北院区")
    admin = client_for(tenants.a, user=tenant_admin(tenants.a))
    page = admin.get("/console/audit/", {"table": "spaces_campus", "object_id": campus.pk}).content.decode()
    body = (
        page.split('<table class="listing" id="audit-entries">')[1].split("</tbody>")[0].split("<tbody>")[1]
    )
    assert body.count("<tr>") == 1 and f"spaces_campus #{campus.pk}" in body
    export = admin.get("/console/audit/export.csv", {"table": "spaces_campus"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["occurred_at", "action", "table_name"]
    assert [row[1] for row in rows[1:]] == ["insert"]
    with in_tenant(tenants.a):
        assert AuditEntry.objects.filter(action="export", table_name="kernel_auditentry").exists()


def test_the_trail_needs_its_permission(tenants, in_tenant, org):
    from django.test import Client

    client = Client(HTTP_HOST="a.localhost")
    client.post("/accounts/login/", {"username": "sam", "password": PASSWORD})  # dispatcher
    # Wagtail turns a refusal into a redirect to the dashboard with a message.
    for path in ("/console/audit/", "/console/audit/export.csv"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/console/"
