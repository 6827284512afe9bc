from django.conf import settings
from django.db.models import Count

from identity.access import restrict
from identity.models import Department, Role, User
from kernel.panels import ModulePanel, bars


class PeoplePanel(ModulePanel):
    name = "people"
    template_name = "identity/panels/people.html"

    def data(self, request):
        from axes.models import AccessAttempt

        users = restrict(User.objects.filter(is_active=True), request.user)
        roles = (
            Role.objects.filter(users__in=users).annotate(n=Count("users", distinct=True)).order_by("-n")[:6]
        )
        return {
            "users": users.count(),
            "departments": restrict(Department.objects.filter(is_active=True), request.user).count(),
            "locked": AccessAttempt.objects.filter(
                failures_since_start__gte=settings.AXES_FAILURE_LIMIT
            ).count(),
            "by_role": bars([{"label": str(role), "value": role.n} for role in roles]),
        }
