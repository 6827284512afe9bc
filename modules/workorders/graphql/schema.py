"""The work-orders fragment of the API: orders (a filtered, sorted list and the detail with its
timeline, photos and materials), the trades with their custom fields, the teams, and one
mutation per action of `modules.workorders.actions`.

Who sees an order here is who sees it on the portal (`modules.workorders.views.visible_to`):
its reporter, the worker it is given to (or any member of the team whose queue it waits in),
and whoever's role holds `workorders.view` with a data scope that reaches it. Any other id —
another tenant's, one out of scope, a malformed one — finds nothing: `null` for reads,
`NOT_FOUND` for mutations.

Mutations answer `{result, errors}` with `WorkOrdersErrorCode`; whether the caller may do
the action (desk, worker, reporter) is decided by the action itself (`PERMISSION_DENIED`), and
a transition from the wrong state is `WRONG_STATE` (two desk officers dispatching the same
order at once: one wins, the other is told so). Photos are uploaded on the portal and the
worker's page (multipart), not through GraphQL; here they are read, with signed links.
"""

from __future__ import annotations

import json

import graphene
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from graphene import relay
from graphene.types.generic import GenericScalar
from graphene_django import DjangoObjectType
from graphql import FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode
from graphql_relay import to_global_id

from kernel import modules
from kernel.graphql.connections import ConnectionField, SortKey, api_error, sort_enum
from kernel.graphql.errors import ApiErrorCode, error_type, errors_from
from kernel.graphql.scoped import ScopedObjectType, decode_id, principal
from modules.workorders import actions
from modules.workorders.models import (
    Event,
    MaterialLine,
    Photo,
    Priority,
    Revisit,
    Team,
    Trade,
    WorkOrder,
)

MODULE = "workorders"
Status = WorkOrder.Status


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def _module_on(info) -> None:
    """Node lookups (`node(id:)`) of a switched-off module answer MODULE_DISABLED, like its root fields."""
    if not modules.is_enabled(MODULE, getattr(info.context, "tenant", None)):
        raise api_error(f"The module '{MODULE}' is not enabled.", ApiErrorCode.MODULE_DISABLED, module=MODULE)


def _int_pk(value):
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**63 else None


def _scrub(value):
    """Input without NUL characters, which PostgreSQL text and JSON cannot hold (in place for
    input objects, whose attributes mirror their keys)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        for key, item in list(value.items()):
            cleaned = _scrub(item)
            if isinstance(key, str) and "\x00" in key:
                del value[key]
                key = key.replace("\x00", "")
            value[key] = cleaned
            if hasattr(value, key) and not key.startswith("_"):
                setattr(value, key, cleaned)
    return value


def _selected(info) -> set[str]:
    """Names of every field selected below the current one (fragments included)."""
    names: set[str] = set()

    def walk(selection_set):
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
                walk(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = info.fragments.get(selection.name.value)
                walk(fragment.selection_set if fragment else None)

    for node in info.field_nodes:
        walk(node.selection_set)
    return names


def visible_orders(who):
    """The orders `who` may see: through their role's scope (restrict), plus those they reported
    and those given to them or waiting in one of their teams' queues (as views.visible_to)."""
    from identity.access import restrict

    base = WorkOrder.objects.all()
    scoped = restrict(base, who, "view")
    pk = getattr(who, "pk", None)
    if pk is None or (not scoped.query.is_empty() and not scoped.query.where):
        return scoped  # a key owns nothing and is in no team; or the role sees every order
    teams = Team.members.through.objects.filter(user_id=pk).values("team_id")
    mine = base.filter(Q(reporter_id=pk) | Q(assignee_id=pk) | Q(assignee__isnull=True, team_id__in=teams))
    return mine if scoped.query.is_empty() else scoped | mine


# --- Enums ------------------------------------------------------------------------------------------

WorkOrderStatus = graphene.Enum.from_enum(
    Status, name="WorkOrderStatus", description="Where an order stands."
)
WorkOrderChannel = graphene.Enum.from_enum(
    WorkOrder.Channel, name="WorkOrderChannel", description="How the order came in."
)
WorkOrderPriority = graphene.Enum.from_enum(Priority, name="WorkOrderPriority")
WorkOrderPhotoStage = graphene.Enum.from_enum(Photo.Stage, name="WorkOrderPhotoStage")
WorkOrderRevisitOutcome = graphene.Enum.from_enum(
    Revisit.Outcome, name="WorkOrderRevisitOutcome", description="How the desk's call-back went."
)
WorkOrderIntakeChannel = graphene.Enum(
    "WorkOrderIntakeChannel",
    [("API", "api"), ("PHONE", "phone"), ("WALK_IN", "walk_in")],
    description="API: reported by the caller (a person, or a partner's system with its key). "
    "PHONE / WALK_IN: the desk logging a call or a visit (workorders.dispatch; contactName required).",
)


def _value(choice):
    return getattr(choice, "value", choice)


# --- Types --------------------------------------------------------------------------------------------


class WorkOrderPerson(graphene.ObjectType):
    id = graphene.ID(required=True, description="The person's global id (User).")
    name = graphene.String(required=True)


def _person(user):
    if user is None:
        return None
    return WorkOrderPerson(id=to_global_id("User", user.pk), name=user.full_name or user.username)


def _extensions(info) -> dict:
    """The published extension forms of trades, loaded once per request: target → definition."""
    cache = info.context.__dict__.setdefault("_facilis_trade_extensions", None)
    if cache is None:
        from lowcode.forms.models import FormDefinition

        cache = {
            form.target: form.current_version.definition
            for form in FormDefinition.objects.filter(
                kind=FormDefinition.Kind.EXTENSION,
                target__startswith="workorders.trade.",
                current_version__isnull=False,
            ).select_related("current_version")
        }
        info.context._facilis_trade_extensions = cache
    return cache


class WorkOrderTradeNode(ScopedObjectType):
    """A kind of fault (工种) in use; every signed-in caller may read the list (to report)."""

    display_name = graphene.String(required=True, description="The name in the caller's language.")
    requires_approval = graphene.Boolean(
        required=True, description="New orders of this trade go through a pre-approval workflow first."
    )
    custom_fields = GenericScalar(
        required=True,
        description="The trade's custom fields as a JSON Schema (empty: none); submitWorkOrder's "
        'customFields are checked against it. Same as customFieldDefinitions(record: "workorders.trade.<code>").',
    )

    class Meta:
        model = Trade
        name = "WorkOrderTrade"
        interfaces = (relay.Node,)
        fields = ("code", "name", "name_en")

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(is_active=True)

    @classmethod
    def rows(cls, info, action: str = "view"):
        return cls.get_queryset(Trade.objects.all(), info)

    @classmethod
    def get_node(cls, info, id, action: str = "view"):
        _module_on(info)
        pk = _int_pk(id)
        return cls.rows(info).filter(pk=pk).first() if pk else None

    @staticmethod
    def resolve_display_name(trade, info):
        return trade.display_name

    @staticmethod
    def resolve_requires_approval(trade, info):
        return trade.approval_workflow_id is not None

    @staticmethod
    def resolve_custom_fields(trade, info):
        from lowcode.forms.definition import to_json_schema

        definition = _extensions(info).get(f"workorders.trade.{trade.code}")
        return to_json_schema(definition, _lang()) if definition else {}


class WorkOrderTeamNode(ScopedObjectType):
    """A team (班组) with its supervisor and members (workorders.view)."""

    display_name = graphene.String(required=True)
    supervisor = graphene.Field(WorkOrderPerson)
    members = graphene.List(graphene.NonNull(WorkOrderPerson), required=True, description="Active members.")
    trades = graphene.List(graphene.NonNull(graphene.String), required=True, description="Trade codes.")

    class Meta:
        model = Team
        name = "WorkOrderTeam"
        interfaces = (relay.Node,)
        fields = ("code", "name", "name_en", "is_active")

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.select_related("supervisor")

    @staticmethod
    def prime_page(teams, info):
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(teams, "members", "trades")

    @staticmethod
    def resolve_display_name(team, info):
        return team.display_name

    @staticmethod
    def resolve_supervisor(team, info):
        return _person(team.supervisor)

    @staticmethod
    def resolve_members(team, info):
        return [_person(user) for user in team.members.all() if user.is_active]

    @staticmethod
    def resolve_trades(team, info):
        return [trade.code for trade in team.trades.all()]


class WorkOrderPhoto(graphene.ObjectType):
    stage = graphene.Field(WorkOrderPhotoStage, required=True)
    name = graphene.String(required=True)
    size = graphene.Int(required=True, description="Bytes.")
    content_type = graphene.String(required=True)
    url = graphene.String(
        required=True,
        description="A signed link that expires (FILE_URL_MAX_AGE). Photos are uploaded on the portal "
        "and the worker's page, not through the API.",
    )
    uploaded_at = graphene.DateTime(required=True)
    uploaded_by = graphene.Field(WorkOrderPerson)

    @staticmethod
    def resolve_stage(photo, info):
        return photo.stage

    @staticmethod
    def resolve_url(photo, info):
        from django.core.files.storage import default_storage

        url = default_storage.url(photo.key)
        return info.context.build_absolute_uri(url) if url.startswith("/") else url

    @staticmethod
    def resolve_uploaded_by(photo, info):
        return _person(photo.uploaded_by)


class WorkOrderMaterialNode(DjangoObjectType):
    """A material used on an order (from the inventory catalogue, at its unit cost then)."""

    item_code = graphene.String(required=True)
    item_name = graphene.String(required=True)
    unit = graphene.String(required=True)
    amount = graphene.Decimal(required=True, description="quantity × unit cost (¥).")
    added_by = graphene.Field(WorkOrderPerson)

    class Meta:
        model = MaterialLine
        name = "WorkOrderMaterial"
        interfaces = (relay.Node,)
        fields = ("quantity", "unit_cost", "added_at")

    @classmethod
    def get_node(cls, info, id):
        """A line of an order the caller can see."""
        _module_on(info)
        pk = _int_pk(id)
        if pk is None:
            return None
        orders = visible_orders(principal(info))
        return (
            MaterialLine.objects.filter(pk=pk, order__in=orders.values("pk"))
            .select_related("item", "added_by", "order")
            .first()
        )

    @staticmethod
    def resolve_item_code(line, info):
        return line.item.code

    @staticmethod
    def resolve_item_name(line, info):
        return line.item.display_name

    @staticmethod
    def resolve_unit(line, info):
        return line.item.unit

    @staticmethod
    def resolve_amount(line, info):
        return line.amount

    @staticmethod
    def resolve_added_by(line, info):
        return _person(line.added_by)


class WorkOrderEvent(graphene.ObjectType):
    """One line of the timeline."""

    at = graphene.DateTime(required=True)
    kind = graphene.String(required=True, description='e.g. "submitted", "dispatched", "completed".')
    label = graphene.String(required=True, description="What happened, in the caller's language.")
    actor = graphene.Field(WorkOrderPerson, description="Who did it (null: the system or a partner's key).")
    note = graphene.String(required=True)
    from_status = graphene.Field(WorkOrderStatus, description="Set on transitions.")
    to_status = graphene.Field(WorkOrderStatus)

    @staticmethod
    def resolve_label(event, info):
        from modules.workorders.selectors import EVENT_LABELS

        return str(EVENT_LABELS.get(event.kind, event.kind))

    @staticmethod
    def resolve_actor(event, info):
        return _person(event.actor)

    @staticmethod
    def resolve_from_status(event, info):
        return event.from_status or None

    @staticmethod
    def resolve_to_status(event, info):
        return event.to_status or None


def _related(order, name, queryset):
    """The order's `name` rows: prefetched for the page when the list asked for them, else loaded."""
    cache = getattr(order, "_prefetched_objects_cache", {})
    if name in cache:
        return list(cache[name])
    return list(queryset.filter(order=order))


PHOTOS = Photo.objects.select_related("uploaded_by")
MATERIALS = MaterialLine.objects.select_related("item", "added_by")
EVENTS = Event.objects.select_related("actor")


class WorkOrderNode(ScopedObjectType):
    """A work order. Seen by its reporter, its worker (or their team while it waits in the team's
    queue), and roles with `workorders.view` whose data scope reaches it."""

    status = graphene.Field(WorkOrderStatus, required=True)
    channel = graphene.Field(WorkOrderChannel, required=True)
    priority = graphene.Field(WorkOrderPriority, required=True)
    trade = graphene.Field(WorkOrderTradeNode, required=True)
    room_id = graphene.ID(required=True, description="The room's global id (Room).")
    room_name = graphene.String(required=True)
    building_id = graphene.ID(required=True, description="The building's global id (Building).")
    building_name = graphene.String(required=True)
    location = graphene.String(required=True, description="Building, floor and room, as people read it.")
    reporter = graphene.Field(WorkOrderPerson, description="Null when the desk logged a call from outside.")
    department_name = graphene.String(description="The department the cost is charged to.")
    desk_officer = graphene.Field(WorkOrderPerson, description="Who logged a phone call or a walk-in.")
    team = graphene.Field(WorkOrderTeamNode)
    assignee = graphene.Field(WorkOrderPerson, description="The worker; null while in a team's queue.")
    custom_fields = GenericScalar(
        required=True,
        description="Answers to the trade's custom fields, by key (see WorkOrderTrade.customFields).",
    )
    breached = graphene.Boolean(
        required=True, description="The response or the resolution target was missed."
    )
    photos = graphene.List(
        graphene.NonNull(WorkOrderPhoto),
        required=True,
        description="Photos with signed links (uploaded on the portal and the worker's page, not through the API).",
    )
    materials = graphene.List(graphene.NonNull(WorkOrderMaterialNode), required=True)
    timeline = graphene.List(graphene.NonNull(WorkOrderEvent), required=True, description="Oldest first.")

    class Meta:
        model = WorkOrder
        name = "WorkOrder"
        interfaces = (relay.Node,)
        fields = (
            "number",
            "description",
            "preferred_time",
            "contact_name",
            "contact_phone",
            "received_at",
            "submitted_at",
            "accepted_at",
            "dispatched_at",
            "responded_at",
            "started_at",
            "completed_at",
            "verified_at",
            "closed_at",
            "response_due_at",
            "resolution_due_at",
            "response_breached",
            "resolution_breached",
            "escalated_at",
            "completion_notes",
            "labour_minutes",
            "labour_cost",
            "material_cost",
            "total_cost",
            "chargeable",
            "reject_reason",
            "rating",
            "rating_comment",
            "auto_accepted",
            "reopen_count",
        )

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.select_related(
            "trade",
            "room__floor__building",
            "reporter",
            "assignee",
            "desk_officer",
            "team__supervisor",
            "department",
        )

    @classmethod
    def rows(cls, info, action: str = "view"):
        return cls.get_queryset(visible_orders(principal(info)), info)

    @classmethod
    def one(cls, info, **lookup):
        """One visible order. Lists join every related row once for the page; for a single order
        an 11-table join costs more to plan than the few related rows it shows cost to read when
        asked, so only the trade and the place are joined here (and the default ordering, which
        Django compiles against every selected column, is dropped)."""
        return (
            visible_orders(principal(info))
            .filter(**lookup)
            .select_related("trade", "room__floor__building")
            .order_by()
            .first()
        )

    @classmethod
    def get_node(cls, info, id, action: str = "view"):
        _module_on(info)
        pk = _int_pk(id)
        return cls.one(info, pk=pk) if pk else None

    @staticmethod
    def prime_page(orders, info):
        """What the page's orders show of their related rows, in one query each, when asked."""
        from django.db.models import prefetch_related_objects

        wanted = _selected(info)
        lookups = []
        if "photos" in wanted:
            lookups.append(Prefetch("photos", queryset=PHOTOS))
        if "materials" in wanted:
            lookups.append(Prefetch("materials", queryset=MATERIALS))
        if "timeline" in wanted:
            lookups.append(Prefetch("events", queryset=EVENTS))
        if "members" in wanted:
            lookups.append("team__members")
        if "trades" in wanted:
            lookups.append("team__trades")
        if lookups:
            prefetch_related_objects(orders, *lookups)

    @staticmethod
    def resolve_status(order, info):
        return order.status

    @staticmethod
    def resolve_channel(order, info):
        return order.channel

    @staticmethod
    def resolve_priority(order, info):
        return order.priority

    @staticmethod
    def resolve_room_id(order, info):
        return to_global_id("Room", order.room_id)

    @staticmethod
    def resolve_room_name(order, info):
        return order.room.display_name

    @staticmethod
    def resolve_building_id(order, info):
        return to_global_id("Building", order.building_id)

    @staticmethod
    def resolve_building_name(order, info):
        return order.room.floor.building.display_name

    @staticmethod
    def resolve_location(order, info):
        room = order.room
        return f"{room.floor.building.display_name} {room.floor.display_name} {room.display_name}"

    @staticmethod
    def resolve_reporter(order, info):
        return _person(order.reporter)

    @staticmethod
    def resolve_department_name(order, info):
        return order.department.display_name if order.department else None

    @staticmethod
    def resolve_desk_officer(order, info):
        return _person(order.desk_officer)

    @staticmethod
    def resolve_team(order, info):
        return order.team

    @staticmethod
    def resolve_assignee(order, info):
        return _person(order.assignee)

    @staticmethod
    def resolve_custom_fields(order, info):
        return order.custom or {}

    @staticmethod
    def resolve_breached(order, info):
        return order.response_breached or order.resolution_breached

    @staticmethod
    def resolve_photos(order, info):
        return _related(order, "photos", PHOTOS)

    @staticmethod
    def resolve_materials(order, info):
        return _related(order, "materials", MATERIALS)

    @staticmethod
    def resolve_timeline(order, info):
        return _related(order, "events", EVENTS)


# --- Lists ----------------------------------------------------------------------------------------------


class WorkOrderFilter(graphene.InputObjectType):
    status = graphene.List(graphene.NonNull(WorkOrderStatus), description="Any of these states.")
    trade = graphene.String(description="A trade's code.")
    priority = WorkOrderPriority()
    building = graphene.ID(description="A building's global id (Building).")
    team = graphene.ID(description="A team's global id (WorkOrderTeam).")
    assignee = graphene.ID(description="A worker's global id (User).")
    reported_by_me = graphene.Boolean(description="Only orders the caller reported.")
    assigned_to_me = graphene.Boolean(description="Only orders given to the caller.")
    number = graphene.String(description="The order's number, exactly.")
    submitted_from = graphene.DateTime(description="Submitted at or after.")
    submitted_to = graphene.DateTime(description="Submitted before.")
    breached = graphene.Boolean(description="True: a response or resolution target was missed; false: none.")

    @classmethod
    def apply(cls, queryset, value, info):
        from identity.graphql import UserNode
        from kernel.graphql.scoped import pk_for
        from modules.spaces.graphql.schema import BuildingNode

        value = _scrub(value)
        if value.get("status"):
            queryset = queryset.filter(status__in=[_value(s) for s in value["status"]])
        if value.get("trade"):
            queryset = queryset.filter(trade__code=value["trade"])
        if value.get("priority"):
            queryset = queryset.filter(priority=_value(value["priority"]))
        if value.get("building"):
            queryset = queryset.filter(building_id=pk_for(value["building"], BuildingNode))
        if value.get("team"):
            queryset = queryset.filter(team_id=pk_for(value["team"], WorkOrderTeamNode))
        if value.get("assignee"):
            queryset = queryset.filter(assignee_id=pk_for(value["assignee"], UserNode))
        who = getattr(principal(info), "pk", None)
        if value.get("reported_by_me"):
            queryset = queryset.filter(reporter_id=who) if who else queryset.none()
        if value.get("assigned_to_me"):
            queryset = queryset.filter(assignee_id=who) if who else queryset.none()
        if value.get("number"):
            queryset = queryset.filter(number=value["number"])
        if value.get("submitted_from"):
            queryset = queryset.filter(submitted_at__gte=value["submitted_from"])
        if value.get("submitted_to"):
            queryset = queryset.filter(submitted_at__lt=value["submitted_to"])
        if value.get("breached") is not None:
            missed = Q(response_breached=True) | Q(resolution_breached=True)
            queryset = queryset.filter(missed) if value["breached"] else queryset.exclude(missed)
        return queryset


WorkOrderSort = sort_enum(
    "WorkOrderSort",
    {
        "SUBMITTED_DESC": SortKey("submitted_at", True),
        "SUBMITTED_ASC": SortKey("submitted_at"),
        "NUMBER_ASC": SortKey("number"),
    },
    description="SUBMITTED_ASC: oldest first, as the dispatch board reads.",
)
TradeSort = sort_enum("WorkOrderTradeSort", {"ORDER_ASC": SortKey("sort_order"), "CODE_ASC": SortKey("code")})
TeamSort = sort_enum("WorkOrderTeamSort", {"CODE_ASC": SortKey("code")})


class WorkOrderTeamFilter(graphene.InputObjectType):
    is_active = graphene.Boolean()
    trade = graphene.String(description="Teams of this trade (code).")

    @classmethod
    def apply(cls, queryset, value, info):
        value = _scrub(value)
        if value.get("is_active") is not None:
            queryset = queryset.filter(is_active=value["is_active"])
        if value.get("trade"):
            queryset = queryset.filter(
                pk__in=Team.trades.through.objects.filter(trade__code=value["trade"]).values("team_id")
            )
        return queryset


def _orders(root, info):
    return WorkOrderNode.rows(info)


def _trades(root, info):
    return WorkOrderTradeNode.rows(info)


def _teams(root, info):
    return WorkOrderTeamNode.rows(info)


class WorkOrdersQuery(graphene.ObjectType):
    work_orders = ConnectionField(
        WorkOrderNode,
        resolver=_orders,
        filter=WorkOrderFilter,
        sort=WorkOrderSort,
        default_sort="SUBMITTED_DESC",
        description="Work orders the caller may see (their own, their jobs, and their role's scope).",
    )
    work_order = graphene.Field(
        WorkOrderNode,
        number=graphene.String(required=True),
        description="An order by its number (printed on the sheet); null if none the caller may see.",
    )
    work_order_trades = ConnectionField(
        WorkOrderTradeNode,
        resolver=_trades,
        sort=TradeSort,
        default_sort="ORDER_ASC",
        description="The trades (kinds of fault) in use, with their custom fields.",
    )
    work_order_teams = ConnectionField(
        WorkOrderTeamNode,
        resolver=_teams,
        filter=WorkOrderTeamFilter,
        sort=TeamSort,
        default_sort="CODE_ASC",
        description="Teams and their members, to dispatch to (workorders.view).",
    )

    @staticmethod
    def resolve_work_order(root, info, number):
        return WorkOrderNode.one(info, number=_scrub(number))


# --- Mutations -----------------------------------------------------------------------------------------

WorkOrdersErrorCode = graphene.Enum(
    "WorkOrdersErrorCode",
    [
        (code, code)
        for code in ("NOT_FOUND", "WRONG_STATE", "PERMISSION_DENIED", "INVALID", "REQUIRED", "TOO_LATE")
    ],
    description="Why a work-orders mutation did not happen. NOT_FOUND: no order (or line) the caller can "
    "see has this id; WRONG_STATE: the order is not in a state that allows it (someone else may have "
    "acted first); TOO_LATE: past the reopening period; INVALID / REQUIRED: the input field named.",
)
WorkOrdersError = error_type("WorkOrders", WorkOrdersErrorCode)


def _errors(exc) -> list:
    found = errors_from(exc, WorkOrdersError, WorkOrdersErrorCode)
    for error in found:
        if error.field and error.field.startswith("custom."):
            error.field = "customFields." + error.field.removeprefix("custom.")
    return found


def _not_found(field: str = "id") -> list:
    if field == "material":
        message = _("No material line of an order you can see has this id.")
    else:
        message = _("No work order you can see has this id.")
    return [WorkOrdersError(field=field, code="NOT_FOUND", message=message)]


class WorkOrderPayload(graphene.ObjectType):
    result = graphene.Field(WorkOrderNode)
    errors = graphene.List(graphene.NonNull(WorkOrdersError), required=True)


def _visible_order(info, global_id):
    """The order the id names if the caller may see it; None for anything else (malformed,
    another type, another tenant's, out of scope)."""
    try:
        _type, pk = decode_id(global_id, WorkOrderNode)
    except GraphQLError:
        return None
    pk = _int_pk(pk)
    return visible_orders(principal(info)).filter(pk=pk).order_by().first() if pk else None


def _fresh(info, pk):
    """The order as the action left it, for the payload (see WorkOrderNode.one)."""
    return WorkOrder.objects.filter(pk=pk).select_related("trade", "room__floor__building").order_by().first()


# An id that was given but names nothing of the kind: the actions refuse it as invalid.
BAD_ID = -1


def _user_pk(global_id):
    """A User's key from its global id; None when none was given; BAD_ID for anything else (the
    action then names the field)."""
    if not global_id:
        return None
    try:
        type_name, pk = decode_id(global_id)
    except GraphQLError:
        return BAD_ID
    return (_int_pk(pk) or BAD_ID) if type_name == "User" else BAD_ID


def _team_pk(global_id):
    if not global_id:
        return None
    try:
        type_name, pk = decode_id(global_id)
    except GraphQLError:
        return BAD_ID
    return (_int_pk(pk) or BAD_ID) if type_name == "WorkOrderTeam" else BAD_ID


class WorkOrderInput(graphene.InputObjectType):
    id = graphene.ID(required=True, description="The order's global id (WorkOrder).")


class OrderAction(graphene.Mutation):
    """Base of the mutations acting on one visible order: NOT_FOUND for any other id; the action's
    refusals as errors; the order as it is afterwards."""

    Output = WorkOrderPayload

    class Meta:
        abstract = True

    @classmethod
    def act(cls, info, order, input) -> None:
        raise NotImplementedError

    @classmethod
    def mutate(cls, root, info, input):
        input = _scrub(input)
        order = _visible_order(info, input.id)
        if order is None:
            return WorkOrderPayload(result=None, errors=_not_found())
        try:
            cls.act(info, order, input)
        except (ValidationError, PermissionDenied) as exc:
            return WorkOrderPayload(result=None, errors=_errors(exc))
        return WorkOrderPayload(result=_fresh(info, order.pk), errors=[])


class SubmitWorkOrderInput(graphene.InputObjectType):
    trade = graphene.String(description="The trade's code (or give tradeId).")
    trade_id = graphene.ID(description="The trade's global id (WorkOrderTrade).")
    room = graphene.ID(description="Where the fault is: the room's global id (Room). Required.")
    description = graphene.String(description="What is wrong (up to 2,000 characters). Required.")
    priority = WorkOrderPriority(description="Default NORMAL.")
    preferred_time = graphene.String(
        description='When the reporter can let the worker in, e.g. "weekdays 14:00–17:00".'
    )
    contact_name = graphene.String(description="Default: the reporter's name. Required for PHONE / WALK_IN.")
    contact_phone = graphene.String()
    custom_fields = GenericScalar(
        description="Answers to the trade's custom fields by key (WorkOrderTrade.customFields)."
    )
    channel = WorkOrderIntakeChannel(description="Default API.")
    received_at = graphene.DateTime(description="PHONE / WALK_IN: when the call came in (default now).")
    reporter = graphene.ID(
        description="PHONE / WALK_IN: the person who called, if they are one of the organisation's "
        "people (User global id); the order is then theirs to follow, verify and rate."
    )


class SubmitWorkOrder(graphene.Mutation):
    """Report a fault (workorders.submit), or log a call or a visit at the desk (workorders.dispatch).
    It is routed like any other: dispatched by the first matching rule, put to pre-approval when
    the trade needs it, or left on the dispatch board. Photos are added on the portal."""

    class Arguments:
        input = SubmitWorkOrderInput(required=True)

    Output = WorkOrderPayload

    @staticmethod
    def mutate(root, info, input):
        input = _scrub(input)
        channel = _value(input.get("channel")) or WorkOrder.Channel.API
        errors = []
        trade = _trade_from(input)
        room = None
        if input.get("room"):
            try:
                type_name, pk = decode_id(input["room"])
                room = _int_pk(pk) if type_name == "Room" else None
            except GraphQLError:
                room = None
            room = room or BAD_ID  # named, but not a room's id: the action says it is invalid
        custom = input.get("custom_fields")
        if isinstance(custom, str):
            try:
                custom = json.loads(custom)
            except ValueError:
                custom = None
        if custom is not None and not isinstance(custom, dict):
            errors.append(
                WorkOrdersError(
                    field="customFields", code="INVALID", message=_("Give the answers as an object, by key.")
                )
            )
        reporter = None
        if input.get("reporter"):
            if channel not in actions.DESK_CHANNELS:
                errors.append(
                    WorkOrdersError(
                        field="reporter",
                        code="INVALID",
                        message=_("Only the desk logging a call or a visit names the reporter."),
                    )
                )
            from identity.models import User

            reporter = _user_pk(input["reporter"])
            if not User.objects.filter(pk=reporter, is_active=True).exists():
                errors.append(
                    WorkOrdersError(
                        field="reporter", code="INVALID", message=_("No active person has this id.")
                    )
                )
        if errors:
            return WorkOrderPayload(result=None, errors=errors)
        try:
            order = actions.submit(
                user=principal(info),
                trade=trade,
                room=room,
                description=input.get("description") or "",
                priority=_value(input.get("priority")) or Priority.NORMAL,
                channel=channel,
                reporter=reporter,
                contact_name=input.get("contact_name") or "",
                contact_phone=input.get("contact_phone") or "",
                preferred_time=input.get("preferred_time") or "",
                custom=custom or {},
                received_at=input.get("received_at"),
                lang=_lang(),
            )
        except (ValidationError, PermissionDenied) as exc:
            return WorkOrderPayload(result=None, errors=_errors(exc))
        return WorkOrderPayload(result=_fresh(info, order.pk), errors=[])


def _trade_from(input):
    """The trade named by code or global id: the Trade, or a value the action refuses as invalid
    (the string given), or None when none was given (the action says it is required)."""
    if input.get("trade_id"):
        try:
            type_name, pk = decode_id(input["trade_id"])
        except GraphQLError:
            return "?"
        pk = _int_pk(pk) if type_name == "WorkOrderTrade" else None
        found = Trade.objects.filter(pk=pk, is_active=True).first() if pk else None
        return found or "?"
    if input.get("trade"):
        return Trade.objects.filter(code=input["trade"], is_active=True).first() or "?"
    return None


class AcceptWorkOrder(OrderAction):
    """受理: the desk takes a submitted order on (workorders.dispatch)."""

    class Arguments:
        input = WorkOrderInput(required=True)

    @classmethod
    def act(cls, info, order, input):
        actions.accept(order, actor=principal(info))


class DispatchWorkOrderInput(WorkOrderInput):
    worker = graphene.ID(
        description="The worker's global id (User); their team is taken when no team is given."
    )
    team = graphene.ID(description="A team's global id (WorkOrderTeam): its queue, when no worker is given.")
    note = graphene.String()


class DispatchWorkOrder(OrderAction):
    """派工: give a submitted or accepted order to a worker or a team's queue (workorders.dispatch).
    Of two desk officers dispatching the same order at once, the second is told WRONG_STATE."""

    class Arguments:
        input = DispatchWorkOrderInput(required=True)

    @classmethod
    def act(cls, info, order, input):
        actions.dispatch(
            order,
            actor=principal(info),
            worker=_user_pk(input.get("worker")),
            team=_team_pk(input.get("team")),
            note=input.get("note") or "",
        )


class ReassignWorkOrderInput(WorkOrderInput):
    worker = graphene.ID(required=True, description="The new worker's global id (User).")
    note = graphene.String()


class ReassignWorkOrder(OrderAction):
    """Give a dispatched order that has not started to another worker (workorders.dispatch)."""

    class Arguments:
        input = ReassignWorkOrderInput(required=True)

    @classmethod
    def act(cls, info, order, input):
        actions.reassign(
            order, actor=principal(info), worker=_user_pk(input.worker), note=input.get("note") or ""
        )


class WorkOrderReasonInput(WorkOrderInput):
    reason = graphene.String()


class RejectWorkOrder(OrderAction):
    """驳回: outside the service's scope; the reason is told to the reporter (workorders.dispatch)."""

    class Arguments:
        input = WorkOrderReasonInput(required=True)

    @classmethod
    def act(cls, info, order, input):
        actions.reject(order, actor=principal(info), reason=input.get("reason") or "")


class CancelWorkOrder(OrderAction):
    """The reporter calls the order off before work starts."""

    class Arguments:
        input = WorkOrderReasonInput(required=True)

    @classmethod
    def act(cls, info, order, input):
        actions.cancel(order, actor=principal(info), reason=input.get("reason") or "")


class TakeWorkOrder(OrderAction):
    """接单: the worker acknowledges (the response time stops); a team's order becomes theirs."""

    class Arguments:
        input = WorkOrderInput(required=True)

    @classmethod
    def act(cls, info, order, input):
        actions.take(order, actor=principal(info))


class StartWorkOrder(OrderAction):
    """The worker starts the work (photos "before" are added on the worker's page)."""

    class Arguments:
        input = WorkOrderInput(required=True)

    @classmethod
    def act(cls, info, order, input):
        actions.start(order, actor=principal(info))


class AddWorkOrderMaterialInput(WorkOrderInput):
    item = graphene.String(required=True, description="The catalogue item's code.")
    quantity = graphene.Decimal(description="How much, above 0, in the item's unit. Required.")


class AddWorkOrderMaterial(OrderAction):
    """A material used, from the catalogue at its current unit cost (the order's worker)."""

    class Arguments:
        input = AddWorkOrderMaterialInput(required=True)

    @classmethod
    def act(cls, info, order, input):
        from modules.inventory.models import Item

        if input.get("quantity") is None:
            raise ValidationError({"quantity": ValidationError(_("Say how much was used."), code="required")})
        item = Item.objects.filter(code=input.item, is_active=True).first()
        actions.add_material(order, actor=principal(info), item=item, quantity=input.quantity)


class RemoveWorkOrderMaterialInput(graphene.InputObjectType):
    material = graphene.ID(required=True, description="The line's global id (WorkOrderMaterial).")


class RemoveWorkOrderMaterial(graphene.Mutation):
    """Take back a material line (the order's worker, before completion)."""

    class Arguments:
        input = RemoveWorkOrderMaterialInput(required=True)

    Output = WorkOrderPayload

    @staticmethod
    def mutate(root, info, input):
        input = _scrub(input)
        line = None
        try:
            _type, pk = decode_id(input.material, WorkOrderMaterialNode)
            line = WorkOrderMaterialNode.get_node(info, pk)
        except GraphQLError:
            line = None
        if line is None:
            return WorkOrderPayload(result=None, errors=_not_found("material"))
        try:
            actions.remove_material(line, actor=principal(info))
        except (ValidationError, PermissionDenied) as exc:
            return WorkOrderPayload(result=None, errors=_errors(exc))
        return WorkOrderPayload(result=_fresh(info, line.order_id), errors=[])


class CompleteWorkOrderInput(WorkOrderInput):
    notes = graphene.String(description="What was done. Required.")
    labour_minutes = graphene.Int(
        description="Labour time, 1 to 20,160 minutes (costed at the organisation's rate)."
    )
    chargeable = graphene.Boolean(description="Charge the department (default: the organisation's setting).")


class CompleteWorkOrder(OrderAction):
    """完工: the worker finishes, with notes and labour time (photos "after" on the worker's page)."""

    class Arguments:
        input = CompleteWorkOrderInput(required=True)

    @classmethod
    def act(cls, info, order, input):
        actions.complete(
            order,
            actor=principal(info),
            notes=input.get("notes") or "",
            labour_minutes=input.get("labour_minutes"),
            chargeable=input.get("chargeable"),
        )


class VerifyWorkOrderInput(WorkOrderInput):
    rating = graphene.Int(
        required=True, description="1 to 5; 2 or less opens a rectification for the supervisor."
    )
    comment = graphene.String()


class VerifyWorkOrder(OrderAction):
    """验收: the reporter accepts the completed work and rates it."""

    class Arguments:
        input = VerifyWorkOrderInput(required=True)

    @classmethod
    def act(cls, info, order, input):
        actions.verify(order, actor=principal(info), rating=input.rating, comment=input.get("comment") or "")


class ReopenWorkOrder(OrderAction):
    """Not fixed: the reporter sends it back to the worker (within the organisation's reopening
    period after completion; TOO_LATE afterwards)."""

    class Arguments:
        input = WorkOrderReasonInput(required=True)

    @classmethod
    def act(cls, info, order, input):
        actions.reopen(order, actor=principal(info), reason=input.get("reason") or "")


class CloseWorkOrder(OrderAction):
    """The desk closes a verified order (workorders.dispatch)."""

    class Arguments:
        input = WorkOrderInput(required=True)

    @classmethod
    def act(cls, info, order, input):
        actions.close(order, actor=principal(info))


class RevisitWorkOrderInput(WorkOrderInput):
    outcome = WorkOrderRevisitOutcome(required=True)
    note = graphene.String()


class RevisitWorkOrder(OrderAction):
    """回访: the desk records its call back to the reporter (workorders.dispatch)."""

    class Arguments:
        input = RevisitWorkOrderInput(required=True)

    @classmethod
    def act(cls, info, order, input):
        actions.revisit(
            order, actor=principal(info), outcome=_value(input.outcome), note=input.get("note") or ""
        )


class ComplainWorkOrderInput(WorkOrderInput):
    text = graphene.String(required=True)


class ComplainWorkOrder(OrderAction):
    """A complaint about an order, by its reporter or the desk; the desk is told."""

    class Arguments:
        input = ComplainWorkOrderInput(required=True)

    @classmethod
    def act(cls, info, order, input):
        actions.complain(order, actor=principal(info), text=input.text)


class WorkOrdersMutation(graphene.ObjectType):
    submit_work_order = SubmitWorkOrder.Field()
    accept_work_order = AcceptWorkOrder.Field()
    dispatch_work_order = DispatchWorkOrder.Field()
    reassign_work_order = ReassignWorkOrder.Field()
    reject_work_order = RejectWorkOrder.Field()
    cancel_work_order = CancelWorkOrder.Field()
    take_work_order = TakeWorkOrder.Field()
    start_work_order = StartWorkOrder.Field()
    add_work_order_material = AddWorkOrderMaterial.Field()
    remove_work_order_material = RemoveWorkOrderMaterial.Field()
    complete_work_order = CompleteWorkOrder.Field()
    verify_work_order = VerifyWorkOrder.Field()
    reopen_work_order = ReopenWorkOrder.Field()
    close_work_order = CloseWorkOrder.Field()
    revisit_work_order = RevisitWorkOrder.Field()
    complain_work_order = ComplainWorkOrder.Field()
