"""Fixtures shared by every test: real PostgreSQL and Redis, tenants made once per session.

- The test database is migrated once; the template schema is prepared once; tenants
  A (hospital), B (university) and a group HQ with a subsidiary are provisioned once,
  through the real provisioning action.
- Each test runs in a transaction that is rolled back (pytest-django's `db`), except
  tests that ask for `committed_db`, whose writes are real (a worker thread or another
  process must see them) and are cleaned up afterwards.
- Redis (database 9, key prefix facilis-test) is emptied before each test.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import pytest
from django.db import connection

from kernel.context import tenant_schema

PASSWORD = "Test-Password-2026"


@dataclass(frozen=True)
class TestTenants:
    a: object
    b: object
    hq: object
    sub: object

    def all(self):
        return [self.a, self.b, self.hq, self.sub]


SESSION_TENANTS = [
    # schema, name, kind, parent, domain
    ("ta", "甲医院", "hospital", None, "a.localhost"),
    ("tb", "乙大学", "university", None, "b.localhost"),
    ("thq", "测试集团", "group", None, "hq.localhost"),
    ("tsub", "集团子医院", "hospital", "thq", "sub.localhost"),
]


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker):
    """The test database, migrated once; then the template and the session's tenants.

    Replaces pytest-django's fixture rather than wrapping it: that one creates the test
    database only when a collected test is marked django_db, and a run of browser or
    `committed_db` tests alone would otherwise reach the development database.
    """
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    from tenants import actions
    from tenants.cloning import ensure_template

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=verbosity, interactive=False, aliases={"default"})
        assert settings.DATABASES["default"]["NAME"].startswith("test_"), "refusing a non-test database"
        ensure_template()
        for schema, name, kind, parent, domain in SESSION_TENANTS:
            actions.provision_tenant(
                actions.TenantRequest(
                    schema_name=schema,
                    name=name,
                    name_en=f"Tenant {schema}",
                    kind=kind,
                    parent_schema=parent,
                    domain=domain,
                    admin_email=f"admin@{schema}.test",
                    admin_password=PASSWORD,
                ),
                actor="tests",
            )
        connection.set_schema_to_public()
    yield
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        # Threads of the live server, workers and subprocesses may leave sessions open.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        teardown_databases(db_cfg, verbosity=verbosity)


@pytest.fixture
def tenants(django_db_setup, django_db_blocker) -> TestTenants:
    from tenants.models import Tenant

    with django_db_blocker.unblock():
        by_schema = {t.schema_name: t for t in Tenant.objects.filter(is_template=False)}
    return TestTenants(a=by_schema["ta"], b=by_schema["tb"], hq=by_schema["thq"], sub=by_schema["tsub"])


@pytest.fixture(autouse=True)
def clean_redis(settings):
    """Every test starts with an empty Redis database (queues, cache, locks)."""
    from kernel.redis import get_redis

    client = get_redis()
    # Database 9 by default; another one (>= 9) lets a second test run go on beside it.
    assert client.connection_pool.connection_kwargs.get("db", 0) >= 9, (
        "tests must not touch the development Redis"
    )
    client.flushdb()
    yield
    client.flushdb()


@pytest.fixture(autouse=True)
def public_schema_after():
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def english_outside_requests():
    """A request leaves its language active in the thread; each test starts in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def in_tenant():
    """Context manager: `with in_tenant(tenants.a): ...` runs against that tenant's schema."""
    return lambda tenant: tenant_schema(tenant.schema_name)


def host(tenant) -> str:
    return tenant.get_primary_domain().domain


@pytest.fixture
def client_for():
    """A Django test client that talks to a tenant's domain (or the operator host)."""
    from django.test import Client

    def make(tenant=None, user=None, **kwargs):
        client = Client(HTTP_HOST=host(tenant) if tenant else "localhost", **kwargs)
        if user is not None:
            # The session lives in the tenant's schema, like the user.
            with tenant_schema(tenant.schema_name if tenant else "public"):
                client.force_login(user)
        return client

    return make


@pytest.fixture
def api(tenants, in_tenant):
    """api(tenant, user=…) or api(tenant, role="dispatcher") (a new API key with that role)."""

    from identity import actions as identity
    from identity.models import Role
    from tests.api.helpers import Api

    def make(tenant, *, user=None, role=None, per_minute=6000):
        host = tenant.get_primary_domain().domain
        if role is not None:
            with in_tenant(tenant):
                record, raw = identity.create_api_key(
                    name=f"test {role}",
                    role=Role.objects.get(code=role),
                    expires_at=None,
                    requests_per_minute=per_minute,
                )
            return Api(host, key=raw, record=record)
        return Api(host, user=user, schema=tenant.schema_name)

    return make


@pytest.fixture
def person(tenants, in_tenant):
    """person(tenant, "name", "role", …, department=None) → a saved user with those roles."""
    from identity import actions as identity
    from identity.defaults import root_department
    from identity.models import Role, User

    def make(tenant, username, *roles, department=None, **fields):
        with in_tenant(tenant):
            user = User(
                username=username,
                full_name=fields.pop("full_name", username),
                department=department or root_department(),
                **fields,
            )
            return identity.save_user(
                user, password=PASSWORD, roles=[Role.objects.get(code=r) for r in roles]
            )

    return make


@pytest.fixture
def tenant_admin(tenants):
    """Returns a function giving the provisioned admin user of a tenant."""

    def get(tenant):
        from identity.models import User

        with tenant_schema(tenant.schema_name):
            return User.objects.get(username=f"admin@{tenant.schema_name}.test")

    return get


BUSINESS_TABLES = [
    "spaces_room",
    "spaces_floor",
    "spaces_building",
    "spaces_campus",
    "kernel_outboxevent",
    "kernel_consumedevent",
    "kernel_notificationdelivery",
    "kernel_notification",
    "kernel_notificationpreference",
    "kernel_reminder",
    "kernel_messagetemplate",
    "kernel_webhookattempt",
    "kernel_webhookdelivery",
    "kernel_webhookendpoint",
    # Work orders (their events, photos, materials… go by CASCADE), teams and rules, items.
    "workorders_workorder",
    "workorders_dispatchrule",
    "workorders_team",
    "inventory_item",
    # Running approvals (tasks and logs go by CASCADE) and out-of-office delegations.
    "lowcode_workflows_instance",
    "lowcode_workflows_delegation",
]


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker, tenants):
    """Database access without a wrapping transaction: writes are committed and visible to
    worker threads and other processes. Afterwards business tables of the session tenants
    are emptied, module switches are reset and extra tenants are dropped."""
    from tenants.models import ModuleEnablement, Tenant

    session_schemas = {row[0] for row in SESSION_TENANTS}
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()
        for schema in session_schemas:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"TRUNCATE {', '.join(f'{schema}.{t}' for t in BUSINESS_TABLES)} RESTART IDENTITY CASCADE"
                )
        ModuleEnablement.objects.all().delete()
        from tenants.cloning import drop_schema

        for extra in Tenant.objects.filter(is_template=False).exclude(schema_name__in=session_schemas):
            extra.domains.all().delete()
            drop_schema(extra.schema_name)
            extra.delete()
        from tenants.routing import invalidate

        Tenant.objects.filter(schema_name__in=session_schemas).update(
            status="active",
            status_reason="",
            brand_primary_colour="#1f6feb",
            brand_accent_colour="#0e9f6e",
            brand_logo="",
            brand_favicon="",
            brand_short_name="",
        )
        invalidate()  # update() bypasses the signals that would


@contextlib.contextmanager
def running_worker(queues=("default", "outbox", "notifications"), threads: int = 2):
    """A real dramatiq worker (threads in this process) on the real Redis broker."""
    import dramatiq

    broker = dramatiq.get_broker()
    worker = dramatiq.Worker(broker, queues=set(queues), worker_threads=threads, worker_timeout=100)
    worker.start()
    try:
        yield broker
    finally:
        worker.stop()


def drain(broker, queues=("default", "outbox", "notifications"), rounds: int = 3):
    """Wait until the queues are empty and nothing is in flight (jobs may send more jobs)."""
    for _ in range(rounds):
        for queue in queues:
            broker.join(queue, timeout=30_000)


@pytest.fixture(scope="session")
def live_port(django_db_setup, django_db_blocker):
    """A live server on the test database, once per session.

    Not pytest-django's `live_server`: it brings `transactional_db`, whose flush would
    empty the public schema (the session's tenants) after the first test.
    """
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    thread = LiveServerThread("localhost", _StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield thread.port
    thread.terminate()


@pytest.fixture
def url(live_port, committed_db):
    """url(host, path): the live server's address on a host name (*.localhost is 127.0.0.1)."""
    return lambda host, path="/": f"http://{host}:{live_port}{path}"
