"""Reads of the location tree with their joins done once."""

import re

from django.db.models import Count, Prefetch, QuerySet, Sum

from identity.access import restrict
from modules.spaces.models import Building, Campus, Floor, Room


def campuses_with_buildings(principal) -> QuerySet[Campus]:
    """The campuses and buildings the principal may see, with room counts."""
    buildings = restrict(Building.objects.filter(is_active=True), principal).annotate(
        room_count=Count("floors__rooms", distinct=True)
    )
    return restrict(Campus.objects.filter(is_active=True), principal).prefetch_related(
        Prefetch("buildings", queryset=buildings)
    )


def visible_buildings(principal) -> QuerySet[Building]:
    return restrict(Building.objects.select_related("campus"), principal)


def building_floor_list(building: Building, principal) -> QuerySet[Floor]:
    """Floors from the top down, each with the rooms the principal may see."""
    rooms = (
        restrict(Room.objects.filter(is_active=True), principal).select_related("department").order_by("code")
    )
    return (
        restrict(building.floors.filter(is_active=True), principal)
        .annotate(area_total=Sum("rooms__area_m2"))
        .prefetch_related(Prefetch("rooms", queryset=rooms))
        .order_by("-level")
    )


QR_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,16}")


def location_by_token(token: str):
    """The campus, building, floor or room a QR code points to, or None."""
    if not isinstance(token, str) or not QR_TOKEN.fullmatch(token):
        return None  # not a code we give out (URL-safe base64, 12 characters; older ones up to 16)
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
