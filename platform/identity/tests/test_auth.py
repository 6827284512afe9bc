"""Sign-in: lockout per tenant and user, unlock, two factors, password policy, idle sessions, reset."""

import re
import time

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity import actions
from identity.middleware import LAST_SEEN
from identity.models import Role, User
from kernel.models import AuditEntry
from tests.fixtures import PASSWORD

pytestmark = pytest.mark.django_db


def login(host, username, password):
    return Client(HTTP_HOST=host).post("/accounts/login/", {"username": username, "password": password})


def test_five_failures_lock_the_login_for_this_tenant_only(tenants, in_tenant, org):
    for _ in range(4):
        response = login("a.localhost", "carl", "wrong-password")
        assert response.status_code == 200  # the form again, with its error
    assert login("a.localhost", "carl", "wrong-password").status_code == 429  # the fifth locks
    # Even the right password is refused now.
    locked = login("a.localhost", "carl", PASSWORD)
    assert locked.status_code == 429
    assert "15" in locked.content.decode()
    with in_tenant(tenants.a):
        actions_ = list(AuditEntry.objects.filter(actor_label="carl").values_list("action", flat=True))
        assert actions_.count("login_failed") >= 5 and "lockout" in actions_
    # Another tenant's user called carl is a different person, not locked.
    with in_tenant(tenants.b):
        from identity.defaults import root_department

        User.objects.create_user(username="carl", password=PASSWORD, department=root_department())
    assert login("b.localhost", "carl", PASSWORD).status_code == 302


def test_unlock_lets_the_user_in_at_once(tenants, in_tenant, org, client_for, tenant_admin):
    for _ in range(5):
        login("a.localhost", "rita", "wrong-password")
    assert login("a.localhost", "rita", PASSWORD).status_code == 429
    admin = client_for(tenants.a, user=tenant_admin(tenants.a))
    page = admin.get("/console/people/lockouts/").content.decode()
    assert "rita" in page
    admin.post(f"/console/people/lockouts/{org['rita'].pk}/unlock/")
    assert login("a.localhost", "rita", PASSWORD).status_code == 302
    with in_tenant(tenants.a):
        assert AuditEntry.objects.filter(action="unlock", object_id=str(org["rita"].pk)).exists()


def test_lockout_expires_after_the_cool_off(tenants, org, settings):
    from datetime import timedelta

    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    for _ in range(5):
        login("a.localhost", "sam", "wrong-password")
    assert login("a.localhost", "sam", PASSWORD).status_code == 429
    time.sleep(1.2)
    assert login("a.localhost", "sam", PASSWORD).status_code == 302


def test_administrative_roles_must_pass_totp(tenants, in_tenant, org, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no back-off after the deliberate wrong code
    with in_tenant(tenants.a):
        Role.objects.filter(code="dispatcher").update(requires_2fa=True)
    client = Client(HTTP_HOST="a.localhost")
    assert client.post("/accounts/login/", {"username": "sam", "password": PASSWORD}).status_code == 302
    response = client.get("/console/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/")
    assert client.get("/spaces/").status_code == 302  # the portal too
    enrol = client.get("/accounts/2fa/")
    assert "<svg" in enrol.content.decode()  # the QR code of the new authenticator
    with in_tenant(tenants.a):
        device = TOTPDevice.objects.get(user__username="sam")
    bad = client.post("/accounts/2fa/", {"token": "000000", "next": "/console/"})
    assert bad.status_code == 200 and "验证码不正确" in bad.content.decode()
    good = client.post("/accounts/2fa/", {"token": f"{totp(device.bin_key):06d}", "next": "/console/"})
    assert good.status_code == 302 and good["Location"] == "/console/"
    assert client.get("/console/").status_code == 200
    with in_tenant(tenants.a):
        assert TOTPDevice.objects.get(user__username="sam").confirmed
        assert AuditEntry.objects.filter(action="2fa", actor_label="sam", detail__ok=True).exists()
    # Users of roles without the requirement are not asked.
    plain = Client(HTTP_HOST="a.localhost")
    plain.post("/accounts/login/", {"username": "carl", "password": PASSWORD})
    assert plain.get("/spaces/").status_code == 200


def test_password_policy_length_complexity_and_history(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        carl = User.objects.get(username="carl")
        for weak, code in [("Short1!", "password_too_short"), ("alllowercaseletters", "password_too_simple")]:
            with pytest.raises(ValidationError) as exc:
                actions.set_password(carl, weak)
            assert code in [e.code for e in exc.value.error_list]
        history = [
            "Second-Pass-2026",
            "Third-Pass-2026",
            "Fourth-Pass-2026",
            "Fifth-Pass-2026",
            "Sixth-Pass-2026",
        ]
        for password in history:
            actions.set_password(carl, password)
        with pytest.raises(ValidationError) as exc:
            actions.set_password(carl, "Second-Pass-2026")  # one of the last five
        assert "password_reused" in [e.code for e in exc.value.error_list]
        actions.set_password(carl, PASSWORD)  # six back: allowed again
        assert carl.password_history.count() == 5


def test_idle_session_ends(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        from tenants.models import Tenant

        Tenant.objects.filter(pk=tenants.a.pk).update(session_idle_minutes=1)
    client = Client(HTTP_HOST="a.localhost")
    client.post("/accounts/login/", {"username": "carl", "password": PASSWORD})
    assert client.get("/spaces/").status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 61
    session.save()
    response = client.get("/spaces/")
    assert response.status_code == 302 and "expired=1" in response["Location"]
    assert client.get("/spaces/").status_code == 302  # signed out
    assert client.get("/accounts/login/?expired=1").status_code == 200


def test_password_reset_by_email(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        carl = User.objects.get(username="carl")
        carl.email = "carl@hospital-a.test"
        carl.save()
    client = Client(HTTP_HOST="a.localhost")
    response = client.post("/accounts/password/reset/", {"email": "carl@hospital-a.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://a\.localhost(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    confirm_url = form.redirect_chain[-1][0]
    done = client.post(
        confirm_url, {"new_password1": "Brand-New-Pass-2026", "new_password2": "Brand-New-Pass-2026"}
    )
    assert done.status_code == 302
    assert login("a.localhost", "carl", "Brand-New-Pass-2026").status_code == 302


def test_sign_ins_are_in_the_audit_trail_with_address(tenants, in_tenant, org):
    Client(HTTP_HOST="a.localhost", REMOTE_ADDR="10.1.2.3").post(
        "/accounts/login/", {"username": "carl", "password": PASSWORD}
    )
    with in_tenant(tenants.a):
        entry = AuditEntry.objects.filter(action="login").latest("occurred_at")
        assert entry.actor_label == "carl" and entry.client_ip == "10.1.2.3"


def test_tenant_admin_sets_the_idle_limit_and_wagtail_user_screens_are_gone(
    tenants, client_for, tenant_admin
):
    admin = client_for(tenants.a, user=tenant_admin(tenants.a))
    bad = admin.post("/console/people/sign-in/", {"session_idle_minutes": 1})
    assert bad.status_code == 200 and bad.context["form"].errors["session_idle_minutes"]
    assert admin.post("/console/people/sign-in/", {"session_idle_minutes": 90}).status_code == 302
    from tenants.models import Tenant

    assert Tenant.objects.get(pk=tenants.a.pk).session_idle_minutes == 90
    assert Tenant.objects.get(pk=tenants.b.pk).session_idle_minutes == 30
    # People are managed in 组织与权限; Wagtail's own user and group screens do not exist.
    assert admin.get("/console/users/").status_code == 404
    assert admin.get("/console/groups/").status_code == 404
