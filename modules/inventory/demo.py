"""Demo materials of a hospital's repair workshop (idempotent)."""

from decimal import Decimal

from modules.inventory.models import Item

ITEMS = (
    ("WTR-001", "水龙头", "Tap", "水暖", "DN15 铜芯", "个", "45.00"),
    ("WTR-002", "角阀", "Angle valve", "水暖", "DN15", "个", "18.00"),
    ("WTR-003", "PPR 管", "PPR pipe", "水暖", "DN20", "米", "6.50"),
    ("ELE-001", "LED 灯管", "LED tube", "电工", "T8 1.2m 18W", "支", "22.00"),
    ("ELE-002", "空气开关", "Circuit breaker", "电工", "C16 1P", "个", "35.00"),
    ("ELE-003", "五孔插座", "Socket", "电工", "86 型", "个", "12.00"),
    ("LV-001", "网线水晶头", "RJ45 plug", "弱电", "超五类", "盒", "30.00"),
    ("CAR-001", "门锁", "Door lock", "木工", "执手锁", "套", "120.00"),
    ("CAR-002", "合页", "Hinge", "木工", "4 寸不锈钢", "片", "8.00"),
    ("HVAC-001", "空调滤网", "AC filter", "暖通", "通用型", "片", "25.00"),
    ("HVAC-002", "冷媒 R410A", "Refrigerant R410A", "暖通", "10kg", "瓶", "380.00"),
)


def seed(tenant=None) -> None:
    for code, name, name_en, category, spec, unit, cost in ITEMS:
        Item.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "category": category,
                "specification": spec,
                "unit": unit,
                "unit_cost": Decimal(cost),
            },
        )
