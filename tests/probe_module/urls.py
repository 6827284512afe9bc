from django.http import HttpResponse
from django.urls import path


def hello(request):
    return HttpResponse(f"probe in {request.tenant.schema_name}")


def boom(request):
    # Personal data in an exception message must never reach Sentry.
    raise RuntimeError("failed for zhang.wei@example.com on 13812345678")


urlpatterns = [
    path("", hello, name="hello"),
    path("boom/", boom, name="boom"),
]
