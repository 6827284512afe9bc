from django.utils.translation import gettext_lazy as _

from kernel.modules import MenuItem, ModuleAppConfig, ModuleSpec


class InventoryConfig(ModuleAppConfig):
    name = "modules.inventory"
    label = "inventory"
    verbose_name = _("Materials")
    module_spec = ModuleSpec(
        key="inventory",
        name_zh="物资耗材",
        name_en="Materials",
        description="The catalogue of materials used by work orders (the stock ledger comes later).",
        menu_icon="tag",
        menu_order=400,
        menu_items=(MenuItem("items", _("Items"), "inventory_item:index", icon="tag", order=1),),
        console_viewsets=("modules.inventory.viewsets.item_viewset",),
        demo_data="modules.inventory.demo.seed",
        role_grants={"dispatcher": ("inventory.view",), "worker": ("inventory.view",)},
    )
