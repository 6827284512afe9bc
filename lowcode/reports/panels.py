"""The console home panel: the tenant's default dashboard, for those who may see it."""

from kernel.panels import ModulePanel
from lowcode.reports import dashboards


class DefaultDashboardPanel(ModulePanel):
    name = "default-dashboard"
    template_name = "lowcode_reports/panels/default_dashboard.html"
    _dashboard = None

    def data(self, request):
        from lowcode.reports.dashboard_views import rendered_widgets

        dashboard = self._dashboard or dashboards.default_dashboard(request.user)
        return {
            "dashboard": dashboard,
            "widgets": rendered_widgets(dashboard, request.user) if dashboard else [],
        }

    def render_html(self, parent_context=None):
        """Nothing at all when there is no default dashboard this user may see."""
        request = parent_context.get("request") if parent_context is not None else None
        if request is None:
            return ""
        self._dashboard = dashboards.default_dashboard(request.user)
        if self._dashboard is None:
            return ""
        return super().render_html(parent_context)
