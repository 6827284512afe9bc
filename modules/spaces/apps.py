from django.utils.translation import gettext_lazy as _

from kernel.modules import DashboardPanel, MenuItem, ModuleAppConfig, ModuleSpec


class SpacesConfig(ModuleAppConfig):
    name = "modules.spaces"
    label = "spaces"
    verbose_name = _("Buildings and spaces")
    module_spec = ModuleSpec(
        key="spaces",
        name_zh="楼宇空间",
        name_en="Buildings and spaces",
        description="Campus → building → floor → room, with departments, areas and QR codes.",
        always_on=True,
        permissions=(("spaces.print_labels", "Print QR labels"),),
        menu_icon="home",
        menu_order=100,
        menu_items=(
            MenuItem("campuses", _("Campuses"), "spaces_campus:index", icon="site", order=1),
            MenuItem("buildings", _("Buildings"), "spaces_building:index", icon="home", order=2),
            MenuItem("floors", _("Floors"), "spaces_floor:index", icon="list-ul", order=3),
            MenuItem("rooms", _("Rooms and areas"), "spaces_room:index", icon="placeholder", order=4),
        ),
        console_viewsets=(
            "modules.spaces.viewsets.campus_viewset",
            "modules.spaces.viewsets.building_viewset",
            "modules.spaces.viewsets.floor_viewset",
            "modules.spaces.viewsets.room_viewset",
        ),
        urls="modules.spaces.urls",
        graphql_query="modules.spaces.graphql.schema.SpacesQuery",
        graphql_mutation="modules.spaces.graphql.schema.SpacesMutation",
        demo_data="modules.spaces.demo.seed",
        portal_entries=((_("Buildings and rooms"), "spaces:index", "building"),),
        dashboard_panels=(
            DashboardPanel("modules.spaces.panels.SpacesPanel", permission="spaces.view", order=20),
        ),
        role_grants=dict.fromkeys(
            ("dispatcher", "worker", "approver", "end_user", "hq_viewer"), ("spaces.view",)
        ),
    )
