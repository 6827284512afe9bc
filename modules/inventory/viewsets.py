"""Console screens for the catalogue of items."""

from django.utils.translation import gettext_lazy as _

from kernel.console import ActionModelViewSet
from kernel.records import record_actions
from modules.inventory.models import Item


class ItemViewSet(ActionModelViewSet):
    model = Item
    url_prefix = "inventory/items"
    actions = record_actions("inventory")
    icon = "tag"
    menu_label = _("Items")
    list_display = ["code", "name", "specification", "unit", "unit_cost", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "name", "name_en", "specification"]
    form_fields = ["code", "name", "name_en", "category", "specification", "unit", "unit_cost", "is_active"]


item_viewset = ItemViewSet("inventory_item")
