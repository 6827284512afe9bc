"""Portal pages of work orders (mobile first: phones in hospital corridors).

- /workorders/new/            report a fault (?room=<QR token> fixes the place: channel QR)
- /workorders/orders/<pk>/    one order: progress, SLA, photos, costs, timeline, and the
                              buttons of whoever is looking (reporter or worker), each a POST
                              calling one action
- /workorders/work/           the worker's jobs
- /workorders/mine/           the reporter's requests, with live status (a JSON poll)

Every write goes through modules.workorders.actions; refusals come back as field errors or
messages. Nobody but the reporter, the worker (or their team's queue) and those whose role
scope reaches an order sees it: others get 404.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from identity.access import has_code, restrict
from modules.workorders import actions, selectors
from modules.workorders.forms import (
    CancelForm,
    ComplainForm,
    CompleteForm,
    MaterialForm,
    PhotosForm,
    ReopenForm,
    ReportForm,
    VerifyForm,
    trade_target,
)
from modules.workorders.models import Photo, Settings, WorkOrder

Status = WorkOrder.Status


def visible_to(order: WorkOrder, user) -> bool:
    """The reporter, the worker (or their team's queue), and whoever's role scope reaches it."""
    if order.reporter_id == user.pk or actions.can_work_on(order, user):
        return True
    return restrict(WorkOrder.objects.filter(pk=order.pk), user, "view").exists()


def _visible_order(request, pk) -> WorkOrder:
    order = get_object_or_404(selectors.orders(), pk=pk)
    if not visible_to(order, request.user):
        raise Http404
    return order


def _refusal(request, exc) -> None:
    """A refused action as messages (the state it is in, not yours…)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
    else:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc) or _("Not allowed.")]))


# --- Report a fault ----------------------------------------------------------------------------


def _room_by_token(token: str):
    from modules.spaces.models import Room

    return (
        Room.objects.filter(qr_token=token, is_active=True).select_related("floor__building__campus").first()
    )


@login_required
def new(request):
    """The report form; `?room=<token>` (a room's QR code) fixes the location."""
    if not has_code(request.user, "workorders.submit"):
        raise PermissionDenied
    token = (request.POST.get("qr") or request.GET.get("room") or "").strip()
    fixed_room = _room_by_token(token) if token else None
    if token and fixed_room is None:
        messages.error(request, _("This QR code is not a room we know. Choose the place below."))
    user = request.user
    initial = {
        "contact_name": user.full_name or user.username,
        "contact_phone": user.phone or "",
        "priority": WorkOrder._meta.get_field("priority").default,
    }
    if request.GET.get("trade"):
        from modules.workorders.models import Trade

        found = Trade.objects.filter(code=request.GET["trade"], is_active=True).first()
        if found is not None:
            initial["trade"] = str(found.pk)
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        fixed_room=fixed_room,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lang = "en" if (getattr(request, "LANGUAGE_CODE", "") or "").startswith("en") else "zh"
        try:
            order = actions.with_photos(
                data["photos"],
                actor=user,
                then=lambda refs: actions.submit(
                    user=user,
                    trade=data["trade_obj"],
                    room=form.room_id(),
                    description=data["description"],
                    priority=data["priority"],
                    channel=WorkOrder.Channel.QR if fixed_room else WorkOrder.Channel.PORTAL,
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    preferred_time=data["preferred_time"],
                    custom=data["custom"],
                    photos=refs,
                    lang=lang,
                ),
            )
        except ValidationError as exc:
            form.show_errors(exc)
        except PermissionDenied as exc:
            _refusal(request, exc)
        else:
            messages.success(
                request,
                _("Your report %(number)s is in. You can follow it here.") % {"number": order.number},
            )
            return redirect("workorders:detail", pk=order.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "workorders/report.html",
        {
            "form": form,
            "fixed_room": fixed_room,
            "fixed_path": fixed_room.path() if fixed_room else [],
            "qr_token": fixed_room.qr_token if fixed_room else "",
            "photos_lost": request.method == "POST" and bool(request.FILES.getlist("photos")),
            "max_photos": actions.MAX_PHOTOS,
        },
        status=status,
    )


# --- One order ---------------------------------------------------------------------------------------

STEPS = (
    (Status.SUBMITTED, gettext_lazy("Submitted"), "submitted_at"),
    (Status.ACCEPTED, gettext_lazy("Accepted"), "accepted_at"),
    (Status.DISPATCHED, gettext_lazy("Dispatched"), "dispatched_at"),
    (Status.IN_PROGRESS, gettext_lazy("In progress"), "started_at"),
    (Status.COMPLETED, gettext_lazy("Completed"), "completed_at"),
    (Status.VERIFIED, gettext_lazy("Verified"), "verified_at"),
    (Status.CLOSED, gettext_lazy("Closed"), "closed_at"),
)
STEP_INDEX = {status: index for index, (status, _label, _field) in enumerate(STEPS)}
STEP_INDEX[Status.PENDING_APPROVAL] = 0
STOPPED = (Status.REJECTED, Status.CANCELLED)


def progress(order: WorkOrder) -> list[dict]:
    """The seven steps, each done, current or to do (a rejected or cancelled order: the steps
    it reached, then nothing)."""
    steps = []
    if order.status in STOPPED:
        reached = -1
        for index, (_status, _label, field) in enumerate(STEPS[:-1]):
            if getattr(order, field):
                reached = index
        current = None
    else:
        reached = STEP_INDEX.get(order.status, 0)
        current = reached
    for index, (status, label, field) in enumerate(STEPS):
        at = getattr(order, field) if index <= reached else None
        state = "done" if index < reached or (index == reached and current is None) else "todo"
        if index == current:
            state = "current"
        steps.append({"status": status, "label": label, "state": state, "at": at})
    return steps


def sla(order: WorkOrder) -> list[dict]:
    """Respond-by and resolve-by: when, whether it was met, or how long is left."""
    now = timezone.now()
    running = order.status in WorkOrder.OPEN
    rows = []
    for key, label, due, done, breached in (
        ("response", _("Respond by"), order.response_due_at, order.responded_at, order.response_breached),
        (
            "resolution",
            _("Resolve by"),
            order.resolution_due_at,
            order.completed_at,
            order.resolution_breached,
        ),
    ):
        if due is None:
            continue
        late = breached or (done is not None and done > due) or (done is None and running and now > due)
        rows.append(
            {
                "key": key,
                "label": label,
                "due": due,
                "done": done,
                "late": late,
                "counting": done is None and running,
            }
        )
    return rows


def photo_groups(order: WorkOrder) -> list[dict]:
    from django.core.files.storage import default_storage

    by_stage = defaultdict(list)
    for photo in order.photos.all():
        by_stage[photo.stage].append(
            {"name": photo.name, "url": default_storage.url(photo.key), "at": photo.uploaded_at}
        )
    return [
        {"stage": stage, "label": label, "photos": by_stage[stage]}
        for stage, label in Photo.Stage.choices
        if by_stage[stage]
    ]


def custom_answers(order: WorkOrder) -> list[tuple[str, str]]:
    """(label, answer) of the trade's custom fields, as people read them."""
    if not order.custom:
        return []
    from lowcode.forms.display import names_for, value_text
    from lowcode.forms.extensions import current_fields

    lang = "en" if (get_language() or "").startswith("en") else "zh"
    fields = [f for f in current_fields(trade_target(order.trade)) if f.key in order.custom]
    names = {}
    for kind in ("user", "department", "room"):
        ids = {order.custom[f.key] for f in fields if f.type == kind and isinstance(order.custom[f.key], int)}
        if ids:
            names[kind] = names_for(kind, ids)
    return [(f.label(lang), value_text(f.spec, order.custom[f.key], lang, names)) for f in fields]


def can_reopen(order: WorkOrder) -> bool:
    if order.status not in (Status.COMPLETED, Status.VERIFIED) or order.completed_at is None:
        return False
    days = Settings.current().reopen_days
    return timezone.now() - order.completed_at <= dt.timedelta(days=days)


def _with_photos(run):
    """Keep the form's photos, run the action with their references (dropped if refused)."""
    return lambda order, user, data: actions.with_photos(
        data.get("photos") or [], actor=user, then=lambda refs: run(order, user, data, refs)
    )


def _remove_material(order, user, data):
    raw = str(data.get("line") or "")
    line = order.materials.filter(pk=int(raw)).select_related("order").first() if raw.isdigit() else None
    if line is None:
        raise actions.WorkOrderError(_("That material is not on this order."), code="not_found")
    actions.remove_material(line, actor=user)


# what: (form class, form kwargs, run(order, user, cleaned data), message when done); a button
# without a form gets the posted line (remove_material).
HANDLERS = {
    "cancel": (
        CancelForm,
        {},
        lambda order, user, data: actions.cancel(order, actor=user, reason=data["reason"]),
        gettext_lazy("The order is cancelled."),
    ),
    "verify": (
        VerifyForm,
        {},
        lambda order, user, data: actions.verify(
            order, actor=user, rating=data["rating"], comment=data["comment"]
        ),
        gettext_lazy("Thank you: the work is checked and rated."),
    ),
    "reopen": (
        ReopenForm,
        {},
        lambda order, user, data: actions.reopen(order, actor=user, reason=data["reason"]),
        gettext_lazy("The order is reopened and back with the worker."),
    ),
    "complain": (
        ComplainForm,
        {},
        lambda order, user, data: actions.complain(order, actor=user, text=data["text"]),
        gettext_lazy("Your complaint is sent to the service desk."),
    ),
    "take": (
        None,
        {},
        lambda order, user, data: actions.take(order, actor=user),
        gettext_lazy("The job is yours."),
    ),
    "start": (
        PhotosForm,
        {},
        _with_photos(lambda order, user, data, refs: actions.start(order, actor=user, photos=refs)),
        gettext_lazy("Work started."),
    ),
    "photos": (
        PhotosForm,
        {"require_photos": True},
        _with_photos(
            lambda order, user, data, refs: actions.add_photos(
                order, actor=user, photos=refs, stage=data["stage"]
            ),
        ),
        gettext_lazy("Photos added."),
    ),
    "material": (
        MaterialForm,
        {},
        lambda order, user, data: actions.add_material(
            order, actor=user, item=data["item"], quantity=data["quantity"]
        ),
        gettext_lazy("Material added."),
    ),
    "remove_material": (None, {}, _remove_material, gettext_lazy("Material removed.")),
    "complete": (
        CompleteForm,
        {},
        _with_photos(
            lambda order, user, data, refs: actions.complete(
                order,
                actor=user,
                notes=data["notes"],
                labour_minutes=data["labour_minutes"],
                chargeable=data["chargeable"],
                photos=refs,
            ),
        ),
        gettext_lazy("Completed: the reporter is asked to check it."),
    ),
}


def _perform(request, order: WorkOrder, what: str):
    """Run one button's action; returns (what, bound form) to show its errors, or None when
    the page should be reloaded (done, or refused with a message)."""
    handler = HANDLERS.get(what)
    if handler is None:
        messages.error(request, _("Unknown action."))
        return None
    form_class, kwargs, run, done = handler
    form = form_class(request.POST, request.FILES, auto_id=f"{what}-%s", **kwargs) if form_class else None
    if form is not None and not form.is_valid():
        return what, form
    data = form.cleaned_data if form is not None else {"line": request.POST.get("line")}
    try:
        run(order, request.user, data)
    except ValidationError as exc:
        if form is not None and hasattr(exc, "error_dict") and set(exc.error_dict) & set(form.fields):
            form.show_errors(exc)
            return what, form
        _refusal(request, exc)
    except PermissionDenied as exc:
        _refusal(request, exc)
    else:
        messages.success(request, done)
    return None


@login_required
def detail(request, pk):
    order = _visible_order(request, pk)
    bound = {}
    if request.method == "POST":
        result = _perform(request, order, request.POST.get("do", ""))
        if result is None:
            return redirect("workorders:detail", pk=order.pk)
        bound[result[0]] = result[1]
        order = get_object_or_404(selectors.orders(), pk=pk)
    return render(
        request,
        "workorders/detail.html",
        _detail_context(request, order, bound),
        status=400 if bound else 200,
    )


def _detail_context(request, order: WorkOrder, bound: dict) -> dict:
    user = request.user
    is_reporter = order.reporter_id is not None and order.reporter_id == user.pk
    is_worker = has_code(user, "workorders.work") and actions.can_work_on(order, user)
    status = order.status
    working = status in (Status.DISPATCHED, Status.IN_PROGRESS)
    can = {
        "cancel": is_reporter
        and status in (Status.PENDING_APPROVAL, Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED),
        "verify": is_reporter and status == Status.COMPLETED,
        "reopen": is_reporter and can_reopen(order),
        "complain": is_reporter and status not in (Status.CANCELLED,),
        "take": is_worker and status == Status.DISPATCHED and order.responded_at is None,
        "start": is_worker and status == Status.DISPATCHED,
        "photos": is_worker and working,
        "material": is_worker and working,
        "complete": is_worker and status == Status.IN_PROGRESS,
    }
    photo_stage = Photo.Stage.AFTER if status == Status.IN_PROGRESS else Photo.Stage.BEFORE
    forms = {
        "cancel": CancelForm(auto_id="cancel-%s"),
        "verify": VerifyForm(auto_id="verify-%s"),
        "reopen": ReopenForm(auto_id="reopen-%s"),
        "complain": ComplainForm(auto_id="complain-%s"),
        "start": PhotosForm(auto_id="start-%s"),
        "photos": PhotosForm(auto_id="photos-%s", require_photos=True, initial={"stage": photo_stage}),
        "material": MaterialForm(auto_id="material-%s") if can["material"] else None,
        "complete": CompleteForm(auto_id="complete-%s", initial={"chargeable": order.chargeable}),
        **bound,
    }
    approval = None
    if order.trade.approval_workflow_id or status == Status.PENDING_APPROVAL:
        from lowcode.workflows import actions as workflows
        from lowcode.workflows.selectors import latest_request

        instance = latest_request(actions.SUBJECT, order.pk)
        if instance is not None:
            approval = {"instance": instance, "can_open": workflows.involved(instance, user)}
    return {
        "order": order,
        "path": order.room.path(),
        "steps": progress(order),
        "stopped": status in STOPPED,
        "sla": sla(order),
        "timeline": selectors.timeline(order),
        "photo_groups": photo_groups(order),
        "materials": list(order.materials.select_related("item")),
        "custom": custom_answers(order),
        "approval": approval,
        "is_reporter": is_reporter,
        "is_worker": is_worker,
        "can": can,
        "forms": forms,
        "open_form": next(iter(bound), ""),
        "max_photos": actions.MAX_PHOTOS,
        "star_values": ["5", "4", "3", "2", "1"],
    }


@require_GET
@login_required
def order_status(request, pk):
    """Where one order stands (the detail page polls it to say "this changed")."""
    order = _visible_order(request, pk)
    return JsonResponse({"id": order.pk, "status": order.status, "label": order.get_status_display()})


# --- Lists -------------------------------------------------------------------------------------------


def due_of(order: WorkOrder):
    """The deadline that matters now: respond by (not taken yet), else resolve by."""
    if order.responded_at is None and order.response_due_at:
        return order.response_due_at
    return order.resolution_due_at


@login_required
def work(request):
    """The worker's jobs: assigned to me, or waiting in my team's queue (soonest due first)."""
    now = timezone.now()
    jobs = list(selectors.for_worker(request.user)[:200])
    rows = []
    for order in jobs:
        due = due_of(order)
        rows.append(
            {
                "order": order,
                "due": due,
                "overdue": bool(due and due < now),
                "queue": order.assignee_id is None,
            }
        )
    counts = {
        "all": len(rows),
        "new": sum(
            1 for r in rows if r["order"].status == Status.DISPATCHED and r["order"].responded_at is None
        ),
        "in_progress": sum(1 for r in rows if r["order"].status == Status.IN_PROGRESS),
        "overdue": sum(1 for r in rows if r["overdue"]),
    }
    return render(
        request,
        "workorders/work.html",
        {"rows": rows, "counts": counts, "is_worker": has_code(request.user, "workorders.work")},
    )


@login_required
def mine(request):
    """What I reported, newest first, with live status."""
    page = Paginator(selectors.reported_by(request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "workorders/mine.html",
        {"page": page, "can_report": has_code(request.user, "workorders.submit")},
    )


@require_GET
@login_required
def mine_status(request):
    """The status of my latest requests, for the "mine" page to refresh in place."""
    orders = selectors.reported_by(request.user).select_related(None).only("pk", "status")[:100]
    return JsonResponse(
        {"orders": [{"id": o.pk, "status": o.status, "label": o.get_status_display()} for o in orders]}
    )
