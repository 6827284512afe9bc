"""Partner API keys: shown once, stored hashed, used with one role, revocable, expiring."""

from datetime import timedelta

import pytest
from django.utils import timezone

from identity import actions
from identity.access import restrict
from identity.models import ApiKey, Role, User
from kernel.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_create_shows_the_key_once_and_stores_a_hash(tenants, in_tenant, org, client_for, tenant_admin):
    admin = client_for(tenants.a, user=tenant_admin(tenants.a))
    with in_tenant(tenants.a):
        role = Role.objects.get(code="hq_viewer")
    page = admin.post(
        "/console/people/api-keys/new/",
        {"name": "OA 系统", "role": role.pk, "expires_at": "", "requests_per_minute": 600},
    )
    html = page.content.decode()
    raw = html.split('id="api-key" type="text" readonly value="')[1].split('"')[0]
    assert raw.startswith("fk_")
    with in_tenant(tenants.a):
        key = ApiKey.objects.get(name="OA 系统")
        secret = raw.split("_", 2)[2]
        assert secret and secret not in key.secret_hash and len(key.secret_hash) == 64
    listing = admin.get("/console/people/api-keys/").content.decode()
    assert "OA 系统" in listing and raw not in listing


def test_authenticate_use_revoke_and_expiry(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        role = Role.objects.get(code="hq_viewer")
        key, raw = actions.create_api_key(name="ERP", role=role, expires_at=None)
        principal = actions.authenticate_api_key(raw)
        assert principal is not None and principal.get_username() == "api-key:ERP"
        # It acts with its role's permissions and scope: hq_viewer reads spaces, not users.
        from modules.spaces.models import Campus

        assert restrict(Campus.objects.all(), principal, "view").query is not None
        assert not restrict(User.objects.all(), principal, "view").exists()
        key.refresh_from_db()
        assert key.last_used_at is not None
        assert AuditEntry.objects.filter(action="api_key_used", object_id=str(key.pk)).count() == 1
        actions.authenticate_api_key(raw)  # used again at once: recorded at most once a minute
        assert AuditEntry.objects.filter(action="api_key_used", object_id=str(key.pk)).count() == 1
        assert actions.authenticate_api_key(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
        assert actions.authenticate_api_key("nonsense") is None
        actions.revoke_api_key(key)
        assert actions.authenticate_api_key(raw) is None
        expired, raw2 = actions.create_api_key(
            name="Old", role=role, expires_at=timezone.now() + timedelta(seconds=1)
        )
        ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        assert actions.authenticate_api_key(raw2) is None


def test_key_of_tenant_a_means_nothing_in_tenant_b(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        _key, raw = actions.create_api_key(
            name="A-only", role=Role.objects.get(code="hq_viewer"), expires_at=None
        )
    with in_tenant(tenants.b):
        assert actions.authenticate_api_key(raw) is None
