"""Cloning tenants from the template's snapshot, with committed changes to the template."""

from django.db import connection

from tenants import actions
from tests.test_tenancy import request_for


def test_a_new_migration_of_the_template_takes_a_new_snapshot(tenants, committed_db):
    from tenants import cloning
    from tenants.models import TemplateSnapshot

    old = cloning.current_snapshot()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tenant_template.django_migrations (app, name, applied) VALUES ('spaces', '9999_test', now())"
        )
    try:
        fresh = cloning.current_snapshot()
        assert fresh.fingerprint != old.fingerprint
        assert list(TemplateSnapshot.objects.values_list("fingerprint", flat=True)) == [fresh.fingerprint]
        assert "9999_test" in fresh.sql
        actions.provision_tenant(request_for(schema="afternew", domain="afternew.localhost"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM afternew.django_migrations WHERE name = '9999_test'")
            assert cursor.fetchone()[0] == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM tenant_template.django_migrations WHERE name = '9999_test'")
        TemplateSnapshot.objects.all().delete()
