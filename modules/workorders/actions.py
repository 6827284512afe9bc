"""Every write to a work order: submit, the desk's accept / dispatch / reject, the worker's
take / start / materials / complete, the reporter's verify / reopen / cancel, revisits,
complaints, and the sweep that auto-accepts and escalates.

Each transition locks the order's row (`select_for_update`), checks the state it is in, and
writes the change, a timeline event and an outbox event in one transaction: of two desk
officers dispatching the same order at once, one wins and the other is told `wrong_state`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.access import has_code, holders
from identity.actions import require
from kernel import notifications, outbox
from modules.workorders.models import (
    Complaint,
    DispatchRule,
    Event,
    MaterialLine,
    Photo,
    Priority,
    Rectification,
    Revisit,
    Settings,
    SlaRule,
    Team,
    Trade,
    WorkOrder,
)

Status = WorkOrder.Status
SUBJECT = "workorders.order"
PHOTO_PREFIX = "workorders/photos/"
MAX_PHOTOS = 9
MAX_TEXT = 2000


class WorkOrderError(ValidationError):
    """A refused transition, with a code clients switch on (wrong_state, not_yours…)."""


# --- Helpers -------------------------------------------------------------------------------------


def _event(order, kind, *, actor=None, before="", note="", **data) -> Event:
    return Event.objects.create(
        order=order,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        from_status=before,
        to_status=order.status if before else "",
        note=note[:MAX_TEXT],
        data=data,
    )


def _person(actor):
    """The acting user, or None for the system or a partner's API key (which is nobody)."""
    from identity.models import User

    return actor if isinstance(actor, User) else None


def _url(order) -> str:
    return reverse("workorders:detail", kwargs={"pk": order.pk})


def _tell(recipients, kind: str, order, actor=None, **params) -> None:
    ids = {getattr(r, "pk", r) for r in recipients if r}
    ids.discard(getattr(actor, "pk", None))
    if ids:
        notifications.notify(
            ids,
            kind,
            params={"number": order.number, "status": order.get_status_display(), **params},
            url=_url(order),
            actor=actor,
        )


def _emit(order, verb: str, actor=None, **more) -> None:
    outbox.emit(
        f"workorders.order.{verb}",
        {"id": order.pk, "number": order.number, "status": order.status, **more},
        actor=actor,
    )


def _locked(order: WorkOrder, allowed: tuple[str, ...]) -> WorkOrder:
    order = WorkOrder.objects.select_for_update(of=("self",)).select_related("trade", "team").get(pk=order.pk)
    if order.status not in allowed:
        raise WorkOrderError(
            _("The order is %(status)s; this cannot be done now.") % {"status": order.get_status_display()},
            code="wrong_state",
        )
    return order


def _move(order, to: str, kind: str, *, actor, note="", **data) -> None:
    before = order.status
    order.status = to
    order.save()
    _event(order, kind, actor=actor, before=before, note=note, **data)
    _emit(order, kind, actor=actor)


def _next_number() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('workorders_number_seq')")
        (value,) = cursor.fetchone()
    return f"WO{timezone.localdate():%y%m}{value:06d}"


# --- SLA ---------------------------------------------------------------------------------------------


def sla_rule_for(trade_id: int | None, priority: str, rules=None) -> dict | None:
    """The rule of the trade and priority, else the one for any trade (as a plain dict)."""
    rules = rules if rules is not None else _rules()
    return rules.get((trade_id, priority)) or rules.get((None, priority))


def _rules() -> dict:
    return {
        (rule.trade_id, rule.priority): {
            "response_minutes": rule.response_minutes,
            "resolution_minutes": rule.resolution_minutes,
            "business_hours": rule.business_hours,
            "remind_before_minutes": rule.remind_before_minutes,
        }
        for rule in SlaRule.objects.all()
    }


def due_times(start: dt.datetime, rule: dict | None, settings: Settings, cal=None) -> tuple:
    """(respond by, resolve by) from `start` under `rule`; without a rule the organisation's
    escalation time (default 2 h) is the response target and there is no resolution target."""
    from kernel.calendar import add_business_hours

    if rule is None:
        return start + dt.timedelta(minutes=settings.escalate_after_minutes), None
    if rule["business_hours"]:
        cal = cal or _calendar()
        return (
            add_business_hours(start, rule["response_minutes"] / 60, cal),
            add_business_hours(start, rule["resolution_minutes"] / 60, cal),
        )
    return (
        start + dt.timedelta(minutes=rule["response_minutes"]),
        start + dt.timedelta(minutes=rule["resolution_minutes"]),
    )


def _calendar():
    from kernel.calendar import calendar

    return calendar()


def _set_targets(order: WorkOrder, settings: Settings) -> None:
    rule = sla_rule_for(order.trade_id, order.priority)
    order.sla_rule = rule or {}
    order.response_due_at, order.resolution_due_at = due_times(order.submitted_at, rule, settings)


# --- Intake ------------------------------------------------------------------------------------------


def store_photos(files, *, actor) -> list[dict]:
    """Check every photo, then keep them all; refused as a whole on the field "photos"."""
    from kernel.files import store_file, validate_upload

    images = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/heic": ".heic"}
    files = list(files)
    if len(files) > MAX_PHOTOS:
        raise ValidationError(
            {
                "photos": ValidationError(
                    _("At most %(n)s photos."), code="too_many_files", params={"n": MAX_PHOTOS}
                )
            }
        )
    problems = []
    for uploaded in files:
        try:
            validate_upload(uploaded, allowed_types=set(images))
        except ValidationError as exc:
            problems.append(
                ValidationError(f"{uploaded.name}: {' '.join(exc.messages)}", code=exc.error_list[0].code)
            )
    if problems:
        raise ValidationError({"photos": problems})
    return [store_file(uploaded, prefix=PHOTO_PREFIX, types=images) for uploaded in files]


def with_photos(files, *, actor, then):
    """Keep the photos, then run `then(references)`; when that is refused the photos go."""
    from kernel.files import discard_files

    references = store_photos(files, actor=actor) if files else []
    try:
        return then(references)
    except BaseException:
        discard_files(references)
        raise


def _add_photos(order, references, stage, actor) -> None:
    for ref in references:
        if not str(ref.get("key", "")).startswith(PHOTO_PREFIX):
            raise WorkOrderError(_("A photo was not uploaded here."), code="invalid")
        Photo.objects.create(
            order=order,
            stage=stage,
            key=ref["key"],
            name=ref.get("name", "")[:200],
            size=ref.get("size") or 0,
            content_type=ref.get("type", ""),
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )


DESK_CHANNELS = (WorkOrder.Channel.PHONE, WorkOrder.Channel.WALK_IN)


def submit(
    *,
    user,
    trade,
    room,
    description: str,
    priority: str = "normal",
    channel: str = WorkOrder.Channel.PORTAL,
    reporter=None,
    contact_name: str = "",
    contact_phone: str = "",
    preferred_time: str = "",
    custom: dict | None = None,
    photos: list[dict] = (),
    received_at: dt.datetime | None = None,
    lang: str = "zh",
) -> WorkOrder:
    """A new order from the portal, a QR code, the API, or the desk logging a call.

    `trade` and `room` may be ids or objects. Every bad field is reported at once (keys:
    trade, room, description, priority, channel, contact_name, custom.<key>…); nothing is
    written then."""
    from identity.models import User
    from modules.spaces.models import Room

    desk = channel in DESK_CHANNELS
    require(user, "workorders.dispatch" if desk else "workorders.submit")
    errors: dict[str, list] = {}

    def error(field, message, code="invalid"):
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    trade_obj = (
        trade if isinstance(trade, Trade) else Trade.objects.filter(pk=_int(trade), is_active=True).first()
    )
    if trade_obj is None or not trade_obj.is_active:
        error("trade", _("Choose a kind of fault."), "required" if trade in (None, "") else "invalid")
    room_obj = (
        room
        if isinstance(room, Room)
        else Room.objects.filter(pk=_int(room), is_active=True).select_related("floor").first()
    )
    if room_obj is None or not room_obj.is_active:
        error("room", _("Choose where the fault is."), "required" if room in (None, "") else "invalid")
    description = (description or "").strip()
    if not description:
        error("description", _("Say what is wrong."), "required")
    elif len(description) > MAX_TEXT:
        error("description", _("At most 2,000 characters."), "max_length")
    if priority not in dict(Priority.choices):
        error("priority", _("Unknown priority."))
    if channel not in dict(WorkOrder.Channel.choices):
        error("channel", _("Unknown channel."))
    if desk and not (contact_name or "").strip():
        error("contact_name", _("Who called? Give the caller's name."), "required")
    if len(contact_phone or "") > 30:
        error("contact_phone", _("At most 30 characters."), "max_length")
    reporter = reporter if reporter is not None else (None if desk else user)
    if reporter is not None and not isinstance(reporter, User):
        reporter = User.objects.filter(pk=_int(reporter), is_active=True).first()
    cleaned_custom = {}
    if trade_obj is not None:
        from lowcode.forms.actions import clean_custom_fields

        try:
            cleaned_custom = clean_custom_fields(
                f"workorders.trade.{trade_obj.code}", custom or {}, lang=lang
            )
        except ValidationError as exc:
            for field, field_errors in exc.error_dict.items():
                errors.setdefault(field, []).extend(field_errors)
    if errors:
        raise ValidationError(errors)

    settings = Settings.current()
    now = timezone.now()
    order = WorkOrder(
        number=_next_number(),
        channel=channel,
        trade=trade_obj,
        priority=priority,
        room=room_obj,
        building_id=room_obj.floor.building_id,
        description=description,
        custom=cleaned_custom,
        preferred_time=(preferred_time or "")[:100],
        reporter=reporter,
        department_id=getattr(reporter, "department_id", None) or room_obj.department_id,
        contact_name=(contact_name or getattr(reporter, "full_name", "") or "")[:100],
        contact_phone=(contact_phone or "")[:30],
        received_at=(received_at or now) if desk else None,
        desk_officer=_person(user) if desk else None,
        submitted_at=now,
        chargeable=settings.default_chargeable,
    )
    _set_targets(order, settings)
    with transaction.atomic():
        order.save()
        _add_photos(order, photos, Photo.Stage.REPORT, user)
        _event(order, "submitted", actor=user, channel=channel)
        _emit(order, "submitted", actor=user, trade=trade_obj.code, building=order.building_id)
        if trade_obj.approval_workflow_id:
            from lowcode.workflows import actions as workflows

            order.status = Status.PENDING_APPROVAL
            order.save(update_fields=["status"])
            workflows.start(
                trade_obj.approval_workflow,
                subject_type=SUBJECT,
                subject_id=order.pk,
                requester=reporter or _person(user),
                context={"category": trade_obj.code, "priority": priority, "building": order.building_id},
            )
            _event(order, "approval_started", actor=user)
        else:
            _route(order)
    return order


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def workflow_outcome(subject_id: int, instance) -> None:
    """The pre-approval ended (called by lowcode.workflows in its transaction)."""
    order = WorkOrder.objects.select_for_update(of=("self",)).filter(pk=subject_id).first()
    if order is None or order.status != Status.PENDING_APPROVAL:
        return
    if instance.status == "approved":
        _move(order, Status.SUBMITTED, "approved", actor=None)
        _route(order)
    else:
        order.reject_reason = _("Pre-approval did not pass.")
        _move(order, Status.REJECTED, "approval_refused", actor=None, note=instance.reason or "")
        _tell([order.reporter_id], "workorders.status", order)


def order_department(subject_id: int) -> int | None:
    return WorkOrder.objects.filter(pk=subject_id).values_list("department_id", flat=True).first()


# --- Dispatch ----------------------------------------------------------------------------------------


def matching_rule(order: WorkOrder) -> DispatchRule | None:
    for rule in DispatchRule.objects.filter(is_active=True, team__is_active=True).select_related("team"):
        if rule.trade_id not in (None, order.trade_id):
            continue
        if rule.building_id not in (None, order.building_id):
            continue
        if rule.worker_id is not None and not rule.worker.is_active:
            continue
        return rule
    return None


def _route(order: WorkOrder) -> None:
    """A new (or newly approved) order: dispatched by the first matching rule, or left on the
    dispatch board (and the desk is told)."""
    rule = matching_rule(order)
    if rule is None:
        _tell(holders("workorders.dispatch"), "workorders.new", order)
        return
    now = timezone.now()
    order.accepted_at = order.accepted_at or now
    order.dispatched_at = now
    order.team = rule.team
    order.assignee_id = rule.worker_id
    _move(
        order,
        Status.DISPATCHED,
        "dispatched",
        actor=None,
        rule=rule.pk,
        worker=rule.worker_id,
        team=rule.team_id,
    )
    _tell_dispatched(order)


def _tell_dispatched(order: WorkOrder) -> None:
    if order.assignee_id:
        _tell([order.assignee_id], "workorders.assigned", order)
    elif order.team_id:
        _tell(order.team.members.filter(is_active=True), "workorders.assigned", order)
    _tell([order.reporter_id], "workorders.status", order)


def accept(order: WorkOrder, *, actor) -> WorkOrder:
    """受理: the desk takes the order on (it stays on the board until dispatched)."""
    require(actor, "workorders.dispatch")
    with transaction.atomic():
        order = _locked(order, (Status.SUBMITTED,))
        order.accepted_at = timezone.now()
        _move(order, Status.ACCEPTED, "accepted", actor=actor)
        _tell([order.reporter_id], "workorders.status", order, actor)
    return order


def dispatch(order: WorkOrder, *, actor, worker=None, team=None, note: str = "") -> WorkOrder:
    """派工 by hand: to a worker (and their team) or to a team's queue."""
    from identity.models import User

    require(actor, "workorders.dispatch")
    worker_obj = (
        User.objects.filter(pk=getattr(worker, "pk", worker), is_active=True).first() if worker else None
    )
    team_obj = Team.objects.filter(pk=getattr(team, "pk", team), is_active=True).first() if team else None
    if worker and worker_obj is None:
        raise ValidationError({"worker": ValidationError(_("Choose an active worker."), code="invalid")})
    if team and team_obj is None:
        raise ValidationError({"team": ValidationError(_("Choose a team in use."), code="invalid")})
    if worker_obj is None and team_obj is None:
        raise ValidationError({"worker": ValidationError(_("Choose a worker or a team."), code="required")})
    if team_obj is None:
        team_obj = worker_obj.repair_teams.filter(is_active=True).first()
    with transaction.atomic():
        order = _locked(order, (Status.SUBMITTED, Status.ACCEPTED))
        now = timezone.now()
        order.accepted_at = order.accepted_at or now
        order.dispatched_at = now
        order.assignee = worker_obj
        order.team = team_obj
        _move(
            order,
            Status.DISPATCHED,
            "dispatched",
            actor=actor,
            note=note,
            worker=getattr(worker_obj, "pk", None),
            team=getattr(team_obj, "pk", None),
        )
        _tell_dispatched(order)
    return order


def reassign(order: WorkOrder, *, actor, worker, note: str = "") -> WorkOrder:
    """Give a dispatched order (not started) to another worker."""
    from identity.models import User

    require(actor, "workorders.dispatch")
    worker_obj = User.objects.filter(pk=getattr(worker, "pk", worker), is_active=True).first()
    if worker_obj is None:
        raise ValidationError({"worker": ValidationError(_("Choose an active worker."), code="invalid")})
    with transaction.atomic():
        order = _locked(order, (Status.DISPATCHED,))
        previous = order.assignee_id
        order.assignee = worker_obj
        order.responded_at = None
        order.save()
        _event(order, "reassigned", actor=actor, note=note, before_worker=previous, worker=worker_obj.pk)
        _emit(order, "reassigned", actor=actor)
        _tell([worker_obj], "workorders.assigned", order, actor)
    return order


def reject(order: WorkOrder, *, actor, reason: str) -> WorkOrder:
    """驳回: outside the service's scope; the reporter is told why."""
    require(actor, "workorders.dispatch")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Tell the reporter why."), code="required")})
    with transaction.atomic():
        order = _locked(order, (Status.SUBMITTED, Status.ACCEPTED))
        order.reject_reason = reason[:500]
        order.closed_at = timezone.now()
        _move(order, Status.REJECTED, "rejected", actor=actor, note=reason)
        _tell([order.reporter_id], "workorders.rejected", order, actor, reason=reason[:200])
    return order


def cancel(order: WorkOrder, *, actor, reason: str = "") -> WorkOrder:
    """The reporter calls it off before work starts (a running pre-approval is withdrawn)."""
    with transaction.atomic():
        order = _locked(
            order, (Status.PENDING_APPROVAL, Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED)
        )
        if order.reporter_id is None or order.reporter_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("Only the reporter can cancel the order."))
        if order.status == Status.PENDING_APPROVAL:
            from lowcode.workflows.models import Instance

            Instance.objects.filter(subject_type=SUBJECT, subject_id=order.pk, status="running").update(
                status="withdrawn", finished_at=timezone.now()
            )
        order.closed_at = timezone.now()
        _move(order, Status.CANCELLED, "cancelled", actor=actor, note=reason)
        _tell([order.assignee_id], "workorders.status", order, actor)
    return order


# --- Work ---------------------------------------------------------------------------------------------


def can_work_on(order: WorkOrder, user) -> bool:
    """The assigned worker; for an order in a team's queue, any member of the team."""
    who = getattr(user, "pk", None)
    if who is None:
        return False
    if order.assignee_id is not None:
        return order.assignee_id == who
    return order.team_id is not None and order.team.members.filter(pk=who).exists()


def _worker_locked(order, actor, allowed) -> WorkOrder:
    require(actor, "workorders.work")
    order = _locked(order, allowed)
    if not can_work_on(order, actor):
        raise PermissionDenied(_("This order is not yours."))
    return order


def take(order: WorkOrder, *, actor) -> WorkOrder:
    """接单: the worker acknowledges (the response time stops); a team's order becomes theirs."""
    with transaction.atomic():
        order = _worker_locked(order, actor, (Status.DISPATCHED,))
        if order.responded_at is not None:
            raise WorkOrderError(_("You have already taken this order."), code="wrong_state")
        order.assignee = actor
        order.responded_at = timezone.now()
        order.response_breached = bool(order.response_due_at and order.responded_at > order.response_due_at)
        order.save()
        _event(order, "taken", actor=actor)
        _emit(order, "taken", actor=actor)
        _tell([order.reporter_id], "workorders.status", order, actor)
    return order


def start(order: WorkOrder, *, actor, photos: list[dict] = ()) -> WorkOrder:
    with transaction.atomic():
        order = _worker_locked(order, actor, (Status.DISPATCHED,))
        now = timezone.now()
        order.assignee = actor
        if order.responded_at is None:
            order.responded_at = now
            order.response_breached = bool(order.response_due_at and now > order.response_due_at)
        order.started_at = now
        _add_photos(order, photos, Photo.Stage.BEFORE, actor)
        _move(order, Status.IN_PROGRESS, "started", actor=actor)
        _tell([order.reporter_id], "workorders.status", order, actor)
    return order


def add_photos(order: WorkOrder, *, actor, photos: list[dict], stage: str) -> WorkOrder:
    with transaction.atomic():
        order = _worker_locked(order, actor, (Status.DISPATCHED, Status.IN_PROGRESS))
        _add_photos(order, photos, stage, actor)
        _event(order, "photos", actor=actor, count=len(photos), stage=stage)
    return order


def _recost(order: WorkOrder, settings: Settings | None = None) -> None:
    settings = settings or Settings.current()
    lines = MaterialLine.objects.filter(order=order)
    order.material_cost = sum((line.amount for line in lines), Decimal("0.00"))
    order.labour_cost = (Decimal(order.labour_minutes) / 60 * settings.hourly_rate).quantize(Decimal("0.01"))
    order.total_cost = order.material_cost + order.labour_cost


def add_material(order: WorkOrder, *, actor, item, quantity) -> MaterialLine:
    """A material used (from the catalogue, at its current unit cost)."""
    from modules.inventory.models import Item

    found = Item.objects.filter(pk=getattr(item, "pk", item), is_active=True).first() if item else None
    errors = {}
    if found is None:
        errors["item"] = ValidationError(_("Choose an item of the catalogue."), code="invalid")
    try:
        amount = Decimal(str(quantity))
        if not amount.is_finite() or amount <= 0 or amount > 100000:
            raise ValueError
        amount = amount.quantize(Decimal("0.01"))
    except (ValueError, ArithmeticError):
        errors["quantity"] = ValidationError(_("A quantity above 0."), code="invalid")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        order = _worker_locked(order, actor, (Status.DISPATCHED, Status.IN_PROGRESS))
        line = MaterialLine.objects.create(
            order=order, item=found, quantity=amount, unit_cost=found.unit_cost, added_by=actor
        )
        _recost(order)
        order.save()
        _event(order, "material", actor=actor, item=found.code, quantity=str(amount))
    return line


def remove_material(line: MaterialLine, *, actor) -> None:
    with transaction.atomic():
        order = _worker_locked(line.order, actor, (Status.DISPATCHED, Status.IN_PROGRESS))
        MaterialLine.objects.filter(pk=line.pk, order=order).delete()
        _recost(order)
        order.save()
        _event(order, "material_removed", actor=actor, item=line.item_id)


def complete(
    order: WorkOrder,
    *,
    actor,
    notes: str,
    labour_minutes,
    chargeable: bool | None = None,
    photos: list[dict] = (),
) -> WorkOrder:
    """完工: notes, labour time (costed at the organisation's rate), photos after."""
    errors = {}
    notes = (notes or "").strip()
    if not notes:
        errors["notes"] = ValidationError(_("Say what was done."), code="required")
    minutes = _int(labour_minutes)
    if minutes is None or not 0 < minutes <= 60 * 24 * 14:
        errors["labour_minutes"] = ValidationError(_("Labour in minutes, 1 to 20,160."), code="invalid")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        order = _worker_locked(order, actor, (Status.IN_PROGRESS,))
        now = timezone.now()
        order.completion_notes = notes[:MAX_TEXT]
        order.labour_minutes = minutes
        if chargeable is not None:
            order.chargeable = bool(chargeable)
        order.completed_at = now
        order.resolution_breached = bool(order.resolution_due_at and now > order.resolution_due_at)
        _recost(order)
        _add_photos(order, photos, Photo.Stage.AFTER, actor)
        _move(order, Status.COMPLETED, "completed", actor=actor, note=notes)
        _tell([order.reporter_id], "workorders.completed", order, actor)
    return order


# --- The reporter's part ------------------------------------------------------------------------------


def _reporter_locked(order, actor, allowed) -> WorkOrder:
    order = _locked(order, allowed)
    if order.reporter_id is None or order.reporter_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the reporter can do this."))
    return order


def verify(order: WorkOrder, *, actor, rating, comment: str = "") -> WorkOrder:
    """验收 with a rating 1–5; 2 or less opens a rectification for the team's supervisor."""
    score = _int(rating)
    if score is None or not 1 <= score <= 5:
        raise ValidationError({"rating": ValidationError(_("Rate from 1 to 5."), code="invalid")})
    with transaction.atomic():
        order = _reporter_locked(order, actor, (Status.COMPLETED,))
        _verified(order, actor=actor, rating=score, comment=comment)
    return order


def _verified(order, *, actor, rating, comment, automatic=False) -> None:
    order.rating = rating
    order.rating_comment = (comment or "")[:MAX_TEXT]
    order.verified_at = timezone.now()
    order.auto_accepted = automatic
    _move(
        order,
        Status.VERIFIED,
        "auto_verified" if automatic else "verified",
        actor=actor,
        note=comment or "",
        rating=rating,
    )
    if rating is not None and rating <= 2:
        supervisor = order.team.supervisor_id if order.team_id else None
        Rectification.objects.create(
            order=order,
            worker_id=order.assignee_id,
            supervisor_id=supervisor,
            reason=_("Rated %(n)s: %(comment)s") % {"n": rating, "comment": comment or "—"},
        )
        _event(order, "rectification", actor=None, supervisor=supervisor)
        _tell([supervisor], "workorders.rectification", order, actor, rating=rating)


def reopen(order: WorkOrder, *, actor, reason: str) -> WorkOrder:
    """Not fixed: back to the worker (within the organisation's reopen days of completion)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Say what is still wrong."), code="required")})
    settings = Settings.current()
    with transaction.atomic():
        order = _reporter_locked(order, actor, (Status.COMPLETED, Status.VERIFIED))
        if order.completed_at and timezone.now() - order.completed_at > dt.timedelta(
            days=settings.reopen_days
        ):
            raise WorkOrderError(
                _("It can be reopened within %(n)s days of completion; report a new fault instead.")
                % {"n": settings.reopen_days},
                code="too_late",
            )
        order.reopen_count += 1
        order.completed_at = order.verified_at = None
        order.started_at = None
        order.rating = None
        _move(order, Status.DISPATCHED, "reopened", actor=actor, note=reason)
        _tell([order.assignee_id], "workorders.assigned", order, actor)
    return order


def close(order: WorkOrder, *, actor) -> WorkOrder:
    require(actor, "workorders.dispatch")
    with transaction.atomic():
        order = _locked(order, (Status.VERIFIED,))
        order.closed_at = timezone.now()
        _move(order, Status.CLOSED, "closed", actor=actor)
    return order


def revisit(order: WorkOrder, *, actor, outcome: str, note: str = "") -> Revisit:
    """回访: the desk calls the reporter back and records the outcome."""
    require(actor, "workorders.dispatch")
    if outcome not in dict(Revisit.Outcome.choices):
        raise ValidationError({"outcome": ValidationError(_("Choose how it went."), code="invalid")})
    with transaction.atomic():
        order = _locked(order, (Status.COMPLETED, Status.VERIFIED, Status.CLOSED))
        found = Revisit.objects.create(
            order=order, officer=_person(actor), outcome=outcome, note=(note or "")[:MAX_TEXT]
        )
        _event(order, "revisited", actor=actor, note=note or "", outcome=outcome)
        _emit(order, "revisited", actor=actor, outcome=outcome)
    return found


def complain(order: WorkOrder, *, actor, text: str) -> Complaint:
    """A complaint on an order, by its reporter (or the desk on their behalf); the desk is told."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ValidationError(_("Say what went wrong."), code="required")})
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
        reporter = order.reporter_id is not None and order.reporter_id == getattr(actor, "pk", None)
        if not reporter and not has_code(actor, "workorders.dispatch"):
            raise PermissionDenied(_("Only the reporter or the desk can complain about an order."))
        found = Complaint.objects.create(order=order, author=_person(actor), text=text[:MAX_TEXT])
        _event(order, "complaint", actor=actor, note=text)
        _emit(order, "complained", actor=actor)
        _tell(holders("workorders.dispatch"), "workorders.complaint", order, actor)
    return found


def resolve_rectification(item: Rectification, *, actor, resolution: str) -> Rectification:
    if item.supervisor_id != getattr(actor, "pk", None) and not has_code(actor, "workorders.dispatch"):
        raise PermissionDenied(_("Only the supervisor or the desk can close this."))
    if not (resolution or "").strip():
        raise ValidationError({"resolution": ValidationError(_("Say what was done."), code="required")})
    with transaction.atomic():
        Rectification.objects.filter(pk=item.pk, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolution=resolution[:MAX_TEXT]
        )
        _event(item.order, "rectified", actor=actor, note=resolution)
    item.refresh_from_db()
    return item


# --- Settings -----------------------------------------------------------------------------------------

SETTING_RANGES = {
    "auto_accept_days": (1, 30),
    "reopen_days": (0, 90),
    "escalate_after_minutes": (1, 7 * 24 * 60),
}


def save_settings(*, actor, data: dict) -> Settings:
    """The organisation's work-order settings (one row). Every bad field is reported at once
    (keys: auto_accept_days, reopen_days, escalate_after_minutes, hourly_rate,
    default_chargeable); nothing is written then. New values apply from now on."""
    require(actor, "workorders.configure")
    errors: dict[str, ValidationError] = {}
    values: dict = {}
    for field, (low, high) in SETTING_RANGES.items():
        raw = data.get(field)
        raw = "" if raw is None or isinstance(raw, bool) else str(raw).strip()
        value = int(raw) if raw.isascii() and raw.isdigit() else None
        if value is None or not low <= value <= high:
            errors[field] = ValidationError(
                _("A whole number from %(low)s to %(high)s.") % {"low": low, "high": high}, code="invalid"
            )
        else:
            values[field] = value
    try:
        rate = Decimal(str(data.get("hourly_rate", "")).strip())
        if not rate.is_finite() or rate < 0 or rate > 100000 or rate != rate.quantize(Decimal("0.01")):
            raise ValueError
        values["hourly_rate"] = rate.quantize(Decimal("0.01"))
    except (ValueError, ArithmeticError):
        errors["hourly_rate"] = ValidationError(
            _("An amount from 0 to 100,000 with at most two decimals."), code="invalid"
        )
    chargeable = data.get("default_chargeable", False)
    if isinstance(chargeable, str):
        chargeable = chargeable.strip().lower()
        if chargeable not in ("", "0", "1", "true", "false", "on", "off"):
            errors["default_chargeable"] = ValidationError(_("Yes or no."), code="invalid")
        chargeable = chargeable in ("1", "true", "on")
    values["default_chargeable"] = bool(chargeable)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Settings.objects.select_for_update().order_by("pk").first() or Settings()
        for field, value in values.items():
            setattr(current, field, value)
        current.save()
    return current


# --- Time ---------------------------------------------------------------------------------------------


def sweep(now: dt.datetime | None = None) -> dict:
    """Run every minute per organisation: auto-accept completed orders after N days, remind
    before the response target, escalate to the team supervisor after it, record breaches."""
    now = now or timezone.now()
    settings = Settings.current()
    done = {"auto_verified": 0, "reminded": 0, "escalated": 0}
    limit = now - dt.timedelta(days=settings.auto_accept_days)
    for pk in WorkOrder.objects.filter(status=Status.COMPLETED, completed_at__lte=limit).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            order = WorkOrder.objects.select_for_update(of=("self",)).select_related("team").get(pk=pk)
            if order.status == Status.COMPLETED:
                _verified(order, actor=None, rating=None, comment="", automatic=True)
                done["auto_verified"] += 1
    open_states = (Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED)
    waiting = WorkOrder.objects.filter(
        status__in=open_states, responded_at__isnull=True, escalated_at__isnull=True
    )
    for order in waiting.filter(reminded_at__isnull=True, response_due_at__gt=now).select_related("team"):
        before = dt.timedelta(minutes=(order.sla_rule or {}).get("remind_before_minutes", 30))
        if order.response_due_at - before <= now:
            WorkOrder.objects.filter(pk=order.pk).update(reminded_at=now)
            who = [order.assignee_id] if order.assignee_id else list(holders("workorders.dispatch"))
            _tell(who, "workorders.due_soon", order)
            done["reminded"] += 1
    for pk in waiting.filter(response_due_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            order = WorkOrder.objects.select_for_update(of=("self",)).select_related("team").get(pk=pk)
            if order.escalated_at or order.responded_at or order.status not in open_states:
                continue
            order.escalated_at = now
            order.response_breached = True
            order.save(update_fields=["escalated_at", "response_breached"])
            supervisor = order.team.supervisor_id if order.team_id else None
            recipients = [supervisor] if supervisor else list(holders("workorders.dispatch"))
            _event(order, "escalated", actor=None, to=[getattr(r, "pk", r) for r in recipients])
            _emit(order, "escalated")
            _tell(recipients, "workorders.escalated", order)
            done["escalated"] += 1
    WorkOrder.objects.filter(
        status__in=(*open_states, Status.IN_PROGRESS), resolution_due_at__lte=now, resolution_breached=False
    ).update(resolution_breached=True)
    return done


# --- "What if": last month's orders under a proposed rule ---------------------------------------------


def replay(proposed: dict, *, since: dt.datetime, until: dt.datetime, trade_id=None, priority=None) -> dict:
    """How orders submitted in [since, until) fared under their own targets, and how they would
    have fared under `proposed` ({response_minutes, resolution_minutes, business_hours}) —
    computed from what really happened (when they were responded to and completed)."""
    settings = Settings.current()
    cal = _calendar()
    orders = WorkOrder.objects.filter(submitted_at__gte=since, submitted_at__lt=until).exclude(
        status__in=(Status.REJECTED, Status.CANCELLED, Status.PENDING_APPROVAL)
    )
    if trade_id:
        orders = orders.filter(trade_id=trade_id)
    if priority:
        orders = orders.filter(priority=priority)
    rows = orders.values_list(
        "submitted_at", "responded_at", "completed_at", "response_due_at", "resolution_due_at"
    )
    result = {
        "orders": 0,
        "actual": {"response_met": 0, "resolution_met": 0},
        "proposed": {"response_met": 0, "resolution_met": 0},
    }
    now = timezone.now()
    for submitted, responded, completed, response_due, resolution_due in rows.iterator():
        result["orders"] += 1
        new_response, new_resolution = due_times(submitted, proposed, settings, cal)
        for key, (r_due, s_due) in (
            ("actual", (response_due, resolution_due)),
            ("proposed", (new_response, new_resolution)),
        ):
            if r_due is None or (responded or now) <= r_due:
                result[key]["response_met"] += 1
            if s_due is None or (completed or now) <= s_due:
                result[key]["resolution_met"] += 1
    for key in ("actual", "proposed"):
        for what in ("response", "resolution"):
            met = result[key][f"{what}_met"]
            result[key][f"{what}_rate"] = round(100 * met / result["orders"], 1) if result["orders"] else None
    return result
