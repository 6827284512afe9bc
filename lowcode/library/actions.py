"""Publishing group templates in an HQ and adopting them in a subsidiary (every write here).

- `publish(obj, kind, user)`: in a group headquarters, snapshot one of its saved reports,
  published forms or workflows as a template (again: a new version of the same template).
- `withdraw(template, user)`: subsidiaries no longer see it (their copies stay theirs).
- `visible_templates(tenant)`: what a tenant is offered — the templates its ancestors
  publish, never anyone else's.
- `adopt(template, user, code=…, name=…)`: a copy in the current tenant's schema, made by
  the modules' own actions (so their checks apply), in one transaction with the adoption
  record; any refusal leaves nothing behind.

A template must be self-contained: what names records of the HQ itself (people or
departments by id in a workflow, filters on ids in a report) is refused when publishing,
since the same ids mean other records, or nothing, in a subsidiary.
"""

from __future__ import annotations

import copy
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.access import has_code
from identity.actions import require
from kernel import outbox
from kernel.modules import current_tenant
from lowcode.library.models import GroupTemplate, GroupTemplateAdoption, TemplateKind

MAX_PAYLOAD_BYTES = 512 * 1024
# What else a publisher must be allowed to do with each kind (beside reports.hq).
PUBLISH_CODES = {
    TemplateKind.REPORT: "reports.add",
    TemplateKind.FORM: "forms.change",
    TemplateKind.WORKFLOW: "workflows.change",
}
# What an adopter must be allowed to do: create the copy and publish it.
ADOPT_CODES = {
    TemplateKind.REPORT: ("reports.add",),
    TemplateKind.FORM: ("forms.add", "forms.change"),
    TemplateKind.WORKFLOW: ("workflows.add", "workflows.change"),
}
# Workflow approver rules that name records of one organisation by id.
LOCAL_APPROVERS = {"user", "department", "department_head"}


def _person(user) -> str:
    if user is None:
        return ""
    return (getattr(user, "full_name", "") or getattr(user, "username", "") or str(user))[:200]


# --- Who sees what ---------------------------------------------------------------------------------


def ancestors(tenant) -> list:
    """The tenant's parent, its parent's parent… (the groups it belongs to, nearest first)."""
    from tenants.models import Tenant

    found, seen = [], {tenant.pk}
    parent_id = tenant.parent_id
    while parent_id is not None and parent_id not in seen:
        parent = Tenant.objects.filter(pk=parent_id).first()
        if parent is None:
            break
        found.append(parent)
        seen.add(parent.pk)
        parent_id = parent.parent_id
    return found


def visible_templates(tenant):
    """Templates offered to `tenant`: published (not withdrawn) by one of its ancestors."""
    if tenant is None:
        return GroupTemplate.objects.none()
    publishers = [t.pk for t in ancestors(tenant)]
    return GroupTemplate.objects.filter(publisher_id__in=publishers, withdrawn=False).select_related(
        "publisher"
    )


def published_by(tenant):
    """The templates `tenant` itself publishes (withdrawn ones too)."""
    if tenant is None:
        return GroupTemplate.objects.none()
    return GroupTemplate.objects.filter(publisher=tenant)


def adoption_state(tenant, templates) -> dict[int, dict]:
    """Per template id: its latest adoption by `tenant` and whether a newer version exists."""
    state: dict[int, dict] = {}
    by_id = {t.pk: t for t in templates}
    rows = GroupTemplateAdoption.objects.filter(tenant=tenant, template_id__in=list(by_id)).order_by(
        "template_id", "-version", "-adopted_at", "-pk"
    )
    for row in rows:
        if row.template_id in state:
            continue
        template = by_id[row.template_id]
        state[row.template_id] = {
            "adoption": row,
            "version": row.version,
            "newer": template.version > row.version,
        }
    return state


# --- Snapshots ---------------------------------------------------------------------------------------


def _report_payload(report, user) -> dict:
    from lowcode.reports import actions as reports
    from lowcode.reports.datasets import all_datasets

    reports.check_spec(report.spec, user=user)
    dataset = all_datasets().get(report.spec.get("dataset"))
    for index, item in enumerate(report.spec.get("filters") or []):
        if not isinstance(item, dict) or item.get("op") in ("empty", "not_empty"):
            continue
        dimension = dataset.dimension(item.get("field")) if dataset else None
        if dimension is not None and dimension.path.endswith("_id"):
            raise ValidationError(
                {
                    "object": ValidationError(
                        _(
                            "The filter on %(field)s names records of this organisation; "
                            "subsidiaries have their own. Remove it before publishing (filters[%(n)s])."
                        )
                        % {"field": dimension.label, "n": index},
                        code="local_reference",
                    )
                }
            )
    return {
        "name": report.name,
        "name_en": report.name_en,
        "spec": copy.deepcopy(report.spec),
        "view": report.view,
    }


def _form_payload(form) -> dict:
    from lowcode.forms.models import FormDefinition

    if form.kind != FormDefinition.Kind.FORM:
        raise ValidationError(
            {
                "object": ValidationError(
                    _("Only stand-alone forms can be templates, not custom fields of a record."),
                    code="unsupported",
                )
            }
        )
    if form.current_version_id is None:
        raise ValidationError(
            {"object": ValidationError(_("Publish the form before offering it."), code="unpublished")}
        )
    return {
        "code": form.code,
        "name": form.name,
        "name_en": form.name_en,
        "description": form.description,
        "definition": copy.deepcopy(form.current_version.definition),
        "form_version": form.current_version.number,
    }


def _local_approver_problems(definition) -> list[str]:
    """Where a workflow names people or departments of one organisation by id."""
    found = []
    for index, step in enumerate(definition.get("steps") or []):
        if not isinstance(step, dict):
            continue
        for key in ("approvers", "recipients", "assignees"):
            for r_index, rule in enumerate(step.get(key) or []):
                if isinstance(rule, dict) and rule.get("type") in LOCAL_APPROVERS:
                    found.append(f"steps[{index}].{key}[{r_index}]")
    return found


def _workflow_definition_problems(definition) -> ValidationError | None:
    """The workflow engine's own checks, plus what a template cannot carry."""
    from lowcode.workflows import definition as defs

    if not isinstance(definition, dict) or not isinstance(definition.get("steps"), list):
        return ValidationError(_("The workflow definition is malformed."), code="bad_definition")
    problems = defs.check(definition)
    if problems:
        return ValidationError([ValidationError(f"{p.where}: {p.message}", code=p.code) for p in problems])
    local = _local_approver_problems(definition)
    if local:
        return ValidationError(
            _(
                "People or departments chosen by name belong to one organisation (%(where)s); "
                "use roles, workgroups or the requester's head instead."
            )
            % {"where": ", ".join(local)},
            code="local_reference",
        )
    return None


def _workflow_payload(workflow) -> dict:
    definition = workflow.current_version.definition if workflow.current_version_id else workflow.draft
    problem = _workflow_definition_problems(definition)
    if problem is not None:
        raise ValidationError({"object": problem})
    return {
        "code": workflow.code,
        "name": workflow.name,
        "name_en": workflow.name_en,
        "definition": copy.deepcopy(definition),
    }


def _snapshot(obj, kind: str, user) -> tuple[str, dict]:
    if kind == TemplateKind.REPORT:
        return f"report-{obj.pk}", _report_payload(obj, user)
    if kind == TemplateKind.FORM:
        return obj.code, _form_payload(obj)
    return obj.code, _workflow_payload(obj)


# --- Publishing (in the HQ) ---------------------------------------------------------------------------


def _publisher(user, kind: str):
    if kind not in TemplateKind.values:
        raise ValidationError({"kind": ValidationError(_("Choose a report, form or workflow."), code="kind")})
    tenant = current_tenant()
    if tenant is None or tenant.kind != "group":
        raise ValidationError(
            _("Only a group headquarters publishes templates for its subsidiaries."), code="not_group"
        )
    require(user, "reports.hq")
    require(user, PUBLISH_CODES[kind])
    return tenant


def publishable(kind: str, user):
    """The HQ's own objects of `kind` that `user` may offer (a queryset)."""
    if kind == TemplateKind.REPORT:
        from lowcode.reports.actions import visible_reports

        return visible_reports(user)
    if kind == TemplateKind.FORM:
        from lowcode.forms.models import FormDefinition

        return FormDefinition.objects.filter(kind=FormDefinition.Kind.FORM, current_version__isnull=False)
    if kind == TemplateKind.WORKFLOW:
        from lowcode.workflows.models import WorkflowDefinition

        return WorkflowDefinition.objects.all()
    return None


def publish(obj, kind: str, user, *, description: str = "") -> GroupTemplate:
    """Offer `obj` (a saved report, form or workflow of this HQ) to the subsidiaries; publishing
    the same object again makes a new version of its template (and brings it back if withdrawn)."""
    tenant = _publisher(user, kind)
    code, payload = _snapshot(obj, kind, user)
    if len(json.dumps(payload, default=str)) > MAX_PAYLOAD_BYTES:
        raise ValidationError({"object": ValidationError(_("The template is too large."), code="too_large")})
    with transaction.atomic():
        template = (
            GroupTemplate.objects.select_for_update().filter(publisher=tenant, kind=kind, code=code).first()
        )
        creating = template is None
        if not creating and not template.withdrawn and template.payload == json.loads(json.dumps(payload)):
            raise ValidationError(
                {
                    "object": ValidationError(
                        _("Nothing has changed since version %(n)s.") % {"n": template.version},
                        code="unchanged",
                    )
                }
            )
        if creating:
            template = GroupTemplate(publisher=tenant, kind=kind, code=code, version=1)
        else:
            template.version = F("version") + 1
        template.name = payload["name"][:200]
        template.name_en = (payload.get("name_en") or "")[:200]
        template.description = (
            description if description else (payload.get("description") or template.description)
        )
        template.source_id = obj.pk
        template.payload = payload
        template.published_by = _person(user)
        template.published_at = timezone.now()
        template.withdrawn = False
        template.save()
        template.refresh_from_db()
        outbox.emit(
            "library.template.published",
            {"id": template.pk, "kind": kind, "code": code, "version": template.version},
            actor=user,
        )
    return template


def withdraw(template: GroupTemplate, user) -> GroupTemplate:
    """Subsidiaries no longer see the template; copies they made stay theirs."""
    tenant = _publisher(user, template.kind)
    if template.publisher_id != tenant.pk:
        raise PermissionDenied(_("This template belongs to another organisation."))
    with transaction.atomic():
        GroupTemplate.objects.filter(pk=template.pk).update(withdrawn=True)
        template.withdrawn = True
        outbox.emit(
            "library.template.withdrawn",
            {"id": template.pk, "kind": template.kind, "code": template.code},
            actor=user,
        )
    return template


# --- Adopting (in a subsidiary) --------------------------------------------------------------------


def may_adopt(user, kind: str) -> bool:
    return all(has_code(user, code) for code in ADOPT_CODES.get(kind, ("-",)))


def _adopt_report(template: GroupTemplate, user, *, name: str, name_en: str):
    from lowcode.reports import actions as reports
    from lowcode.reports.datasets import all_datasets
    from lowcode.reports.models import SavedReport

    payload = template.payload
    spec = payload.get("spec")
    if not isinstance(spec, dict) or payload.get("view") not in SavedReport.View.values:
        raise ValidationError(
            _("This template is malformed; ask the headquarters to publish it again."), code="bad_template"
        )
    dataset = spec.get("dataset")
    if dataset not in all_datasets():
        if isinstance(dataset, str) and dataset.startswith("forms."):
            message = _(
                "This report reads the form “%(code)s”, which is not published in this organisation. "
                "Adopt or publish that form first."
            ) % {"code": dataset.removeprefix("forms.")}
        else:
            message = _(
                "This report reads data this organisation does not have (%(dataset)s); switch the module on first."
            ) % {"dataset": dataset}
        raise ValidationError(message, code="missing_dataset")
    report = SavedReport(name=name, name_en=name_en, spec=copy.deepcopy(spec), view=payload["view"])
    return reports.save_report(report, user=user)


def _adopt_form(template: GroupTemplate, user, *, code: str, name: str, name_en: str):
    from lowcode.forms import actions as forms
    from lowcode.forms import definition as defs
    from lowcode.forms.models import FormDefinition

    definition = template.payload.get("definition")
    if not isinstance(definition, dict) or not isinstance(definition.get("sections"), list):
        raise ValidationError(
            _("This template is malformed; ask the headquarters to publish it again."), code="bad_template"
        )
    problems = defs.check(definition)
    if problems:
        raise ValidationError([ValidationError(f"{p.where}: {p.message}", code=p.code) for p in problems])
    form = FormDefinition(
        code=code,
        name=name,
        name_en=name_en,
        description=template.payload.get("description") or "",
        kind=FormDefinition.Kind.FORM,
    )
    forms.save_form(form, user=user)
    forms.save_draft(form, copy.deepcopy(definition), user=user)
    forms.publish(
        form,
        user=user,
        note=_("Adopted from the group template %(code)s v%(n)s")
        % {"code": template.code, "n": template.version},
    )
    return form


def _adopt_workflow(template: GroupTemplate, user, *, code: str, name: str, name_en: str):
    from lowcode.workflows import actions as workflows
    from lowcode.workflows.models import WorkflowDefinition

    definition = template.payload.get("definition")
    problem = _workflow_definition_problems(definition)
    if problem is not None:
        raise problem
    workflow = WorkflowDefinition(code=code, name=name, name_en=name_en, draft=copy.deepcopy(definition))
    workflows.save_workflow(workflow, user=user)
    workflows.publish(workflow, user=user)
    return workflow


def _taken_code(kind: str, code: str) -> bool:
    if kind == TemplateKind.FORM:
        from lowcode.forms.models import FormDefinition

        return FormDefinition.objects.filter(code=code).exists()
    if kind == TemplateKind.WORKFLOW:
        from lowcode.workflows.models import WorkflowDefinition

        return WorkflowDefinition.objects.filter(code=code).exists()
    return False


def adopt(template: GroupTemplate, user, *, code: str = "", name: str = "", name_en: str | None = None):
    """A copy of `template` in the current tenant's schema; returns the new local object.

    `code`, `name`, `name_en` replace the template's own (a code already used here is a
    field error on `code`: choose another). Nothing is written unless everything succeeds.
    """
    tenant = current_tenant()
    if tenant is None or not visible_templates(tenant).filter(pk=template.pk).exists():
        raise PermissionDenied(_("This template is not offered to this organisation."))
    for needed in ADOPT_CODES[template.kind]:
        require(user, needed)
    payload = template.payload if isinstance(template.payload, dict) else {}
    code = (code or "").strip() or payload.get("code", "")
    name = (name or "").strip() or template.name
    name_en = (name_en or "").strip() or template.name_en
    errors = {}
    if template.kind != TemplateKind.REPORT and code and _taken_code(template.kind, code):
        errors["code"] = ValidationError(
            _("This organisation already has a %(kind)s with the code “%(code)s”; choose another code.")
            % {"kind": template.get_kind_display().lower(), "code": code},
            code="duplicate_code",
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if template.kind == TemplateKind.REPORT:
            local = _adopt_report(template, user, name=name, name_en=name_en)
        elif template.kind == TemplateKind.FORM:
            local = _adopt_form(template, user, code=code, name=name, name_en=name_en)
        else:
            local = _adopt_workflow(template, user, code=code, name=name, name_en=name_en)
        GroupTemplateAdoption.objects.create(
            template=template,
            tenant=tenant,
            version=template.version,
            local_kind=template.kind,
            local_id=local.pk,
            adopted_by=_person(user),
        )
        outbox.emit(
            "library.template.adopted",
            {"template": template.pk, "version": template.version, "kind": template.kind, "id": local.pk},
            actor=user,
        )
    return local
