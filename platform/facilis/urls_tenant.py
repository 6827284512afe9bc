"""URLs of a tenant's domains: portal, console, API, and every module's views.

Module URLs come from the registry (ModuleSpec.urls), mounted at /<prefix>/ under the
module's key as namespace; kernel.middleware.ModuleGuardMiddleware answers 404 for a
module the tenant has not enabled.
"""

from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from kernel import modules
from kernel.graphql.views import TenantGraphQLView
from kernel.views import brand_asset
from portal.views import search

urlpatterns = [
    path("console/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("files/", include("kernel.urls")),
    path("graphql/", TenantGraphQLView.as_view(graphiql=True), name="graphql"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("brand/<str:kind>", brand_asset, name="brand-asset"),
    path("search/", search, name="portal-search"),
]

for spec in modules.all_modules():
    if spec.urls:
        prefix = spec.url_prefix or spec.key
        urlpatterns.append(path(f"{prefix}/", include((spec.urls, spec.key), namespace=spec.key)))

# Everything else is the tenant's page tree (portal.models): home, news, FAQ, services.
urlpatterns.append(path("", include(wagtail_urls)))
