"""Reads of the location tree with their joins done once."""

from django.db.models import Count, Prefetch, QuerySet, Sum

from modules.spaces.models import Building, Campus, Floor, Room


def campuses_with_buildings() -> QuerySet[Campus]:
    buildings = Building.objects.filter(is_active=True).annotate(
        room_count=Count("floors__rooms", distinct=True)
    )
    return Campus.objects.filter(is_active=True).prefetch_related(Prefetch("buildings", queryset=buildings))


def building_floor_list(building: Building) -> QuerySet[Floor]:
    """Floors from the top down, each with its rooms and their departments."""
    rooms = Room.objects.filter(is_active=True).select_related("department").order_by("code")
    return (
        building.floors.filter(is_active=True)
        .annotate(area_total=Sum("rooms__area_m2"))
        .prefetch_related(Prefetch("rooms", queryset=rooms))
        .order_by("-level")
    )


def location_by_token(token: str):
    """The campus, building, floor or room a QR code points to, or None."""
    for model, related in (
        (Room, ("floor__building__campus", "department")),
        (Floor, ("building__campus",)),
        (Building, ("campus",)),
        (Campus, ()),
    ):
        found = model.objects.select_related(*related).filter(qr_token=token).first()
        if found is not None:
            return found
    return None
