"""Console screens of group templates (/console/group-templates/).

In a group headquarters: the templates it publishes, a form to publish one of its saved
reports, forms or workflows, withdraw and republish (a new version). In a subsidiary: the
templates its groups offer, whether (and which version) it adopted each, and adoption with
the code and names of the copy. An organisation outside any group sees none.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from identity.access import has_code
from kernel.console import add_validation_error
from kernel.modules import current_tenant
from lowcode.library import actions
from lowcode.library.models import GroupTemplate, TemplateKind

KIND_LABELS = {
    TemplateKind.REPORT: _lazy("Reports"),
    TemplateKind.FORM: _lazy("Forms"),
    TemplateKind.WORKFLOW: _lazy("Workflows"),
}


def _tenant():
    tenant = current_tenant()
    if tenant is None:
        raise Http404("no organisation")
    return tenant


def _publishes(tenant, user) -> list[str]:
    """The kinds `user` may publish here (none outside a group headquarters)."""
    if tenant.kind != "group" or not has_code(user, "reports.hq"):
        return []
    return [kind for kind, code in actions.PUBLISH_CODES.items() if has_code(user, code)]


def _adopts(user) -> list[str]:
    return [kind for kind in TemplateKind.values if actions.may_adopt(user, kind)]


def _object_label(kind: str, obj) -> str:
    if kind == TemplateKind.REPORT:
        return obj.display_name
    return f"{obj.code} · {obj.name}"


class PublishForm(forms.Form):
    object = forms.ChoiceField(label=_lazy("What to publish"))
    description = forms.CharField(
        label=_lazy("Note for the subsidiaries"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, kinds=(), user=None, **kwargs):
        super().__init__(*args, **kwargs)
        groups = []
        for kind in kinds:
            rows = actions.publishable(kind, user)
            options = [(f"{kind}:{obj.pk}", _object_label(kind, obj)) for obj in rows]
            if options:
                groups.append((str(KIND_LABELS[kind]), options))
        self.fields["object"].choices = [("", "---------"), *groups]

    def chosen(self, user):
        """(kind, object) of the choice, or a field error."""
        kind, _sep, pk = self.cleaned_data["object"].partition(":")
        rows = actions.publishable(kind, user)
        obj = rows.filter(pk=pk).first() if rows is not None and pk.isdigit() else None
        if obj is None:
            raise ValidationError(
                {"object": ValidationError(_("Choose something to publish."), code="invalid")}
            )
        return kind, obj


class AdoptForm(forms.Form):
    code = forms.SlugField(label=_lazy("Code"), max_length=50)
    name = forms.CharField(label=_lazy("Name"), max_length=200)
    name_en = forms.CharField(label=_lazy("English name"), max_length=200, required=False)

    def __init__(self, *args, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        if template is not None and template.kind == TemplateKind.REPORT:
            del self.fields["code"]  # reports have no code of their own


def _local_url(kind: str, pk: int) -> str | None:
    names = {
        TemplateKind.REPORT: "lowcode_reports_edit",
        TemplateKind.FORM: "lowcode_forms_form:edit",
        TemplateKind.WORKFLOW: "lowcode_workflows_workflow:edit",
    }
    try:
        return reverse(names[kind], args=[pk])
    except NoReverseMatch:
        return None


def index(request):
    tenant = _tenant()
    user = request.user
    kinds = _publishes(tenant, user)
    adopt_kinds = _adopts(user)
    if not (kinds or adopt_kinds or has_code(user, "reports.add") or has_code(user, "reports.hq")):
        raise PermissionDenied
    publish_form = None
    if kinds:
        publish_form = PublishForm(request.POST or None, kinds=kinds, user=user)
        if request.method == "POST" and publish_form.is_valid():
            try:
                kind, obj = publish_form.chosen(user)
                template = actions.publish(
                    obj, kind, user, description=publish_form.cleaned_data["description"]
                )
            except ValidationError as exc:
                add_validation_error(publish_form, exc)
            except PermissionDenied as exc:
                publish_form.add_error(None, str(exc) or _("You may not publish this."))
            else:
                messages.success(
                    request,
                    _("“%(name)s” is offered to the subsidiaries as version %(n)s.")
                    % {"name": template.display_name, "n": template.version},
                )
                return redirect("lowcode_library_index")
    elif request.method == "POST":
        raise PermissionDenied
    published = (
        list(actions.published_by(tenant).annotate(adopters=Count("adoptions__tenant", distinct=True)))
        if tenant.kind == "group"
        else []
    )
    offered = list(actions.visible_templates(tenant))
    state = actions.adoption_state(tenant, offered)
    rows = []
    for template in offered:
        entry = state.get(template.pk)
        rows.append(
            {
                "template": template,
                "adopted": entry,
                "local_url": _local_url(template.kind, entry["adoption"].local_id) if entry else None,
                "can_adopt": template.kind in adopt_kinds,
            }
        )
    return render(
        request,
        "lowcode_library/console/index.html",
        {
            "page_title": _("Group templates"),
            "tenant": tenant,
            "is_group": tenant.kind == "group",
            "in_group": bool(tenant.parent_id),
            "publish_form": publish_form,
            "can_publish": bool(kinds),
            "published": published,
            "offered": rows,
        },
    )


def _own_template(request, pk: int) -> GroupTemplate:
    tenant = _tenant()
    return get_object_or_404(actions.published_by(tenant), pk=pk)


@require_POST
def withdraw(request, pk: int):
    template = _own_template(request, pk)
    try:
        actions.withdraw(template, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(name)s” is withdrawn.") % {"name": template.display_name})
    return redirect("lowcode_library_index")


@require_POST
def republish(request, pk: int):
    template = _own_template(request, pk)
    rows = actions.publishable(template.kind, request.user)
    source = rows.filter(pk=template.source_id).first() if rows is not None else None
    if source is None:
        messages.error(request, _("The original of this template is gone or no longer yours to publish."))
        return redirect("lowcode_library_index")
    try:
        template = actions.publish(source, template.kind, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("“%(name)s” is published again as version %(n)s.")
            % {"name": template.display_name, "n": template.version},
        )
    return redirect("lowcode_library_index")


def adopt(request, pk: int):
    tenant = _tenant()
    template = get_object_or_404(actions.visible_templates(tenant), pk=pk)
    if not actions.may_adopt(request.user, template.kind):
        raise PermissionDenied
    initial = {
        "code": template.payload.get("code", "") if isinstance(template.payload, dict) else "",
        "name": template.name,
        "name_en": template.name_en,
    }
    form = AdoptForm(request.POST or None, initial=initial, template=template)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            local = actions.adopt(
                template, request.user, code=data.get("code", ""), name=data["name"], name_en=data["name_en"]
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("Adopted “%(name)s” (version %(n)s) as a copy of your own.")
                % {"name": template.display_name, "n": template.version},
            )
            url = _local_url(template.kind, local.pk)
            return redirect(url or "lowcode_library_index")
    state = actions.adoption_state(tenant, [template]).get(template.pk)
    return render(
        request,
        "lowcode_library/console/adopt.html",
        {
            "page_title": _("Adopt “%(name)s”") % {"name": template.display_name},
            "template": template,
            "form": form,
            "adopted": state,
        },
    )
