"""Console pages of work orders (Wagtail admin, under /console/workorders/desk/):

- the dispatch board: orders waiting for the desk, with their age and SLA countdown; accept,
  dispatch (to a suggested worker of the trade's teams, with their open workload, or to a
  team's queue), reject with a reason; and the "log a call / walk-in" form;
- the order page: timeline, photos, materials, costs, and the desk's follow-up (reassign,
  revisit, close, complaints, rectifications), with the printable PDF sheet;
- settings and the SLA "what if" replay; statistics with charts; the chargeback statement.

Every page checks its permission code (`identity.access.has_code`) and reads orders through
`identity.access.restrict`; every change goes through `modules.workorders.actions`.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.viewsets.base import ViewSet

from identity.access import has_code, restrict
from kernel.console import add_validation_error
from modules.workorders import actions, selectors, stats
from modules.workorders.models import (
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
DESK = "workorders.dispatch"
VIEW = "workorders.view"
CONFIGURE = "workorders.configure"
BOARD_PAGE_SIZE = 50


# --- Shared -----------------------------------------------------------------------------------------


def _need(request, code: str) -> None:
    if not has_code(request.user, code):
        raise PermissionDenied


def _visible(request):
    """The orders the signed-in person may see (their role's data scope)."""
    return restrict(WorkOrder.objects.all(), request.user, "view")


def _order_or_404(request, pk):
    return get_object_or_404(restrict(selectors.orders(), request.user, "view"), pk=pk)


def _words() -> dict:
    """How durations read (the page's script uses the same words to count down)."""
    return {
        "min": _("{m} min"),
        "h": _("{h} h {m} min"),
        "d": _("{d} d {h} h"),
        "left": _("{t} left"),
        "late": _("{t} late"),
    }


def _span(minutes: float) -> str:
    """A duration as people read it: 45 min, 2 h 5 min, 3 d 4 h."""
    words = _words()
    minutes = int(abs(minutes))
    if minutes < 60:
        return words["min"].replace("{m}", str(minutes))
    if minutes < 24 * 60:
        return words["h"].replace("{h}", str(minutes // 60)).replace("{m}", str(minutes % 60))
    return words["d"].replace("{d}", str(minutes // 1440)).replace("{h}", str(minutes % 1440 // 60))


def _countdown(due, now) -> dict | None:
    if due is None:
        return None
    minutes = (due - now).total_seconds() / 60
    state = "late" if minutes < 0 else "soon" if minutes < 30 else "ok"
    text = _words()["late" if minutes < 0 else "left"].replace("{t}", _span(minutes))
    return {"due": due, "minutes": round(minutes), "text": text, "state": state}


def _page(request, template: str, context: dict):
    """Render a console page with the tenant's chart colours and the countdown words."""
    from kernel.branding import branding_for

    brand = branding_for()
    context["wo_colours"] = {
        "primary": brand.primary if brand else "#1f6feb",
        "accent": brand.accent if brand else "#0e9f6e",
    }
    context["wo_words"] = _words()
    return render(request, template, context)


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()
        }
    return {"__all__": list(exc.messages)}


def _refused(request, order: WorkOrder, exc: actions.WorkOrderError) -> None:
    """A refused transition, said plainly: who got there first and what the order is now."""
    if exc.code == "wrong_state":
        current = WorkOrder.objects.select_related("assignee", "team").get(pk=order.pk)
        who = current.assignee or current.team
        messages.error(
            request,
            _(
                "%(number)s was already handled by someone else: it is now “%(status)s”%(who)s. "
                "Nothing was changed."
            )
            % {
                "number": current.number,
                "status": current.get_status_display(),
                "who": (_(" (%(who)s)") % {"who": who}) if who else "",
            },
        )
    else:
        messages.error(request, " ".join(exc.messages))


def _run(request, order, call) -> tuple[bool, dict]:
    """Run an action; returns (done, field errors). Refusals of state or permission become
    messages; bad input comes back per field."""
    try:
        call()
    except actions.WorkOrderError as exc:
        _refused(request, order, exc)
        return False, {}
    except ValidationError as exc:
        errors = _field_errors(exc)
        for message in errors.pop("__all__", []):
            messages.error(request, message)
        if errors:
            messages.error(request, _("Please correct the errors below."))
        return False, errors
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
        return False, {}
    return True, {}


def _next(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=False):
        return target
    return default


def _workers_for(request, trade_ids) -> dict:
    """Who can be sent: per trade, the members of active teams of that trade (suggested), then
    everyone else in a team; each with the open orders they hold now."""
    teams = list(Team.objects.filter(is_active=True).prefetch_related("members", "trades"))
    members = {}
    for team in teams:
        for member in team.members.all():
            if member.is_active:
                members.setdefault(member.pk, {"user": member, "teams": []})["teams"].append(team)
    load = {
        row["assignee_id"]: row["n"]
        for row in restrict(
            WorkOrder.objects.filter(
                assignee_id__in=list(members), status__in=(Status.DISPATCHED, Status.IN_PROGRESS)
            ),
            request.user,
            "view",
        )
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("id"))
    }

    def entry(pk):
        found = members[pk]
        return {
            "id": pk,
            "name": str(found["user"]),
            "teams": ", ".join(str(t) for t in found["teams"]),
            "load": load.get(pk, 0),
        }

    by_trade = {}
    for trade_id in set(trade_ids):
        suggested = sorted(
            {m.pk for t in teams if any(tr.pk == trade_id for tr in t.trades.all()) for m in t.members.all()}
            & set(members),
            key=lambda pk: (load.get(pk, 0), str(members[pk]["user"])),
        )
        others = sorted(set(members) - set(suggested), key=lambda pk: str(members[pk]["user"]))
        by_trade[trade_id] = {
            "suggested": [entry(pk) for pk in suggested],
            "others": [entry(pk) for pk in others],
            "teams": [t for t in teams if any(tr.pk == trade_id for tr in t.trades.all())] or teams,
        }
    return by_trade


# --- The dispatch board ------------------------------------------------------------------------------


def board(request):
    """Orders waiting for the desk (submitted or accepted), oldest first."""
    _need(request, DESK)
    row_errors: dict[int, dict] = {}
    if request.method == "POST":
        # Any order the desk may see (not only those still waiting): one dispatched by another
        # officer a moment ago is refused by the action with a clear message, not a 404.
        raw = request.POST.get("order") or ""
        if not raw.isdigit():
            raise Http404
        order = _order_or_404(request, int(raw))
        done, errors = _board_action(request, order)
        if done:
            return redirect(_next(request, reverse("workorders_desk:board")))
        row_errors[order.pk] = errors
    waiting = restrict(selectors.board().select_related("building", "desk_officer"), request.user, "view")
    trade_filter = request.GET.get("trade") or ""
    if trade_filter.isdigit():
        waiting = waiting.filter(trade_id=int(trade_filter))
    page = Paginator(waiting, BOARD_PAGE_SIZE).get_page(request.GET.get("p"))
    now = timezone.now()
    orders = list(page.object_list)
    workers = _workers_for(request, [o.trade_id for o in orders])
    rows = [
        {
            "order": order,
            "age": _span((now - order.submitted_at).total_seconds() / 60),
            "response": _countdown(order.response_due_at, now),
            "choices": workers.get(order.trade_id),
            "errors": row_errors.get(order.pk, {}),
            "posted": request.POST if order.pk in row_errors else {},
        }
        for order in orders
    ]
    return _page(
        request,
        "workorders/console/board.html",
        {
            "page_title": _("Dispatch board"),
            "page": page,
            "rows": rows,
            "count": page.paginator.count,
            "trades": Trade.objects.filter(is_active=True),
            "trade_filter": trade_filter,
            "header_icon": "clipboard-list",
        },
    )


def _board_action(request, order) -> tuple[bool, dict]:
    verb = request.POST.get("do")
    user = request.user
    if verb == "accept":
        done, errors = _run(request, order, lambda: actions.accept(order, actor=user))
        if done:
            messages.success(request, _("%(number)s is accepted.") % {"number": order.number})
    elif verb == "dispatch":
        worker = request.POST.get("worker") or None
        team = request.POST.get("team") or None
        done, errors = _run(
            request,
            order,
            lambda: actions.dispatch(
                order, actor=user, worker=worker, team=team, note=request.POST.get("note", "")
            ),
        )
        if done:
            order.refresh_from_db()
            messages.success(
                request,
                _("%(number)s is dispatched to %(who)s.")
                % {"number": order.number, "who": order.assignee or order.team},
            )
    elif verb == "reject":
        done, errors = _run(
            request, order, lambda: actions.reject(order, actor=user, reason=request.POST.get("reason", ""))
        )
        if done:
            messages.success(
                request, _("%(number)s is rejected; the reporter is told why.") % {"number": order.number}
            )
    else:
        raise Http404
    return done, errors


class CallForm(forms.Form):
    """The desk logs a phone call or a walk-in; the action checks everything again."""

    channel = forms.ChoiceField(
        label=gettext_lazy("How it came in"),
        choices=[
            (WorkOrder.Channel.PHONE, gettext_lazy("Phone call")),
            (WorkOrder.Channel.WALK_IN, gettext_lazy("Walk-in")),
        ],
        initial=WorkOrder.Channel.PHONE,
        widget=forms.RadioSelect,
    )
    contact_name = forms.CharField(
        label=gettext_lazy("Caller"),
        max_length=100,
        error_messages={"required": gettext_lazy("Who called? Give the caller's name.")},
    )
    contact_phone = forms.CharField(label=gettext_lazy("Phone number"), max_length=30, required=False)
    received_at = forms.DateTimeField(
        label=gettext_lazy("Time received"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Empty: now."),
    )
    trade = forms.ModelChoiceField(
        label=gettext_lazy("Kind of fault"),
        queryset=Trade.objects.none(),
        error_messages={
            "required": gettext_lazy("Choose a kind of fault."),
            "invalid_choice": gettext_lazy("Choose a kind of fault."),
        },
    )
    room = forms.ModelChoiceField(
        label=gettext_lazy("Location"),
        queryset=None,
        error_messages={
            "required": gettext_lazy("Choose where the fault is."),
            "invalid_choice": gettext_lazy("Choose where the fault is."),
        },
    )
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), choices=Priority.choices, initial="normal")
    description = forms.CharField(
        label=gettext_lazy("What is wrong"),
        max_length=actions.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Say what is wrong.")},
    )
    preferred_time = forms.CharField(label=gettext_lazy("Preferred time"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        from modules.spaces.models import Room

        super().__init__(*args, **kwargs)
        self.fields["trade"].queryset = Trade.objects.filter(is_active=True)
        rooms = Room.objects.filter(is_active=True).select_related("floor__building")
        self.fields["room"].queryset = rooms
        groups: dict = {}
        for room in rooms.order_by("floor__building__code", "floor__level", "code"):
            groups.setdefault(str(room.floor.building), []).append(
                (room.pk, f"{room.floor} · {room.code} {room.display_name}")
            )
        self.fields["room"].widget.choices = [("", "—"), *groups.items()]

    def clean_received_at(self):
        value = self.cleaned_data.get("received_at")
        if value and value > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError(_("The call cannot be in the future."), code="invalid")
        return value


def log_call(request):
    _need(request, DESK)
    form = CallForm(request.POST or None, initial={"received_at": timezone.localtime()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = actions.submit(
                user=request.user,
                trade=data["trade"],
                room=data["room"],
                description=data["description"],
                priority=data["priority"],
                channel=data["channel"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                preferred_time=data["preferred_time"],
                received_at=data["received_at"] or None,
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        except PermissionDenied:
            raise
        else:
            order.refresh_from_db()
            messages.success(
                request,
                _("%(number)s is logged (%(status)s).")
                % {"number": order.number, "status": order.get_status_display()},
            )
            return redirect("workorders_desk:order", pk=order.pk)
    return _page(
        request,
        "workorders/console/call.html",
        {"page_title": _("Log a call or walk-in"), "form": form, "header_icon": "plus"},
    )


# --- The order page -------------------------------------------------------------------------------------


def order_detail(request, pk):
    order = _order_or_404(request, pk)
    can_desk = has_code(request.user, DESK)
    errors: dict[str, dict] = {}
    if request.method == "POST":
        if not can_desk and request.POST.get("do") != "resolve":
            raise PermissionDenied
        verb = request.POST.get("do", "")
        done, found = _detail_action(request, order, verb)
        if done:
            return redirect("workorders_desk:order", pk=order.pk)
        errors[verb] = found
        order = _order_or_404(request, pk)
    from django.core.files.storage import default_storage

    now = timezone.now()
    photos = [{"photo": photo, "url": default_storage.url(photo.key)} for photo in order.photos.all()]
    materials = list(order.materials.select_related("item"))
    workers = _workers_for(request, [order.trade_id]).get(order.trade_id) if can_desk else None
    return _page(
        request,
        "workorders/console/order.html",
        {
            "page_title": _("Work order %(number)s") % {"number": order.number},
            "order": order,
            "location": " / ".join(str(x) for x in order.room.path()),
            "timeline": selectors.timeline(order),
            "photos": photos,
            "materials": materials,
            "revisits": order.revisits.select_related("officer"),
            "complaints": order.complaints.select_related("author"),
            "rectifications": order.rectifications.select_related("worker", "supervisor"),
            "can_desk": can_desk,
            "can_reassign": can_desk and order.status == Status.DISPATCHED,
            "can_revisit": can_desk and order.status in (Status.COMPLETED, Status.VERIFIED, Status.CLOSED),
            "can_close": can_desk and order.status == Status.VERIFIED,
            "workers": workers,
            "outcomes": Revisit.Outcome.choices,
            "errors": errors,
            "posted": request.POST if errors else {},
            "response": _countdown(order.response_due_at, now)
            if order.responded_at is None and order.status in WorkOrder.OPEN
            else None,
            "resolution": _countdown(order.resolution_due_at, now)
            if order.completed_at is None and order.status in WorkOrder.OPEN
            else None,
            "portal_url": request.build_absolute_uri(reverse("workorders:detail", kwargs={"pk": order.pk})),
            "stars": "★" * (order.rating or 0),
            "header_icon": "doc-full",
        },
    )


def _detail_action(request, order, verb) -> tuple[bool, dict]:
    user, post = request.user, request.POST

    def reassign():
        actions.reassign(order, actor=user, worker=post.get("worker") or None, note=post.get("note", ""))

    def revisit():
        actions.revisit(order, actor=user, outcome=post.get("outcome", ""), note=post.get("note", ""))

    def close():
        actions.close(order, actor=user)

    def complain():
        actions.complain(order, actor=user, text=post.get("text", ""))

    def resolve():
        item = get_object_or_404(Rectification, pk=_pk(post.get("rectification")), order=order)
        actions.resolve_rectification(item, actor=user, resolution=post.get("resolution", ""))

    verbs = {
        "reassign": (reassign, _("%(number)s is given to another worker.")),
        "revisit": (revisit, _("The revisit of %(number)s is recorded.")),
        "close": (close, _("%(number)s is closed.")),
        "complain": (complain, _("The complaint about %(number)s is recorded.")),
        "resolve": (resolve, _("The rectification of %(number)s is done.")),
    }
    if verb not in verbs:
        raise Http404
    call, said = verbs[verb]
    done, errors = _run(request, order, call)
    if done:
        messages.success(request, said % {"number": order.number})
    return done, errors


def _pk(value) -> int:
    value = str(value or "")
    return int(value) if value.isdigit() else 0


def order_sheet(request, pk):
    """The printable PDF work-order sheet (branded, with a QR code back to the order)."""
    from modules.workorders import printing

    order = _order_or_404(request, pk)
    portal_url = request.build_absolute_uri(reverse("workorders:detail", kwargs={"pk": order.pk}))
    pdf = printing.order_sheet(order, portal_url=portal_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


# --- Settings and the "what if" -----------------------------------------------------------------------------


class SettingsForm(forms.Form):
    """Shown and posted as text: the action checks every field (and says what is wrong)."""

    auto_accept_days = forms.CharField(
        label=gettext_lazy("Taken as accepted after (days)"),
        help_text=gettext_lazy("A completed order the reporter neither accepts nor reopens: 1 to 30 days."),
        widget=forms.NumberInput(attrs={"min": 1, "max": 30}),
        required=False,
    )
    reopen_days = forms.CharField(
        label=gettext_lazy("Reporter may reopen within (days)"),
        help_text=gettext_lazy("After completion: 0 to 90 days."),
        widget=forms.NumberInput(attrs={"min": 0, "max": 90}),
        required=False,
    )
    escalate_after_minutes = forms.CharField(
        label=gettext_lazy("Escalate when not responded to after (minutes)"),
        help_text=gettext_lazy("For orders without an SLA rule; to the team's supervisor. 1 to 10,080."),
        widget=forms.NumberInput(attrs={"min": 1, "max": 10080}),
        required=False,
    )
    hourly_rate = forms.CharField(
        label=gettext_lazy("Labour rate (¥ per hour)"),
        widget=forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
        required=False,
    )
    default_chargeable = forms.BooleanField(
        label=gettext_lazy("Charge departments by default"),
        help_text=gettext_lazy("New orders are chargeable unless the worker marks them free."),
        required=False,
    )


def settings_page(request):
    _need(request, CONFIGURE)
    current = Settings.current()
    initial = {
        "auto_accept_days": current.auto_accept_days,
        "reopen_days": current.reopen_days,
        "escalate_after_minutes": current.escalate_after_minutes,
        "hourly_rate": current.hourly_rate,
        "default_chargeable": current.default_chargeable,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_settings(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("The work-order settings are saved; they apply from now on."))
            return redirect("workorders_desk:settings")
    return _page(
        request,
        "workorders/console/settings.html",
        {"page_title": _("Work-order settings"), "form": form, "header_icon": "cog"},
    )


class WhatIfForm(forms.Form):
    trade = forms.ModelChoiceField(
        label=gettext_lazy("Trade"),
        queryset=Trade.objects.none(),
        required=False,
        empty_label=gettext_lazy("Any trade"),
    )
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"),
        choices=[("", gettext_lazy("Any priority")), *Priority.choices],
        required=False,
    )
    response_minutes = forms.IntegerField(
        label=gettext_lazy("Respond within (minutes)"), min_value=1, max_value=525600
    )
    resolution_minutes = forms.IntegerField(
        label=gettext_lazy("Resolve within (minutes)"), min_value=1, max_value=525600
    )
    business_hours = forms.BooleanField(label=gettext_lazy("Count working hours only"), required=False)
    first_day = forms.DateField(
        label=gettext_lazy("Orders submitted from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last_day = forms.DateField(label=gettext_lazy("to"), widget=forms.DateInput(attrs={"type": "date"}))

    MAX_DAYS = 366

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trade"].queryset = Trade.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day comes before the first."))
        elif first and last and (last - first).days >= self.MAX_DAYS:
            self.add_error("last_day", _("At most a year at a time."))
        response, resolution = data.get("response_minutes"), data.get("resolution_minutes")
        if response and resolution and resolution < response:
            self.add_error("resolution_minutes", _("Resolving cannot take less time than responding."))
        return data


def what_if(request):
    """Last month's orders (or another period) under a proposed SLA rule, next to how they did."""
    _need(request, CONFIGURE)
    last_month = stats.period("last_month")
    default_rule = SlaRule.objects.filter(trade__isnull=True, priority="normal").first()
    initial = {
        "first_day": last_month.first_day,
        "last_day": last_month.last_day,
        "response_minutes": getattr(default_rule, "response_minutes", 120),
        "resolution_minutes": getattr(default_rule, "resolution_minutes", 1440),
    }
    form = WhatIfForm(request.GET if "response_minutes" in request.GET else None, initial=initial)
    result = chart = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        p = stats.Period("custom", data["first_day"], data["last_day"], "week")
        result = actions.replay(
            {
                "response_minutes": data["response_minutes"],
                "resolution_minutes": data["resolution_minutes"],
                "business_hours": data["business_hours"],
            },
            since=p.start,
            until=p.end,
            trade_id=getattr(data["trade"], "pk", None),
            priority=data["priority"] or None,
        )
        chart = {
            "kind": "compare",
            "categories": [str(_("Response")), str(_("Resolution"))],
            "series": [
                {
                    "name": str(_("Actual targets")),
                    "values": [result["actual"]["response_rate"], result["actual"]["resolution_rate"]],
                },
                {
                    "name": str(_("Proposed rule")),
                    "values": [result["proposed"]["response_rate"], result["proposed"]["resolution_rate"]],
                },
            ],
            "unit": "%",
        }
    return _page(
        request,
        "workorders/console/what_if.html",
        {
            "page_title": _("SLA what if"),
            "form": form,
            "result": result,
            "chart": chart,
            "rules": SlaRule.objects.select_related("trade"),
            "header_icon": "history",
        },
    )


# --- Statistics ------------------------------------------------------------------------------------------------


PERIODS = (
    ("month", gettext_lazy("This month")),
    ("last_month", gettext_lazy("Last month")),
    ("12m", gettext_lazy("Last 12 months")),
    ("custom", gettext_lazy("Custom")),
)


def _period_from(request) -> tuple[stats.Period, dict]:
    kind = request.GET.get("period") or "month"
    if kind not in dict(PERIODS):
        kind = "month"
    try:
        return stats.period(kind, first_day=request.GET.get("from"), last_day=request.GET.get("to")), {}
    except ValidationError as exc:
        return stats.period("month"), _field_errors(exc)


def statistics(request):
    _need(request, VIEW)
    p, period_errors = _period_from(request)
    data = stats.page(_visible(request), p)
    charts = _charts(data)
    return _page(
        request,
        "workorders/console/stats.html",
        {
            "page_title": _("Work-order statistics"),
            "period": p,
            "periods": PERIODS,
            "period_errors": period_errors,
            "from_value": request.GET.get("from", p.first_day.isoformat()),
            "to_value": request.GET.get("to", p.last_day.isoformat()),
            "data": data,
            "charts": charts,
            "repeat_days": stats.REPEAT_DAYS,
            "desk_kinds": [(kind, selectors.EVENT_LABELS.get(kind, kind)) for kind in stats.DESK_KINDS],
            "all_orders_url": stats.drill(p),
            "breakdowns": [
                ("trade", _("By trade"), data["by_trade"]),
                ("building", _("By building"), data["by_building"]),
                ("department", _("By department"), data["by_department"]),
            ],
            "header_icon": "table",
        },
    )


def _bars(rows, *, name="name", value="count", url="url") -> dict:
    return {
        "kind": "bars",
        "categories": [str(r[name]) for r in rows],
        "values": [r[value] for r in rows],
        "urls": [r.get(url) for r in rows],
    }


def _charts(data) -> dict:
    volume = data["volume"]
    trades = data["by_trade"]
    return {
        "chart-volume": {
            "kind": "volume",
            "categories": [b["label"] for b in volume["buckets"]],
            "values": [b["count"] for b in volume["buckets"]],
            "trend": [b["trend"] for b in volume["buckets"]],
            "urls": [b["url"] for b in volume["buckets"]],
            "names": [str(_("Orders")), str(_("Trend"))],
        },
        "chart-trade": _bars(trades),
        "chart-building": _bars(data["by_building"]),
        "chart-department": _bars(data["by_department"]),
        "chart-sla": {
            "kind": "compare",
            "categories": [t["name"] for t in trades],
            "series": [
                {"name": str(_("Responded in time")), "values": [t["response_rate"] for t in trades]},
                {"name": str(_("Resolved in time")), "values": [t["resolution_rate"] for t in trades]},
            ],
            "urls": [t["late_url"] for t in trades],
            "unit": "%",
        },
        "chart-satisfaction": {
            "kind": "pie",
            "categories": [
                str(_("%(n)s stars") % {"n": s["rating"]}) for s in data["satisfaction"]["scores"]
            ],
            "values": [s["count"] for s in data["satisfaction"]["scores"]],
            "urls": [s["url"] for s in data["satisfaction"]["scores"]],
        },
    }


# --- Chargeback --------------------------------------------------------------------------------------------------


class ChargebackForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month"),
        widget=forms.DateInput(attrs={"type": "month"}),
        error_messages={"required": gettext_lazy("Choose a month.")},
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department (and those below it)"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All departments"),
    )

    def __init__(self, *args, **kwargs):
        from identity.models import Department

        super().__init__(*args, **kwargs)
        departments = Department.objects.order_by("path")
        self.fields["department"].queryset = departments
        self.fields["department"].label_from_instance = lambda d: "　" * (d.depth - 1) + str(d)

    def clean_month(self):
        raw = (self.cleaned_data.get("month") or "").strip()
        try:
            month = dt.date.fromisoformat(f"{raw}-01")
        except ValueError:
            raise ValidationError(_("A month such as 2026-05."), code="invalid") from None
        if month > timezone.localdate():
            raise ValidationError(_("That month has not begun."), code="invalid")
        return month


def chargeback(request):
    """The monthly chargeback statement per department: on screen, as XLSX and as PDF."""
    from modules.workorders import printing

    _need(request, VIEW)
    default_month = stats.period("last_month").first_day
    form = ChargebackForm(
        request.GET if "month" in request.GET else None, initial={"month": default_month.strftime("%Y-%m")}
    )
    statement = None
    if form.is_bound and form.is_valid():
        statement = stats.chargeback(
            _visible(request), form.cleaned_data["month"], form.cleaned_data["department"]
        )
    elif not form.is_bound:
        statement = stats.chargeback(_visible(request), default_month)
    fmt = request.GET.get("format")
    if statement is not None and fmt in ("xlsx", "pdf"):
        name = f"chargeback-{statement['month']:%Y-%m}"
        if statement["department"] is not None:
            name += f"-{statement['department'].code}"
        if fmt == "xlsx":
            response = HttpResponse(
                printing.chargeback_xlsx(statement),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        else:
            response = HttpResponse(printing.chargeback_pdf(statement), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    query = request.GET.copy()
    query.pop("format", None)
    if not form.is_bound:
        query["month"] = default_month.strftime("%Y-%m")
    return _page(
        request,
        "workorders/console/chargeback.html",
        {
            "page_title": _("Chargeback statement"),
            "form": form,
            "statement": statement,
            "query": query.urlencode(),
            "header_icon": "doc-full",
        },
    )


# --- The console's routes -------------------------------------------------------------------------------------


class DeskViewSet(ViewSet):
    """The pages above under one URL namespace (`workorders_desk`), so the module guard
    answers 404 for all of them when the module is off for the organisation."""

    name = "workorders_desk"
    url_prefix = "workorders/desk"
    icon = "cogs"

    def get_urlpatterns(self):
        return [
            path("", board, name="board"),
            path("call/", log_call, name="call"),
            path("orders/<int:pk>/", order_detail, name="order"),
            path("orders/<int:pk>/sheet.pdf", order_sheet, name="sheet"),
            path("statistics/", statistics, name="stats"),
            path("chargeback/", chargeback, name="chargeback"),
            path("settings/", settings_page, name="settings"),
            path("what-if/", what_if, name="whatif"),
        ]


desk_viewset = DeskViewSet()
