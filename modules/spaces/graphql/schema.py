"""The spaces fragment of the API: campuses → buildings → floors → rooms, and room mutations."""

import graphene
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from graphene import relay
from graphene.types.generic import GenericScalar

from kernel.graphql.connections import ConnectionField, SortKey, sort_enum
from kernel.graphql.errors import error_type, errors_from
from kernel.graphql.scoped import ScopedObjectType, mutation_target, pk_for, principal
from modules.spaces import actions
from modules.spaces.models import Building, Campus, Floor, Room, RoomKind

LOCATION_FIELDS = ("code", "name", "name_en", "is_active", "qr_token")

RoomKindEnum = graphene.Enum.from_enum(RoomKind, description="What a room or area is used for.")


class CampusNode(ScopedObjectType):
    class Meta:
        model = Campus
        name = "Campus"
        interfaces = (relay.Node,)
        fields = (*LOCATION_FIELDS, "address")


class BuildingNode(ScopedObjectType):
    campus = graphene.Field(CampusNode, required=True)

    class Meta:
        model = Building
        name = "Building"
        interfaces = (relay.Node,)
        fields = (*LOCATION_FIELDS, "address", "floors_above_ground", "floors_below_ground", "gross_area_m2")

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.select_related("campus")


class FloorNode(ScopedObjectType):
    building = graphene.Field(BuildingNode, required=True)

    class Meta:
        model = Floor
        name = "Floor"
        interfaces = (relay.Node,)
        fields = (*LOCATION_FIELDS, "level")

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.select_related("building__campus")


class RoomNode(ScopedObjectType):
    floor = graphene.Field(FloorNode, required=True)
    kind = graphene.Field(RoomKindEnum, required=True)
    department_name = graphene.String()
    custom = GenericScalar(
        required=True,
        description="The organisation's custom fields of rooms, by key "
        '(their definitions: customFieldDefinitions(record: "spaces.room")).',
    )

    class Meta:
        model = Room
        name = "Room"
        interfaces = (relay.Node,)
        fields = (*LOCATION_FIELDS, "area_m2", "capacity")

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.select_related("floor__building__campus", "department")

    @staticmethod
    def resolve_kind(room, info):
        return room.kind

    @staticmethod
    def resolve_department_name(room, info):
        return room.department.display_name if room.department else None


class LocationUnion(graphene.Union):
    class Meta:
        name = "Location"
        types = (CampusNode, BuildingNode, FloorNode, RoomNode)


class LocationFilter(graphene.InputObjectType):
    search = graphene.String(description="Part of the code or name.")
    is_active = graphene.Boolean()

    @staticmethod
    def base(queryset, value):
        if value.get("search"):
            term = value["search"]
            queryset = queryset.filter(
                Q(code__icontains=term) | Q(name__icontains=term) | Q(name_en__icontains=term)
            )
        if value.get("is_active") is not None:
            queryset = queryset.filter(is_active=value["is_active"])
        return queryset

    @classmethod
    def apply(cls, queryset, value, info):
        return cls.base(queryset, value)


class BuildingFilter(LocationFilter):
    campus = graphene.ID()

    @classmethod
    def apply(cls, queryset, value, info):
        queryset = cls.base(queryset, value)
        if value.get("campus"):
            queryset = queryset.filter(campus_id=pk_for(value["campus"], CampusNode))
        return queryset


class RoomFilter(LocationFilter):
    building = graphene.ID()
    floor = graphene.ID()
    kind = RoomKindEnum()

    @classmethod
    def apply(cls, queryset, value, info):
        queryset = cls.base(queryset, value)
        if value.get("building"):
            queryset = queryset.filter(floor__building_id=pk_for(value["building"], BuildingNode))
        if value.get("floor"):
            queryset = queryset.filter(floor_id=pk_for(value["floor"], FloorNode))
        if value.get("kind"):
            queryset = queryset.filter(kind=getattr(value["kind"], "value", value["kind"]))
        return queryset


LocationSort = sort_enum(
    "LocationSort",
    {"CODE_ASC": SortKey("code"), "NAME_ASC": SortKey("name"), "UPDATED_DESC": SortKey("updated_at", True)},
)


def _campuses(root, info):
    return CampusNode.rows(info)


def _buildings(root, info):
    return BuildingNode.rows(info)


def _floors(root, info):
    return FloorNode.rows(info)


def _rooms(root, info):
    return RoomNode.rows(info)


class SpacesQuery(graphene.ObjectType):
    campuses = ConnectionField(
        CampusNode, resolver=_campuses, filter=LocationFilter, sort=LocationSort, default_sort="CODE_ASC"
    )
    buildings = ConnectionField(
        BuildingNode, resolver=_buildings, filter=BuildingFilter, sort=LocationSort, default_sort="CODE_ASC"
    )
    floors = ConnectionField(
        FloorNode, resolver=_floors, filter=LocationFilter, sort=LocationSort, default_sort="CODE_ASC"
    )
    rooms = ConnectionField(
        RoomNode, resolver=_rooms, filter=RoomFilter, sort=LocationSort, default_sort="CODE_ASC"
    )
    location_by_qr = graphene.Field(
        LocationUnion, token=graphene.String(required=True), description="What a QR code points to."
    )

    @staticmethod
    def resolve_location_by_qr(root, info, token):
        from modules.spaces.selectors import QR_TOKEN

        if not QR_TOKEN.fullmatch(token):
            return None  # not a code we give out
        # Most labels are on rooms: look there first. Tokens are random, so one table has it.
        for node_type in (RoomNode, FloorNode, BuildingNode, CampusNode):
            found = node_type.rows(info).filter(qr_token=token).first()
            if found is not None:
                return found
        return None


# --- Mutations ---------------------------------------------------------------------------------

SpacesErrorCode = graphene.Enum(
    "SpacesErrorCode",
    [
        (code, code)
        for code in (
            "INVALID",
            "REQUIRED",
            "DUPLICATE_CODE",
            "NOT_FOUND",
            "PERMISSION_DENIED",
            "IN_USE",
            "MIN_VALUE",
            "MAX_LENGTH",
        )
    ],
    description="Why a spaces mutation did not happen.",
)
SpacesError = error_type("Spaces", SpacesErrorCode)
_CODES = {
    "duplicate_code": "DUPLICATE_CODE",
    "required": "REQUIRED",
    "null": "REQUIRED",
    "blank": "REQUIRED",
    "min_value": "MIN_VALUE",
    "max_length": "MAX_LENGTH",
    "location_in_use": "IN_USE",
}


def _errors(exc):
    return errors_from(exc, SpacesError, SpacesErrorCode, _CODES)


class RoomInput(graphene.InputObjectType):
    code = graphene.String()
    name = graphene.String()
    name_en = graphene.String()
    kind = RoomKindEnum()
    area_m2 = graphene.Decimal()
    capacity = graphene.Int()
    is_active = graphene.Boolean()
    notes = graphene.String()
    custom = GenericScalar(description="Custom field answers by key; replaces the stored ones when given.")


class CreateRoomInput(RoomInput):
    floor = graphene.ID(required=True)
    code = graphene.String(required=True)
    name = graphene.String(required=True)


class RoomPayload(graphene.ObjectType):
    result = graphene.Field(RoomNode)
    errors = graphene.List(graphene.NonNull(SpacesError), required=True)


def _apply(room, data):
    for field in ("code", "name", "name_en", "area_m2", "capacity", "is_active", "notes"):
        if data.get(field) is not None:
            setattr(room, field, data[field])
    if data.get("kind") is not None:
        room.kind = getattr(data["kind"], "value", data["kind"])


class CreateRoom(graphene.Mutation):
    class Arguments:
        input = CreateRoomInput(required=True)

    Output = RoomPayload

    @staticmethod
    def mutate(root, info, input):
        floor, refused = _target(info, input.floor, FloorNode, "add", field="floor")
        if floor is None:
            return RoomPayload(result=None, errors=refused)
        room = Room(floor=floor)
        _apply(room, input)
        try:
            return RoomPayload(
                result=actions.save_location(room, user=principal(info), custom=input.get("custom")),
                errors=[],
            )
        except (ValidationError, PermissionDenied) as exc:
            return RoomPayload(result=None, errors=_errors(exc))


class UpdateRoom(graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True)
        input = RoomInput(required=True)

    Output = RoomPayload

    @staticmethod
    def mutate(root, info, id, input):
        room, refused = _target(info, id, RoomNode, "change")
        if room is None:
            return RoomPayload(result=None, errors=refused)
        _apply(room, input)
        try:
            return RoomPayload(
                result=actions.save_location(room, user=principal(info), custom=input.get("custom")),
                errors=[],
            )
        except (ValidationError, PermissionDenied) as exc:
            return RoomPayload(result=None, errors=_errors(exc))


class DeletePayload(graphene.ObjectType):
    deleted_id = graphene.ID()
    errors = graphene.List(graphene.NonNull(SpacesError), required=True)


class DeleteRoom(graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True)

    Output = DeletePayload

    @staticmethod
    def mutate(root, info, id):
        room, refused = _target(info, id, RoomNode, "delete")
        if room is None:
            return DeletePayload(deleted_id=None, errors=refused)
        try:
            actions.delete_location(room, user=principal(info))
        except (ValidationError, PermissionDenied) as exc:
            return DeletePayload(deleted_id=None, errors=_errors(exc))
        return DeletePayload(deleted_id=id, errors=[])


def _target(info, global_id, node_type, action, field="id"):
    return mutation_target(info, global_id, node_type, action, SpacesError, SpacesErrorCode, field)


class SpacesMutation(graphene.ObjectType):
    create_room = CreateRoom.Field(description="Add a room or area to a floor (spaces.add).")
    update_room = UpdateRoom.Field(description="Change a room (spaces.change, within the caller's scope).")
    delete_room = DeleteRoom.Field(description="Delete a room nothing refers to (spaces.delete).")
