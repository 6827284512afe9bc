"""Console screens for webhooks: endpoints, and the delivery log with manual redelivery."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.forms import WagtailAdminModelForm

from kernel import webhooks
from kernel.console import ActionModelViewSet
from kernel.models import WebhookDelivery, WebhookEndpoint


def _require(request):
    from identity.access import has_code

    if not has_code(request.user, "webhooks.manage"):
        raise PermissionDenied


class EndpointForm(WagtailAdminModelForm):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")
    event_types = forms.CharField(
        label=gettext_lazy("Events"),
        help_text=gettext_lazy(
            "Comma-separated, with * as a wildcard: spaces.room.*, identity.user.created, or *"
        ),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "event_types", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["event_types"] = ", ".join(self.instance.event_types)

    def clean_event_types(self):
        values = [part.strip() for part in self.cleaned_data["event_types"].split(",") if part.strip()]
        if not values:
            raise forms.ValidationError(_("Name at least one event (or *)."))
        return values


class EndpointActions:
    @staticmethod
    def create(instance, *, user=None, form=None):
        return webhooks.save_endpoint(instance, actor=user)

    update = create

    @staticmethod
    def delete(instance, *, user=None):
        from identity.actions import require

        require(user, "webhooks.manage")
        instance.delete()


class WebhookEndpointViewSet(ActionModelViewSet):
    model = WebhookEndpoint
    actions = EndpointActions
    icon = "link-external"
    url_prefix = "webhooks/endpoints"
    list_display = ["name", "url", "is_active"]
    edit_template_name = "kernel/webhooks/edit.html"

    def get_form_class(self, for_update=False):
        return EndpointForm


webhook_endpoint_viewset = WebhookEndpointViewSet("kernel_webhookendpoint")


def delivery_log(request):
    _require(request)
    deliveries = WebhookDelivery.objects.select_related("endpoint").prefetch_related("attempt_log")
    endpoint_id = request.GET.get("endpoint")
    if endpoint_id and endpoint_id.isdigit():
        deliveries = deliveries.filter(endpoint_id=endpoint_id)
    status = request.GET.get("status")
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "kernel/webhooks/log.html",
        {
            "page": page,
            "endpoints": WebhookEndpoint.objects.all(),
            "page_title": _("Webhook deliveries"),
            "statuses": WebhookDelivery.Status.choices,
        },
    )


@require_POST
def redeliver(request, pk):
    _require(request)
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    result = webhooks.redeliver(delivery, actor=request.user)
    if result.status_code and 200 <= result.status_code < 300:
        messages.success(request, _("Delivered again (HTTP %(code)s).") % {"code": result.status_code})
    else:
        messages.error(
            request,
            _("The endpoint did not accept it: %(why)s") % {"why": result.status_code or result.error},
        )
    return redirect("kernel_webhook_log")
