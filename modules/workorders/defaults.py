"""What every organisation starts with: the usual trades and SLA targets, and settings
(idempotent; the organisation changes them in the console)."""

from modules.workorders.models import Settings, SlaRule, Trade

TRADES = (
    ("water", "水暖", "Plumbing"),
    ("electric", "电工", "Electrical"),
    ("low-voltage", "弱电", "Low-voltage and network"),
    ("carpentry", "木工", "Carpentry"),
    ("hvac", "暖通空调", "HVAC"),
    ("pressure", "压力容器", "Pressure vessels"),
    ("lift", "电梯", "Lifts"),
    ("masonry", "泥瓦", "Masonry"),
    ("other", "其他", "Other"),
)

# priority: (respond within, resolve within) in minutes, counted in plain time.
SLA = {"urgent": (30, 240), "high": (60, 480), "normal": (120, 1440), "low": (240, 4320)}


def install(tenant=None) -> None:
    for order, (code, name, name_en) in enumerate(TRADES):
        Trade.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    for priority, (response, resolution) in SLA.items():
        SlaRule.objects.get_or_create(
            trade=None,
            priority=priority,
            defaults={"response_minutes": response, "resolution_minutes": resolution},
        )
    if not Settings.objects.exists():
        Settings.objects.create()
