"""Console screens: the order list (scoped, filtered, exported) and the set-up records."""

from django.utils.translation import gettext_lazy as _

from kernel.console import ActionModelViewSet
from kernel.records import record_actions
from modules.workorders.models import DispatchRule, SlaRule, Team, Trade, WorkOrder

SETUP = record_actions("workorders", permission="workorders.configure")


class OrderActions:
    """Orders are created and moved by their own actions (the board, the portal), not here."""

    @staticmethod
    def create(instance, *, user=None, form=None):
        raise NotImplementedError

    update = create

    @staticmethod
    def delete(instance, *, user=None):
        raise NotImplementedError


class OrderViewSet(ActionModelViewSet):
    model = WorkOrder
    url_prefix = "workorders/orders"
    actions = OrderActions
    add_view_enabled = False
    edit_view_enabled = False
    delete_view_enabled = False
    icon = "list-ul"
    menu_label = _("Work orders")
    list_display = ["number", "status", "trade", "priority", "room", "reporter", "assignee", "submitted_at"]
    list_filter = ["status", "trade", "priority", "channel", "building", "team", "response_breached"]
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
