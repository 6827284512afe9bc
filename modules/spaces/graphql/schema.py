"""The spaces fragment of the GraphQL schema: campuses, buildings, floors, rooms."""

import graphene
from graphene import relay
from graphene_django import DjangoConnectionField, DjangoObjectType

from identity.access import can, restrict
from modules.spaces import selectors
from modules.spaces.models import Building, Campus, Floor, Room

LOCATION_FIELDS = ("code", "name", "name_en", "is_active", "qr_token")


class CampusNode(DjangoObjectType):
    class Meta:
        model = Campus
        name = "Campus"
        interfaces = (relay.Node,)
        fields = (*LOCATION_FIELDS, "address", "buildings")


class BuildingNode(DjangoObjectType):
    class Meta:
        model = Building
        name = "Building"
        interfaces = (relay.Node,)
        fields = (
            *LOCATION_FIELDS,
            "campus",
            "address",
            "floors_above_ground",
            "floors_below_ground",
            "gross_area_m2",
            "floors",
        )


class FloorNode(DjangoObjectType):
    class Meta:
        model = Floor
        name = "Floor"
        interfaces = (relay.Node,)
        fields = (*LOCATION_FIELDS, "building", "level", "rooms")


class RoomNode(DjangoObjectType):
    department_name = graphene.String()

    class Meta:
        model = Room
        name = "Room"
        interfaces = (relay.Node,)
        fields = (*LOCATION_FIELDS, "floor", "kind", "area_m2", "capacity")

    @staticmethod
    def resolve_department_name(room, info):
        return room.department.display_name if room.department else None


class LocationUnion(graphene.Union):
    class Meta:
        name = "Location"
        types = (CampusNode, BuildingNode, FloorNode, RoomNode)


class SpacesQuery(graphene.ObjectType):
    campuses = DjangoConnectionField(CampusNode, description="Campuses of the organisation.")
    buildings = DjangoConnectionField(BuildingNode)
    rooms = DjangoConnectionField(RoomNode)
    location_by_qr = graphene.Field(
        LocationUnion, token=graphene.String(required=True), description="What a QR code points to."
    )

    # Joins are chosen here, not in the types' get_queryset: graphene-django re-queries a
    # foreign key whose type overrides get_queryset, one query per row.
    @staticmethod
    def resolve_campuses(root, info, **kwargs):
        return restrict(Campus.objects.order_by("code"), info.context.user)

    @staticmethod
    def resolve_buildings(root, info, **kwargs):
        return restrict(
            Building.objects.select_related("campus").order_by("campus__code", "code"), info.context.user
        )

    @staticmethod
    def resolve_rooms(root, info, **kwargs):
        rooms = Room.objects.select_related("floor__building__campus", "department").order_by("pk")
        return restrict(rooms, info.context.user)

    @staticmethod
    def resolve_location_by_qr(root, info, token):
        location = selectors.location_by_token(token)
        if location is None or not can(info.context.user, "view", location):
            return None
        return location
