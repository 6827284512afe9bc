"""Console screens: the order list (scoped, filtered, exported; each row opens the order's
console page) and the set-up records."""

import datetime as dt

import django_filters
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.widgets import ListingButton

from kernel.console import ActionModelViewSet, ScopedIndexView
from kernel.records import record_actions
from modules.workorders.models import DispatchRule, SlaRule, Team, Trade, WorkOrder

SETUP = record_actions("workorders", permission="workorders.configure")


def _departments(request):
    from identity.models import Department

    return Department.objects.order_by("path")


def _people(request):
    from identity.models import User

    return User.objects.all()


def _rooms(request):
    from modules.spaces.models import Room

    return Room.objects.all()


class OrderFilterSet(WagtailFilterSet):
    """The list's filters. Statistics drill down with the same query parameters: the period
    (`submitted_at_from`, `submitted_at_to`, days in the organisation's time zone), `trade`,
    `building`, `department`, `assignee`, `desk_officer`, `room`, `rating`,
    `response_breached`. Worker, desk officer and room come only from those links (hidden
    here: a select of every person or room would be too long)."""

    submitted_at = django_filters.DateFromToRangeFilter(
        label=_("Submitted"), widget=DateRangePickerWidget, method="filter_submitted"
    )
    department = django_filters.ModelChoiceFilter(label=_("Charged department"), queryset=_departments)
    rating = django_filters.ChoiceFilter(
        label=_("Rating"), choices=[(n, str(n)) for n in range(1, 6)], widget=forms.RadioSelect
    )
    assignee = django_filters.ModelChoiceFilter(label=_("Worker"), queryset=_people, widget=forms.HiddenInput)
    desk_officer = django_filters.ModelChoiceFilter(
        label=_("Logged by"), queryset=_people, widget=forms.HiddenInput
    )
    room = django_filters.ModelChoiceFilter(label=_("Location"), queryset=_rooms, widget=forms.HiddenInput)

    class Meta:
        model = WorkOrder
        fields = ["status", "trade", "priority", "channel", "building", "team", "response_breached"]

    def filter_submitted(self, queryset, name, value):
        """Whole days in the organisation's time zone (the statistics' periods are too)."""
        from modules.workorders.stats import zone

        if value.start is not None:
            start = dt.datetime.combine(value.start.date(), dt.time.min, tzinfo=zone())
            queryset = queryset.filter(submitted_at__gte=start)
        if value.stop is not None:
            end = dt.datetime.combine(value.stop.date() + dt.timedelta(days=1), dt.time.min, tzinfo=zone())
            queryset = queryset.filter(submitted_at__lt=end)
        return queryset


class OrderIndexView(ScopedIndexView):
    """Each row opens the order's console page (timeline, desk actions, printable sheet)."""

    def get_edit_url(self, instance):
        return reverse("workorders_desk:order", args=[instance.pk])

    get_inspect_url = get_edit_url

    def get_add_url(self):
        """ "Add" is the desk logging a call or a walk-in (reporters use the portal)."""
        from identity.access import has_code

        return reverse("workorders_desk:call") if has_code(self.request.user, "workorders.dispatch") else None

    def get_list_more_buttons(self, instance):
        return []

    def get_list_buttons(self, instance):
        return [
            ListingButton(_("Open"), url=self.get_edit_url(instance), priority=1),
            ListingButton(
                _("Sheet (PDF)"), url=reverse("workorders_desk:sheet", args=[instance.pk]), priority=2
            ),
        ]


class OrderViewSet(ActionModelViewSet):
    model = WorkOrder
    url_prefix = "workorders/orders"
    # Read-only here: orders are created and moved by their own actions (board, portal, API),
    # so the add / edit / delete screens (the only users of `actions`) are switched off.
    index_view_class = OrderIndexView
    filterset_class = OrderFilterSet
    add_view_enabled = False
    edit_view_enabled = False
    delete_view_enabled = False
    icon = "list-ul"
    menu_label = _("Work orders")
    list_display = ["number", "status", "trade", "priority", "room", "reporter", "assignee", "submitted_at"]
    search_fields = ["number", "description", "contact_name"]
    list_export = [
        "number",
        "status",
        "trade",
        "priority",
        "room",
        "department",
        "reporter",
        "assignee",
        "submitted_at",
        "completed_at",
        "total_cost",
        "rating",
    ]
    form_fields = []


class TradeViewSet(ActionModelViewSet):
    model = Trade
    url_prefix = "workorders/trades"
    actions = SETUP
    icon = "tag"
    menu_label = _("Trades")
    list_display = ["code", "name", "name_en", "approval_workflow", "sort_order", "is_active"]
    search_fields = ["code", "name", "name_en"]
    form_fields = ["code", "name", "name_en", "approval_workflow", "sort_order", "is_active"]


class TeamViewSet(ActionModelViewSet):
    model = Team
    url_prefix = "workorders/teams"
    actions = SETUP
    icon = "group"
    menu_label = _("Teams")
    list_display = ["code", "name", "supervisor", "is_active"]
    search_fields = ["code", "name", "name_en"]
    form_fields = ["code", "name", "name_en", "supervisor", "members", "trades", "is_active"]


class DispatchRuleViewSet(ActionModelViewSet):
    model = DispatchRule
    url_prefix = "workorders/dispatch-rules"
    actions = SETUP
    icon = "redirect"
    menu_label = _("Dispatch rules")
    list_display = ["order", "trade", "building", "team", "worker", "is_active"]
    list_filter = ["trade", "team", "is_active"]
    form_fields = ["order", "trade", "building", "team", "worker", "is_active"]


class SlaRuleViewSet(ActionModelViewSet):
    model = SlaRule
    url_prefix = "workorders/sla-rules"
    actions = SETUP
    icon = "time"
    menu_label = _("SLA rules")
    list_display = ["trade", "priority", "response_minutes", "resolution_minutes", "business_hours"]
    list_filter = ["trade", "priority"]
    form_fields = [
        "trade",
        "priority",
        "response_minutes",
        "resolution_minutes",
        "business_hours",
        "remind_before_minutes",
    ]


order_viewset = OrderViewSet("workorders_order")
trade_viewset = TradeViewSet("workorders_trade")
team_viewset = TeamViewSet("workorders_team")
dispatch_rule_viewset = DispatchRuleViewSet("workorders_dispatchrule")
sla_rule_viewset = SlaRuleViewSet("workorders_slarule")
