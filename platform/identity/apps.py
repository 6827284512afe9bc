from django.utils.translation import gettext_lazy as _

from kernel.modules import DashboardPanel, MenuItem, ModuleAppConfig, ModuleSpec


class IdentityConfig(ModuleAppConfig):
    """Users (operators in the public schema, people in each tenant), organisation, roles."""

    name = "identity"
    verbose_name = _("Identity and organisation")
    module_spec = ModuleSpec(
        key="identity",
        name_zh="组织与权限",
        name_en="People and permissions",
        internal=True,
        permissions=(
            ("console.access", "Use the tenant console"),
            ("identity.view_users", "See users and the organisation"),
            ("identity.manage_users", "Add, change and deactivate users; unlock sign-ins"),
            ("identity.manage_org", "Manage departments, positions and workgroups"),
            ("identity.manage_roles", "Manage roles and who holds them"),
            ("identity.view_personal_data", "See phone and ID numbers unmasked"),
            ("identity.manage_api_keys", "Create and revoke partner API keys"),
            ("identity.import", "Import users and departments"),
        ),
        menu_icon="group",
        menu_order=900,
        menu_items=(
            MenuItem(
                "users",
                _("Users"),
                "identity_user:index",
                icon="user",
                order=1,
                permission="identity.view_users",
            ),
            MenuItem(
                "departments",
                _("Departments"),
                "identity_department:index",
                icon="folder-inverse",
                order=2,
                permission="identity.view_users",
            ),
            MenuItem(
                "positions",
                _("Positions"),
                "identity_position:index",
                icon="tag",
                order=3,
                permission="identity.view_users",
            ),
            MenuItem(
                "workgroups",
                _("Workgroups"),
                "identity_workgroup:index",
                icon="group",
                order=4,
                permission="identity.view_users",
            ),
            MenuItem(
                "roles",
                _("Roles"),
                "identity_role:index",
                icon="lock",
                order=5,
                permission="identity.manage_roles",
            ),
            MenuItem(
                "api-keys",
                _("API keys"),
                "identity_apikey:index",
                icon="key",
                order=6,
                permission="identity.manage_api_keys",
            ),
            MenuItem(
                "import", _("Import"), "identity_import", icon="upload", order=7, permission="identity.import"
            ),
            MenuItem(
                "lockouts",
                _("Sign-in lockouts"),
                "identity_lockouts",
                icon="warning",
                order=8,
                permission="identity.manage_users",
            ),
        ),
        console_viewsets=(
            "identity.viewsets.user_viewset",
            "identity.viewsets.department_viewset",
            "identity.viewsets.position_viewset",
            "identity.viewsets.workgroup_viewset",
            "identity.viewsets.role_viewset",
            "identity.viewsets.apikey_viewset",
        ),
        dashboard_panels=(
            DashboardPanel("identity.panels.PeoplePanel", permission="identity.view_users", order=40),
        ),
        graphql_query="identity.graphql.IdentityQuery",
        urls="identity.urls",
        url_prefix="accounts",
        default_data="identity.defaults.install",
        demo_data="identity.demo.seed",
    )

    def ready(self) -> None:
        super().ready()
        from django.db.models.signals import post_delete, post_save

        from identity import auth  # noqa: F401 - sign-in events into the audit trail
        from identity.actions import forget_api_keys
        from identity.models import ApiKey, Role

        for model in (ApiKey, Role):  # a key acts with its role: either changing drops the cache
            post_save.connect(forget_api_keys, sender=model, dispatch_uid=f"apikeys-{model.__name__}-save")
            post_delete.connect(
                forget_api_keys, sender=model, dispatch_uid=f"apikeys-{model.__name__}-delete"
            )
