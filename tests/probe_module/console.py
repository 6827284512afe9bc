from django.http import HttpResponse
from django.urls import path
from wagtail.admin.viewsets.base import ViewSet


class ProbeConsole(ViewSet):
    icon = "cog"

    def index(self, request):
        return HttpResponse("probe console")

    def get_urlpatterns(self):
        return [path("", self.index, name="index")]


probe_console = ProbeConsole("probe_console", url_prefix="probe")
