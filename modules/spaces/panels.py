from django.db.models import Count, Sum

from identity.access import restrict
from kernel.panels import ModulePanel, bars
from modules.spaces.models import Building, Campus, Room, RoomKind


class SpacesPanel(ModulePanel):
    name = "spaces"
    template_name = "spaces/panels/summary.html"

    def data(self, request):
        rooms = restrict(Room.objects.filter(is_active=True), request.user)
        by_kind = dict(rooms.values_list("kind").annotate(n=Count("id")))
        return {
            "campuses": restrict(Campus.objects.filter(is_active=True), request.user).count(),
            "buildings": restrict(Building.objects.filter(is_active=True), request.user).count(),
            "rooms": sum(by_kind.values()),
            "area": rooms.aggregate(total=Sum("area_m2"))["total"] or 0,
            "by_kind": bars(
                sorted(
                    ({"label": RoomKind(k).label, "value": n} for k, n in by_kind.items()),
                    key=lambda r: -r["value"],
                )[:6]
            ),
        }
