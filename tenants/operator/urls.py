from django.contrib.auth import views as auth_views
from django.urls import path

from tenants.operator import views

app_name = "operator"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="operator/login.html",
            next_page="operator:dashboard",
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="operator:login"), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("tenants/new/", views.tenant_new, name="tenant-new"),
    path("tenants/<int:pk>/", views.tenant_detail, name="tenant"),
    path("tenants/<int:pk>/suspend/", views.tenant_suspend, name="tenant-suspend"),
    path("tenants/<int:pk>/resume/", views.tenant_resume, name="tenant-resume"),
    path("tenants/<int:pk>/delete/", views.tenant_delete, name="tenant-delete"),
    path("tenants/<int:pk>/domains/", views.domain_add, name="domain-add"),
    path("tenants/<int:pk>/modules/<str:key>/", views.module_toggle, name="module-toggle"),
]
