"""Console home panels shared by the kernel, and the base every module's panel uses."""

from wagtail.admin.ui.components import Component

from kernel.models import Notification


class ModulePanel(Component):
    """A dashboard panel: `template_name`, `name`, `order`, and `data(request)` for its context."""

    name = "module-panel"
    order = 100

    def data(self, request) -> dict:
        return {}

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        return {"request": request, "panel": self, **self.data(request)}


def bars(rows, label_key="label", value_key="value"):
    """Rows with a `percent` of the largest value, for CSS bar charts in panels."""
    top = max((row[value_key] for row in rows), default=0) or 1
    return [{**row, "percent": round(100 * row[value_key] / top)} for row in rows]


class NotificationsPanel(ModulePanel):
    name = "notifications"
    template_name = "kernel/panels/notifications.html"

    def data(self, request):
        mine = Notification.objects.filter(recipient=request.user)
        return {"unread": mine.filter(read_at__isnull=True).count(), "latest": list(mine[:5])}
