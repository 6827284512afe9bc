"""Console screens for the location tree (Wagtail admin), writing through the actions."""

from django.utils.translation import gettext_lazy as _

from kernel.console import ActionModelViewSet
from modules.spaces.actions import ConsoleActions
from modules.spaces.models import Building, Campus, Floor, Room


class CampusViewSet(ActionModelViewSet):
    model = Campus
    url_prefix = "spaces/campuses"
    actions = ConsoleActions
    icon = "site"
    menu_label = _("Campuses")
    list_display = ["code", "name", "name_en", "address", "is_active"]
    search_fields = ["code", "name", "name_en", "address"]
    form_fields = ["code", "name", "name_en", "address", "is_active", "notes"]


class BuildingViewSet(ActionModelViewSet):
    model = Building
    url_prefix = "spaces/buildings"
    actions = ConsoleActions
    icon = "home"
    list_display = ["code", "name", "campus", "floors_above_ground", "is_active"]
    list_filter = ["campus", "is_active"]
    search_fields = ["code", "name", "name_en", "address"]
    form_fields = [
        "campus",
        "code",
        "name",
        "name_en",
        "address",
        "floors_above_ground",
        "floors_below_ground",
        "gross_area_m2",
        "is_active",
        "notes",
    ]


class FloorViewSet(ActionModelViewSet):
    model = Floor
    url_prefix = "spaces/floors"
    actions = ConsoleActions
    icon = "list-ul"
    list_display = ["building", "level", "code", "name", "is_active"]
    list_filter = ["building__campus", "building", "is_active"]
    search_fields = ["code", "name", "name_en"]
    form_fields = ["building", "level", "code", "name", "name_en", "is_active", "notes"]


class RoomViewSet(ActionModelViewSet):
    model = Room
    url_prefix = "spaces/rooms"
    actions = ConsoleActions
    icon = "placeholder"
    list_display = ["code", "name", "floor", "kind", "department", "area_m2", "is_active"]
    list_filter = ["floor__building", "kind", "department", "is_active"]
    search_fields = ["code", "name", "name_en"]
    form_fields = [
        "floor",
        "code",
        "name",
        "name_en",
        "kind",
        "department",
        "area_m2",
        "capacity",
        "is_active",
        "notes",
    ]


campus_viewset = CampusViewSet("spaces_campus")
building_viewset = BuildingViewSet("spaces_building")
floor_viewset = FloorViewSet("spaces_floor")
room_viewset = RoomViewSet("spaces_room")
