"""Tenant wording of notifications (per kind and language), edited in the console."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from kernel import modules
from kernel.console import ActionModelViewSet
from kernel.models import MessageTemplate


class MessageTemplateForm(WagtailAdminModelForm):
    kind = forms.ChoiceField(label=_("Notification"))

    class Meta:
        model = MessageTemplate
        fields = ["kind", "language", "subject", "body"]
        help_texts = {
            "body": _("Placeholders in braces, e.g. {title}, are filled in; nothing else is interpreted.")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (key, kind.label) for key, kind in modules.notification_kinds().items()
        ]


class MessageTemplateActions:
    @staticmethod
    def create(instance, *, user=None, form=None):
        from identity.actions import require

        require(user, "portal.manage_branding")
        instance.full_clean()
        instance.save()
        return instance

    update = create

    @staticmethod
    def delete(instance, *, user=None):
        from identity.actions import require

        require(user, "portal.manage_branding")
        instance.delete()


class MessageTemplateViewSet(ActionModelViewSet):
    model = MessageTemplate
    actions = MessageTemplateActions
    icon = "mail"
    url_prefix = "portal/message-templates"
    list_display = ["kind", "language", "subject"]

    def get_form_class(self, for_update=False):
        return MessageTemplateForm


message_template_viewset = MessageTemplateViewSet("kernel_messagetemplate")
