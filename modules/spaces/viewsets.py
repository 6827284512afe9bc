"""Console screens for the location tree (Wagtail admin), writing through the actions."""

from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.coreutils import multigetattr

from kernel.console import ActionModelViewSet, ScopedIndexView
from lowcode.forms.extensions import (
    CustomFieldFilterSet,
    CustomFieldsFormMixin,
    custom_cell,
    custom_export_columns,
)
from modules.spaces.actions import ConsoleActions, save_location
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


class RoomForm(CustomFieldsFormMixin, WagtailAdminModelForm):
    """The room screen, with the organisation's custom fields of rooms (lowcode.forms)."""

    custom_target = "spaces.room"


class RoomFilterSet(CustomFieldFilterSet):
    custom_target = "spaces.room"


class RoomIndexView(ScopedIndexView):
    base_filterset_class = RoomFilterSet

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        extra = custom_export_columns("spaces.room")
        self.list_export = [*self.list_export, *(name for name, _heading in extra)]
        self.export_headings = {**self.export_headings, **dict(extra)}
        self._custom_cache = {}

    def to_row_dict(self, item):
        values = {}
        for field in self.list_export:
            if field.startswith("custom."):
                values[field] = custom_cell("spaces.room", item, field, self._custom_cache)
            else:
                values[field] = multigetattr(item, field)
        return values


class RoomActions(ConsoleActions):
    @staticmethod
    def create(instance, *, user=None, form=None):
        return save_location(instance, user=user, custom=form.custom_answers() if form is not None else None)

    @staticmethod
    def update(instance, *, user=None, form=None):
        return save_location(instance, user=user, custom=form.custom_answers() if form is not None else None)


class RoomViewSet(ActionModelViewSet):
    model = Room
    url_prefix = "spaces/rooms"
    actions = RoomActions
    index_view_class = RoomIndexView
    list_export = ["code", "name", "floor", "kind", "department", "area_m2", "capacity", "is_active"]

    def get_form_class(self, for_update=False):
        return modelform_factory(Room, form=RoomForm, fields=self.form_fields)

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
