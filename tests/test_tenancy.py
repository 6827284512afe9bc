"""Tenants: routing by host, provisioning by cloning, suspension, deletion, group hierarchy."""

import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_exists

from tenants import actions
from tenants.models import Domain, ModuleEnablement, Tenant
from tests.fixtures import PASSWORD

pytestmark = pytest.mark.django_db


def request_for(schema="newt", domain="newt.localhost", **overrides):
    fields = {
        "schema_name": schema,
        "name": "新医院",
        "name_en": "New Hospital",
        "kind": "hospital",
        "domain": domain,
        "admin_email": f"boss@{schema}.test",
        "admin_password": PASSWORD,
    }
    fields.update(overrides)
    return actions.TenantRequest(**fields)


def assert_nothing_left(schema, domain):
    connection.set_schema_to_public()
    assert not Tenant.objects.filter(schema_name=schema).exists()
    assert not schema_exists(schema)
    if domain:
        assert not Domain.objects.filter(domain=domain, tenant__schema_name=schema).exists()


class TestRouting:
    def test_tenant_domain_serves_the_tenant(self, client_for, tenants):
        response = client_for(tenants.a).get("/")
        assert response.status_code == 200
        assert "甲医院" in response.content.decode()

    def test_unknown_host_is_404(self, client, tenants):
        response = client.get("/", HTTP_HOST="nobody.localhost")
        assert response.status_code == 404
        assert "Not found" in response.content.decode()

    def test_public_host_serves_the_operator_site(self, client):
        response = client.get("/", HTTP_HOST="localhost")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")

    def test_suspended_tenant_answers_403_with_a_plain_page(self, client_for, tenants):
        actions.suspend_tenant(tenants.b, reason="unpaid")
        for path in ["/", "/console/", "/spaces/", "/graphql/"]:
            response = client_for(tenants.b).get(path)
            assert response.status_code == 403, path
            assert "suspended" in response.content.decode()
        # Another tenant is unaffected.
        assert client_for(tenants.a).get("/").status_code == 200
        actions.resume_tenant(tenants.b)
        assert client_for(tenants.b).get("/").status_code == 200

    def test_routing_is_cached_and_a_change_applies_at_once(self, client_for, tenants):
        from django.test.utils import CaptureQueriesContext

        assert client_for(tenants.b).get("/").status_code == 200  # looked up, and remembered
        with CaptureQueriesContext(connection) as captured:
            assert client_for(tenants.b).get("/").status_code == 200
        by_host = 'WHERE "tenants_domain"."domain" ='
        assert not any(by_host in q["sql"] for q in captured.captured_queries)
        actions.suspend_tenant(tenants.b, reason="unpaid")
        assert client_for(tenants.b).get("/").status_code == 403
        actions.resume_tenant(tenants.b)
        assert client_for(tenants.b).get("/").status_code == 200

    def test_a_change_that_bypasses_the_signals_waits_for_a_new_generation(self, client_for, tenants):
        from kernel.redis import get_redis

        assert "甲医院" in client_for(tenants.a).get("/").content.decode()
        Tenant.objects.filter(pk=tenants.a.pk).update(name="甲医院（新名）")  # no save(): no signal
        assert "新名" not in client_for(tenants.a).get("/").content.decode()
        get_redis().flushdb()  # an emptied Redis has no generation: every process looks again
        assert "甲医院（新名）" in client_for(tenants.a).get("/").content.decode()

    def test_each_request_gets_its_own_copy_of_the_tenant(self, tenants):
        from tenants.routing import domain_for

        first = domain_for("a.localhost")
        first.tenant.name = "在请求里改的"
        assert domain_for("a.localhost").tenant.name == "甲医院"

    def test_template_schema_is_never_served(self, client, tenants):
        template = Tenant.objects.get(is_template=True)
        Domain.objects.create(domain="template.localhost", tenant=template)
        assert client.get("/", HTTP_HOST="template.localhost").status_code == 404


class TestProvisioning:
    def test_provision_creates_schema_admin_domain_and_modules(self, tenants):
        started = time.perf_counter()
        tenant = actions.provision_tenant(request_for(parent_schema="thq", modules=["probe"]))
        elapsed = time.perf_counter() - started
        assert tenant.parent == tenants.hq
        assert schema_exists("newt")
        assert tenant.get_primary_domain().domain == "newt.localhost"
        assert ModuleEnablement.objects.get(tenant=tenant, module_key="probe").enabled
        from wagtail.models import Site

        from identity.models import User
        from kernel.context import tenant_schema
        from modules.spaces.models import Campus

        with tenant_schema("newt"):
            admin = User.objects.get(username="boss@newt.test")
            assert admin.is_superuser and admin.check_password(PASSWORD)
            assert Site.objects.get(is_default_site=True).hostname == "newt.localhost"
            # the probe module's default data ran in the new schema, and only there
            assert Campus.objects.filter(code="PROBE-DEFAULT").exists()
            # sequences were cloned consistently: new rows get fresh ids
            assert Campus.objects.create(code="X2", name="x").pk > 0
        # a generous bound here; the real figure is measured by benchmarks/provision.py
        assert elapsed < 10

    def test_management_command(self, tenants, capsys):
        call_command(
            "provision_tenant",
            "--schema",
            "cmdt",
            "--name",
            "命令医院",
            "--kind",
            "hospital",
            "--domain",
            "cmdt.localhost",
            "--parent",
            "thq",
            "--admin-email",
            "a@cmdt.test",
            "--admin-password",
            PASSWORD,
        )
        assert "tenant cmdt" in capsys.readouterr().out
        assert Tenant.objects.get(schema_name="cmdt").parent.schema_name == "thq"

    def test_management_command_reports_each_problem(self, tenants):
        with pytest.raises(CommandError) as exc:
            call_command(
                "provision_tenant",
                "--schema",
                "Bad Name",
                "--name",
                "x",
                "--kind",
                "hospital",
                "--domain",
                "a.localhost",
                "--admin-email",
                "not-an-email",
                "--admin-password",
                "123",
            )
        text = str(exc.value)
        assert "schema_name:" in text and "domain:" in text and "admin_email:" in text
        assert "admin_password:" in text
        assert "already used by 甲医院" in text

    def test_validation_errors_are_per_field_and_nothing_is_written(self, tenants):
        before = Tenant.objects.count()
        with pytest.raises(actions.TenantActionError) as exc:
            actions.provision_tenant(
                request_for(
                    schema="public",
                    domain="localhost",
                    kind="castle",
                    parent_schema="ta",
                    admin_email="x",
                    admin_password="short",
                    time_zone="Mars/Base",
                )
            )
        errors = exc.value.errors
        assert set(errors) == {
            "schema_name",
            "domain",
            "kind",
            "parent",
            "admin_email",
            "admin_password",
            "time_zone",
        }
        assert "reserved" in errors["schema_name"][0]
        assert "group headquarters" in errors["parent"][0]
        assert Tenant.objects.count() == before

    def test_duplicate_domain_is_refused_before_anything_is_made(self, tenants):
        with pytest.raises(actions.TenantActionError) as exc:
            actions.provision_tenant(request_for(domain="a.localhost"))
        assert "already used by 甲医院" in exc.value.errors["domain"][0]
        assert_nothing_left("newt", None)

    def test_failure_half_way_leaves_no_schema_tenant_or_domain(self, tenants, monkeypatch):
        # Two operators race for one domain: validation passed for both, the second
        # reaches the database after the first committed. The schema is already cloned
        # by then; the unique domain constraint stops it and everything is rolled back.
        monkeypatch.setattr(actions, "validate_request", lambda req: {})
        with pytest.raises(actions.TenantActionError) as exc:
            actions.provision_tenant(request_for(schema="racer", domain="a.localhost"))
        assert exc.value.step == "domain"
        assert "already in use" in exc.value.message and "nothing was created" in exc.value.message
        assert_nothing_left("racer", "a.localhost")
        assert Domain.objects.get(domain="a.localhost").tenant == tenants.a

    def test_failure_in_setup_says_where_and_leaves_nothing(self, tenants, monkeypatch):
        def broken_default_data(tenant):
            raise RuntimeError("default data could not be installed")

        monkeypatch.setattr(actions, "install_default_data", lambda tenant, keys: broken_default_data(tenant))
        with pytest.raises(actions.TenantActionError) as exc:
            actions.provision_tenant(request_for(schema="broken", domain="broken.localhost"))
        assert exc.value.step == "setup"
        assert "default data could not be installed" in exc.value.message
        assert_nothing_left("broken", "broken.localhost")


class TestLifecycle:
    def test_delete_drops_schema_rows_and_files(
        self, tenants, settings, tmp_path, django_capture_on_commit_callbacks
    ):
        settings.MEDIA_ROOT = tmp_path
        tenant = actions.provision_tenant(request_for(schema="doomed", domain="doomed.localhost"))
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        from kernel.context import tenant_schema

        with tenant_schema("doomed"):
            default_storage.save("notes.txt", ContentFile(b"bye"))
        assert (tmp_path / "tenants" / "doomed" / "notes.txt").exists()
        with pytest.raises(actions.TenantActionError):
            actions.delete_tenant(tenant, confirm_schema="wrong")
        with pytest.raises(actions.TenantActionError) as exc:
            actions.delete_tenant(tenants.hq, confirm_schema="thq")
        assert "subsidiaries" in exc.value.message
        with django_capture_on_commit_callbacks(execute=True):
            actions.delete_tenant(tenant, confirm_schema="doomed")
        assert_nothing_left("doomed", "doomed.localhost")
        assert not (tmp_path / "tenants" / "doomed").exists()

    def test_group_hierarchy_any_depth(self, tenants):
        regional = actions.provision_tenant(
            request_for(schema="region", domain="region.localhost", kind="group", parent_schema="thq")
        )
        leaf = actions.provision_tenant(
            request_for(schema="leaf", domain="leaf.localhost", parent_schema="region")
        )
        assert {t.schema_name for t in tenants.hq.descendants()} == {"tsub", "region", "leaf"}
        assert [t.schema_name for t in leaf.ancestors()] == ["region", "thq"]
        assert list(tenants.a.descendants()) == []
        assert regional.subsidiaries.get() == leaf

    def test_add_custom_domain(self, client_for, client, tenants):
        actions.add_domain(tenants.a, "Repair.Hospital-A.localhost")
        assert client.get("/", HTTP_HOST="repair.hospital-a.localhost").status_code == 200
        with pytest.raises(actions.TenantActionError):
            actions.add_domain(tenants.b, "repair.hospital-a.localhost")
        with pytest.raises(actions.TenantActionError):
            actions.add_domain(tenants.b, "not a host")


class TestTemplateCloning:
    def test_clone_replays_the_snapshot_of_the_current_migration_state(self, tenants):
        from tenants import cloning

        snapshot = cloning.current_snapshot()
        assert snapshot.fingerprint == cloning.template_fingerprint()
        assert cloning.PLACEHOLDER in snapshot.sql and "tenant_template" not in snapshot.sql
        assert "ta" not in {
            line.split()[2] for line in snapshot.sql.splitlines() if line.startswith("CREATE TABLE")
        }

    def test_a_template_change_not_yet_committed_is_copied_from_the_catalogue(self, tenants):
        from tenants import cloning

        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO tenant_template.django_migrations (app, name, applied) VALUES ('spaces', '9998_wip', now())"
            )
        assert cloning.current_snapshot() is None  # pg_dump cannot see this transaction
        actions.provision_tenant(request_for(schema="wip", domain="wip.localhost"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM wip.django_migrations WHERE name = '9998_wip'")
            assert cursor.fetchone()[0] == 1

    def test_without_pg_dump_the_catalogue_clone_is_used(self, tenants, settings):
        from tenants.models import TemplateSnapshot

        TemplateSnapshot.objects.all().delete()
        settings.PG_DUMP = "/nonexistent/pg_dump"
        tenant = actions.provision_tenant(request_for(schema="nodump", domain="nodump.localhost"))
        assert not TemplateSnapshot.objects.exists()
        from identity.models import User
        from kernel.context import tenant_schema

        with tenant_schema(tenant.schema_name):
            assert User.objects.get().username == "boss@nodump.test"
