"""The module registry and its guards, proven on the test-only `probe` module."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from kernel import modules
from tenants import actions


def test_registry_collects_declared_modules():
    keys = [spec.key for spec in modules.all_modules()]
    assert {"spaces", "kernel", "probe"} <= set(keys)
    spaces = modules.get_module("spaces")
    assert spaces.always_on and not spaces.togglable
    assert spaces.name_zh == "楼宇空间"
    assert "spaces_room" in spaces.url_namespaces() and "spaces" in spaces.url_namespaces()
    assert [spec.key for spec in modules.visible_modules()].count("kernel") == 0
    with pytest.raises(modules.UnknownModule):
        modules.get_module("teleporter")


def test_registry_feeds_graphql_guard_and_periodic_jobs():
    fields = modules.module_for_graphql_field()
    assert fields[("Query", "probeSchema")] == "probe"
    assert fields[("Query", "rooms")] == "spaces"
    jobs = {job.actor for _spec, job in modules.periodic_jobs()}
    assert {"kernel.relay_outbox", "probe.tick"} <= jobs


def test_spec_rejects_ambiguous_schedule():
    with pytest.raises(ValueError):
        modules.PeriodicJob(actor="x", every=timedelta(seconds=5), cron="* * * * *")


@pytest.mark.django_db
def test_enablement_and_cache(tenants):
    assert not modules.is_enabled("probe", tenants.a)
    assert modules.is_enabled("spaces", tenants.a)
    actions.set_module_enabled(tenants.a, "probe", True)
    assert modules.is_enabled("probe", tenants.a)
    assert not modules.is_enabled("probe", tenants.b)
    actions.set_module_enabled(tenants.a, "probe", False)
    assert not modules.is_enabled("probe", tenants.a)


@pytest.mark.django_db
def test_always_on_module_cannot_be_switched_off(tenants):
    with pytest.raises(actions.TenantActionError) as exc:
        actions.set_module_enabled(tenants.a, "spaces", False)
    assert "always on" in exc.value.message


@pytest.mark.django_db
def test_enable_and_disable_commands(tenants, capsys):
    call_command("enable_module", "ta", "probe")
    assert "module probe is on for ta" in capsys.readouterr().out
    assert modules.is_enabled("probe", tenants.a)
    call_command("disable_module", "ta", "probe")
    assert not modules.is_enabled("probe", tenants.a)
    with pytest.raises(CommandError, match="known modules"):
        call_command("enable_module", "ta", "teleporter")
    with pytest.raises(CommandError, match="no tenant"):
        call_command("enable_module", "nobody", "probe")


@pytest.mark.django_db
def test_enabling_installs_default_data_in_that_tenant_only(tenants, in_tenant):
    from modules.spaces.models import Campus

    actions.set_module_enabled(tenants.a, "probe", True)
    with in_tenant(tenants.a):
        assert Campus.objects.filter(code="PROBE-DEFAULT").exists()
    with in_tenant(tenants.b):
        assert not Campus.objects.filter(code="PROBE-DEFAULT").exists()


@pytest.mark.django_db
class TestGuards:
    def test_views_and_urls(self, client_for, tenants):
        assert client_for(tenants.a).get("/probe/").status_code == 404
        actions.set_module_enabled(tenants.a, "probe", True)
        response = client_for(tenants.a).get("/probe/")
        assert response.status_code == 200
        assert response.content == b"probe in ta"
        assert client_for(tenants.b).get("/probe/").status_code == 404

    def test_portal_tiles_follow_enablement(self, client_for, tenants):
        assert 'data-module="probe"' not in client_for(tenants.a).get("/").content.decode()
        actions.set_module_enabled(tenants.a, "probe", True)
        page = client_for(tenants.a).get("/").content.decode()
        assert 'data-module="probe"' in page
        assert 'data-module="spaces"' in page

    def test_console_menu(self, client_for, tenants, tenant_admin):
        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        page = client.get("/console/").content.decode()
        assert "module-spaces" in page
        assert "module-probe" not in page
        actions.set_module_enabled(tenants.a, "probe", True)
        page = client.get("/console/").content.decode()
        assert "module-probe" in page

    def test_console_screens_of_a_disabled_module_answer_404(self, client_for, tenants, tenant_admin):
        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        assert client.get("/console/spaces/rooms/").status_code == 200  # always on
        assert client.get("/console/probe/").status_code == 404
        actions.set_module_enabled(tenants.a, "probe", True)
        response = client.get("/console/probe/")
        assert response.status_code == 200
        assert response.content == b"probe console"

    def test_graphql_field(self, client_for, tenants, tenant_admin):
        client = client_for(tenants.a, user=tenant_admin(tenants.a))
        body = client.post(
            "/graphql/", {"query": "{ probeSchema tenant { name } }"}, content_type="application/json"
        ).json()
        assert body["data"]["probeSchema"] is None
        assert body["data"]["tenant"]["name"] == "甲医院"
        assert body["errors"][0]["extensions"] == {"code": "MODULE_DISABLED", "module": "probe"}
        actions.set_module_enabled(tenants.a, "probe", True)
        body = client.post("/graphql/", {"query": "{ probeSchema }"}, content_type="application/json").json()
        assert body == {"data": {"probeSchema": "ta"}}


class TestScheduler:
    @pytest.mark.django_db
    def test_due_firings(self):
        from kernel.jobs.scheduler import due_firings

        at = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)
        names = {f.job.name for f in due_firings(at - timedelta(seconds=1), at)}
        assert "probe.tick" in names  # every 60 s, aligned on the minute
        names = {f.job.name for f in due_firings(at, at + timedelta(seconds=30))}
        assert "probe.tick" not in names

    def test_fan_out_only_to_tenants_with_the_module(self, tenants, committed_db):
        from kernel.jobs import scheduler
        from kernel.redis import get_redis
        from tests.fixtures import drain, running_worker

        actions.set_module_enabled(tenants.a, "probe", True)
        actions.set_module_enabled(tenants.hq, "probe", True)
        actions.suspend_tenant(tenants.hq)
        at = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)
        sent = scheduler.tick(at - timedelta(seconds=1), at)
        by_job = {firing.job.name: count for firing, count in sent}
        assert by_job["probe.tick"] == 1  # A only: B lacks the module, HQ is suspended
        assert by_job["kernel.relay_outbox"] == 3  # every active tenant (HQ is suspended)
        # a second scheduler asking for the same firing sends nothing
        assert scheduler.tick(at - timedelta(seconds=1), at) == []
        with running_worker() as broker:
            drain(broker)
        assert [s.decode() for s in get_redis().lrange("probe:ticks", 0, -1)] == ["ta"]
