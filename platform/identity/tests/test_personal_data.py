"""Phone and ID numbers: encrypted at rest, masked unless permitted, keys rotate."""

import csv
import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from identity import actions, personal_data
from identity.models import Role, User
from kernel.crypto import digest
from kernel.models import AuditEntry

pytestmark = pytest.mark.django_db


def raw_column(user_pk, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM identity_user WHERE id = %s", [user_pk])
        return cursor.fetchone()[0]


def test_stored_encrypted_and_found_by_digest(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        carl = org["carl"]
        stored = raw_column(carl.pk, "phone")
        assert stored.startswith("gAAAAA") and "13900001111" not in stored
        assert "11010519491231002X" not in raw_column(carl.pk, "id_number")
        assert User.objects.get(pk=carl.pk).phone == "13900001111"
        assert User.objects.get(phone_digest=digest("139 0000 1111")).username == "carl"
        # The trail holds the ciphertext, never the number.
        inserted = AuditEntry.objects.get(table_name="identity_user", object_id=str(carl.pk), action="insert")
        assert "13900001111" not in str(inserted.after)


def test_masks():
    assert personal_data.mask_phone("13812341234") == "138****1234"
    assert personal_data.mask_id_number("11010519491231002X") == "110105********002X"
    assert personal_data.show("phone", "13812341234", True) == "13812341234"


def test_lists_and_exports_mask_unless_the_viewer_may_see(tenants, in_tenant, org, client_for, tenant_admin):
    with in_tenant(tenants.a):
        Role.objects.filter(code="dispatcher").update(permissions=["console.access", "identity.view_users"])
        sam = User.objects.get(username="sam")
    dispatcher = client_for(tenants.a, user=sam)
    listing = dispatcher.get("/console/people/users/").content.decode()
    assert "139****1111" in listing and "13900001111" not in listing
    export = dispatcher.get("/console/people/users/?export=csv")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) >= 5  # heading + alice, carl, rita, sam
    assert "13900001111" not in text and "139****1111" in text
    assert "110105********002X" in text
    # The administrator (everything, incl. identity.view_personal_data) sees them whole.
    admin_export = client_for(tenants.a, user=tenant_admin(tenants.a)).get(
        "/console/people/users/?export=csv"
    )
    assert "13900001111" in b"".join(admin_export.streaming_content).decode("utf-8-sig")
    # Someone who may edit users but not see personal data does not even get the fields.
    with in_tenant(tenants.a):
        hr = Role.objects.create(
            code="hr",
            name="人事",
            data_scope="all",
            permissions=["console.access", "identity.view_users", "identity.manage_users"],
        )
        sam.roles.set([hr])
    form = (
        client_for(tenants.a, user=sam).get(f"/console/people/users/edit/{org['carl'].pk}/").content.decode()
    )
    assert 'name="full_name"' in form
    assert 'name="phone"' not in form and 'name="id_number"' not in form


def test_key_rotation(tenants, in_tenant, org, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]  # new first: encrypt with new, read both
    call_command("rotate_field_keys")
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    with in_tenant(tenants.a):
        assert User.objects.get(pk=org["carl"].pk).phone == "13900001111"
        assert User.objects.get(pk=org["alice"].pk).phone == "13812341234"
        actions.save_user(User.objects.get(pk=org["carl"].pk))  # still writable
