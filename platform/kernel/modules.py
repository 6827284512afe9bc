"""The module registry.

A module is a Django app whose AppConfig subclasses `ModuleAppConfig` and carries a
`ModuleSpec` as `module_spec`: its key, names, dependencies, permissions, console menu, URLs, GraphQL
fragments, periodic jobs and default data. The kernel collects these declarations;
nothing else lists modules by hand (ARCHITECTURE.md §3.3).

Whether a module serves a tenant is a runtime flag (`tenants.ModuleEnablement`);
`is_enabled()` answers it and the guards (views, URLs, console menus, GraphQL fields,
jobs) all ask it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig, apps
from django.db import connection
from django.utils.module_loading import import_string
from django.utils.translation import get_language, override

if TYPE_CHECKING:
    from tenants.models import Tenant


@dataclass(frozen=True)
class MenuItem:
    """A console (Wagtail admin) menu entry of a module."""

    name: str
    label: Any  # a lazy translation
    url_name: str
    icon: str = "folder-open-inverse"
    order: int = 1000
    # The permission code needed to see it (None: anyone who may use the console).
    permission: str | None = None


@dataclass(frozen=True)
class PeriodicJob:
    """A job the scheduler sends per tenant that has the module enabled.

    Either `every` (aligned to the epoch, e.g. every 60 s) or a cron expression.
    """

    actor: str
    every: timedelta | None = None
    cron: str | None = None
    kwargs: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"{self.actor}: give exactly one of every= or cron=")

    @property
    def name(self) -> str:
        return self.actor


@dataclass(frozen=True)
class NotificationKind:
    """A kind of notification a module sends: its wording (with %(name)s parameters, translated
    into each recipient's language) and the channels it uses unless the user chooses otherwise."""

    key: str
    label: Any
    title: Any
    body: Any = ""
    default_channels: tuple[str, ...] = ("inbox", "email")


@dataclass(frozen=True)
class DashboardPanel:
    """A console home panel: a dotted path to a wagtail.admin.ui.components.Component class."""

    component: str
    permission: str | None = None
    order: int = 100


@dataclass(frozen=True)
class ModuleSpec:
    key: str
    name_zh: str
    name_en: str
    description: str = ""
    always_on: bool = False
    # Internal modules (the kernel itself) are always on and never shown as modules.
    internal: bool = False
    dependencies: tuple[str, ...] = ()
    # Named actions beyond view/add/change/delete, e.g. ("workorders.dispatch", "Dispatch").
    permissions: tuple[tuple[str, str], ...] = ()
    menu_icon: str = "folder-open-inverse"
    menu_order: int = 1000
    menu_items: tuple[MenuItem, ...] = ()
    # Dotted paths to Wagtail viewset instances registered in the console.
    console_viewsets: tuple[str, ...] = ()
    # Dotted path to a urlpatterns module, mounted at /<url_prefix>/ on tenant domains.
    urls: str | None = None
    url_prefix: str | None = None
    # Dotted paths to graphene ObjectTypes whose fields join the root Query / Mutation.
    graphql_query: str | None = None
    graphql_mutation: str | None = None
    periodic_jobs: tuple[PeriodicJob, ...] = ()
    # Dotted paths to callables(tenant) run in the tenant's schema, idempotent.
    default_data: str | None = None
    demo_data: str | None = None
    # Entries on the portal home page: (label, url_name, icon).
    portal_entries: tuple[tuple[Any, str, str], ...] = ()
    # Permission codes this module adds to the default roles: {"dispatcher": ("x.view",)}.
    role_grants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Models whose rows are not business data and get no audit trigger (e.g. caches).
    audit_exclude: tuple[str, ...] = ()
    notification_kinds: tuple[NotificationKind, ...] = ()
    dashboard_panels: tuple[DashboardPanel, ...] = ()
    # Dotted paths to callables(user) -> list of PersonalItem, for "my requests" / "my tasks".
    my_requests: str | None = None
    my_tasks: str | None = None
    # Records that can go through an approval workflow (lowcode.workflows):
    # (subject type, dotted path to outcome(subject_id, instance) — called in the transaction
    # that ends the instance — and optionally a dotted path to owner_department(subject_id)).
    workflow_subjects: tuple[tuple[str, ...], ...] = ()
    # Records that take custom fields (lowcode.forms extensions): dotted path to a function
    # returning {target: its name}, e.g. {"workorders.trade.water": "Work orders: plumbing"}.
    extension_targets: str | None = None
    # Datasets of the report builder (lowcode.reports): dotted path to a function returning
    # a list of lowcode.reports.datasets.Dataset.
    report_datasets: str | None = None

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @property
    def togglable(self) -> bool:
        return not (self.always_on or self.internal)

    def import_attr(self, attr: str) -> Any:
        path = getattr(self, attr)
        if not path:
            return None
        # The first import of a module's GraphQL types fixes their descriptions (graphene reads
        # model labels once); the API and the committed schema.graphql speak English.
        with override("en"):
            return import_string(path)

    def url_namespaces(self) -> set[str]:
        """Every URL namespace this module's views answer under (portal and console)."""
        names = {self.key} if self.urls else set()
        for path in self.console_viewsets:
            names.add(import_string(path).url_namespace)
        return names


class ModuleAppConfig(AppConfig):
    """Base AppConfig for modules: set `module_spec = ModuleSpec(...)`.

    (Not `module`: AppConfig.module is the app's Python module.)
    """

    module_spec: ModuleSpec
    # Django picks the single AppConfig subclass found in an app's apps.py; this base
    # class is imported there too, so it opts out and its subclasses opt back in.
    default = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "default" not in cls.__dict__:
            cls.default = True

    def ready(self) -> None:
        super().ready()
        if not isinstance(getattr(self, "module_spec", None), ModuleSpec):
            raise TypeError(f"{self.name}: a ModuleAppConfig needs `module_spec = ModuleSpec(...)`")


# --- The registry ------------------------------------------------------------------------


def all_modules() -> list[ModuleSpec]:
    """Every declared module, in menu order."""
    return list(_modules_by_key().values())


def visible_modules() -> list[ModuleSpec]:
    return [spec for spec in all_modules() if not spec.internal]


def get_module(key: str) -> ModuleSpec:
    try:
        return _modules_by_key()[key]
    except KeyError:
        raise UnknownModule(key) from None


class UnknownModule(LookupError):
    def __init__(self, key: str):
        super().__init__(f"No module has the key {key!r}")
        self.key = key


@cache
def _modules_by_key() -> dict[str, ModuleSpec]:
    specs: dict[str, ModuleSpec] = {}
    for config in apps.get_app_configs():
        spec = getattr(config, "module_spec", None)
        if not isinstance(spec, ModuleSpec):
            continue
        if spec.key in specs:
            raise ValueError(f"Two modules declare the key {spec.key!r}")
        specs[spec.key] = spec
    for spec in specs.values():
        for dep in spec.dependencies:
            if dep not in specs:
                raise ValueError(f"Module {spec.key!r} depends on unknown module {dep!r}")
    _check_acyclic(specs)
    return dict(sorted(specs.items(), key=lambda item: (item[1].menu_order, item[0])))


def _check_acyclic(specs: dict[str, ModuleSpec]) -> None:
    state: dict[str, int] = {}

    def visit(key: str, path: tuple[str, ...]) -> None:
        if state.get(key) == 2:
            return
        if state.get(key) == 1:
            raise ValueError("Module dependency cycle: " + " -> ".join((*path, key)))
        state[key] = 1
        for dep in specs[key].dependencies:
            visit(dep, (*path, key))
        state[key] = 2

    for key in specs:
        visit(key, ())


def dependents_of(key: str) -> list[ModuleSpec]:
    return [spec for spec in all_modules() if key in spec.dependencies]


@cache
def module_for_url_namespace() -> dict[str, str]:
    mapping = {}
    for spec in all_modules():
        for namespace in spec.url_namespaces():
            mapping[namespace] = spec.key
    return mapping


@cache
def module_for_graphql_field() -> dict[tuple[str, str], str]:
    """(root type name, field name) -> module key, for the GraphQL guard."""
    mapping: dict[tuple[str, str], str] = {}
    for spec in all_modules():
        for root, attr in (("Query", "graphql_query"), ("Mutation", "graphql_mutation")):
            fragment = spec.import_attr(attr)
            if fragment is None:
                continue
            for field_name in fragment._meta.fields:
                mapping[(root, _camel(field_name))] = spec.key
    return mapping


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def notification_kinds() -> dict[str, NotificationKind]:
    return {kind.key: kind for spec in all_modules() for kind in spec.notification_kinds}


def periodic_jobs() -> list[tuple[ModuleSpec, PeriodicJob]]:
    return [(spec, job) for spec in all_modules() for job in spec.periodic_jobs]


# --- Enablement ------------------------------------------------------------------------------

_CACHE_SECONDS = 300


def _redis():
    from kernel.redis import get_redis

    return get_redis()


def _cache_key(schema_name: str) -> str:
    from django.conf import settings

    return f"{settings.REDIS_KEY_PREFIX}:modules:{schema_name}"


def enabled_keys(tenant: Tenant) -> frozenset[str]:
    """Keys of the modules serving `tenant`: always-on ones plus those switched on.

    Read from Redis when cached there (one GET), else from the public schema. Not
    memoised on the tenant object: a long-lived object (a worker's, a test's) would go
    stale when an operator switches a module.
    """
    key = _cache_key(tenant.schema_name)
    raw = _redis().get(key)
    if raw is not None:
        switched_on = set(json.loads(raw))
    else:
        from tenants.models import ModuleEnablement

        switched_on = set(
            ModuleEnablement.objects.filter(tenant_id=tenant.pk, enabled=True).values_list(
                "module_key", flat=True
            )
        )
        _redis().set(key, json.dumps(sorted(switched_on)), ex=_CACHE_SECONDS)
    known = _modules_by_key()
    result = frozenset(
        spec.key for spec in known.values() if spec.always_on or spec.internal or spec.key in switched_on
    )
    tenant._facilis_enabled_modules = result
    return result


def forget_enabled_keys(tenant: Tenant) -> None:
    """Drop cached enablement after a change (called by the enable/disable actions)."""
    _redis().delete(_cache_key(tenant.schema_name))


def current_tenant() -> Tenant | None:
    """The tenant whose schema the connection uses; None in the public schema."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or connection.schema_name == "public":
        return None
    if not hasattr(tenant, "pk"):  # a FakeTenant from schema_context(): load the real one
        from tenants.models import Tenant

        tenant = Tenant.objects.filter(schema_name=connection.schema_name).first()
    return tenant


def is_enabled(key: str, tenant: Tenant | None = None) -> bool:
    """Does module `key` serve `tenant` (default: the current tenant)?"""
    spec = get_module(key)
    if spec.always_on or spec.internal:
        return True
    tenant = tenant if tenant is not None else current_tenant()
    if tenant is None:
        return False
    return key in enabled_keys(tenant)


class ModuleDisabled(Exception):
    """Raised when work is asked of a module the tenant has not enabled."""

    code = "MODULE_DISABLED"

    def __init__(self, key: str):
        super().__init__(f"The module {key!r} is not enabled for this organisation")
        self.key = key


def require_module(key: str) -> Callable:
    """View decorator: a disabled module answers 404, as if it did not exist."""

    def decorator(view):
        from functools import wraps

        from django.http import Http404

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not is_enabled(key, getattr(request, "tenant", None)):
                raise Http404(f"module {key} is not enabled")
            return view(request, *args, **kwargs)

        wrapped.facilis_module = key
        return wrapped

    return decorator
