"""URLs of the public host names: the platform operator's site."""

from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tenants.operator.urls")),
]
