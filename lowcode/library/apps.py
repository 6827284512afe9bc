from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    """Group templates: reports, forms and workflows an HQ publishes for its subsidiaries.

    A SHARED app (public schema), because the HQ and its subsidiaries live in different
    schemas; the copies a subsidiary adopts are made in its own schema by the modules' actions.
    Its console screen hangs off the reports module's menu (lowcode/reports/apps.py).
    """

    name = "lowcode.library"
    label = "lowcode_library"
    verbose_name = _("Group templates")
    default_auto_field = "django.db.models.BigAutoField"
