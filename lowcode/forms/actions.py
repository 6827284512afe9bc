"""Every change to forms and submissions (ARCHITECTURE.md §3.1): checked, in one transaction,
with its outbox event. Console screens, portal pages, the API and jobs call these.
"""

from __future__ import annotations

import json
from functools import lru_cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.actions import require
from kernel import outbox
from kernel.files import DOCUMENT_TYPES, store_file
from lowcode.forms import definition as defs
from lowcode.forms.models import FormDefinition, FormVersion, Submission, SubmissionIndex, VersionMigration
from lowcode.forms.validation import facets, validate

UPLOAD_PREFIX = "forms/uploads/"
MAX_DRAFT_BYTES = 256 * 1024
# What a form's file field accepts: documents and photos (kernel.files).
UPLOAD_TYPES = DOCUMENT_TYPES


@lru_cache(maxsize=256)
def _compiled(version_id: int, definition_json: str) -> defs.CompiledForm:
    return defs.compile_form(json.loads(definition_json))


def compiled(version: FormVersion) -> defs.CompiledForm:
    """A version's definition compiled once per process (versions never change)."""
    return _compiled(version.pk, json.dumps(version.definition, sort_keys=True))


class TenantReferences:
    """Ids of people, departments and rooms, and uploaded files, checked in this tenant."""

    def existing(self, kind: str, ids: set) -> set:
        from identity.models import Department, User
        from modules.spaces.models import Room

        if kind == "user":
            return set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
        if kind == "department":
            return set(Department.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if kind == "room":
            return set(Room.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
        if kind == "file":
            return {key for key in ids if key.startswith(UPLOAD_PREFIX) and default_storage.exists(key)}
        return set()


def _errors_to_validation(errors: dict[str, list[dict]]) -> ValidationError:
    return ValidationError(
        {
            key: [ValidationError(item["message"], code=item["code"]) for item in items]
            for key, items in errors.items()
        }
    )


# --- Definitions ----------------------------------------------------------------------------------


def save_form(form: FormDefinition, *, user=None) -> FormDefinition:
    """Create or change a form's name, code, kind and target (not its fields: see save_draft)."""
    creating = form._state.adding
    require(user, "forms.add" if creating else "forms.change")
    if form.kind == FormDefinition.Kind.EXTENSION and form.target not in extensible_targets():
        raise ValidationError(
            {"target": ValidationError(_("Choose a record that takes custom fields."), code="target")}
        )
    if form.kind == FormDefinition.Kind.FORM:
        form.target = ""
    if not creating:
        before = FormDefinition.objects.filter(pk=form.pk).values_list("kind", "target").first()
        if before and before != (form.kind, form.target) and form.versions.exists():
            raise ValidationError(
                _("A published form cannot change what it is or what it extends; make a new one."),
                code="kind_locked",
            )
    form.full_clean(exclude=["draft", "current_version"])
    with transaction.atomic():
        form.save()
        outbox.emit(
            f"forms.form.{'created' if creating else 'updated'}",
            {"id": form.pk, "code": form.code},
            actor=user,
        )
    return form


def delete_form(form: FormDefinition, *, user=None) -> None:
    """Delete a form nobody has submitted; one with submissions can only be closed."""
    require(user, "forms.delete")
    if form.submissions.exists():
        raise ValidationError(
            _("%(name)s has submissions; close it instead of deleting it.") % {"name": form.display_name},
            code="in_use",
        )
    with transaction.atomic():
        payload = {"id": form.pk, "code": form.code}
        FormDefinition.objects.filter(pk=form.pk).update(current_version=None)
        form.delete()
        outbox.emit("forms.form.deleted", payload, actor=user)


def save_draft(form: FormDefinition, draft, *, user=None) -> list[defs.Problem]:
    """Keep the designer's work; returns what would stop it from being published (saved anyway)."""
    require(user, "forms.change")
    if not isinstance(draft, dict) or not isinstance(draft.get("sections"), list):
        raise ValidationError(
            {"draft": ValidationError(_("The definition is malformed."), code="bad_definition")}
        )
    if len(json.dumps(draft)) > MAX_DRAFT_BYTES:
        raise ValidationError({"draft": ValidationError(_("The definition is too large."), code="too_large")})
    with transaction.atomic():
        FormDefinition.objects.filter(pk=form.pk).update(draft=draft, draft_changed_at=timezone.now())
        form.draft = draft
    return defs.check(draft)


def publish_impact(form: FormDefinition, draft: dict | None = None) -> list[dict]:
    """Fields of the current version that the draft removes or changes the type of, with how
    many submissions hold an answer for each, and how those answers will look."""
    if form.current_version is None:
        return []
    old = defs.field_keys(form.current_version.definition)
    new = defs.field_keys(draft if draft is not None else form.draft)
    impact = []
    submissions = Submission.objects.filter(form=form, status=Submission.Status.SUBMITTED)
    for key, kind in old.items():
        if key in new and new[key] == kind:
            continue
        count = submissions.filter(data__has_key=key).count()
        change = "removed" if key not in new else "type_changed"
        impact.append(
            {
                "key": key,
                "change": change,
                "old_type": kind,
                "new_type": new.get(key),
                "submissions": count,
                "display": _(
                    "Existing submissions keep showing it with the label and type of the version they were made with."
                ),
            }
        )
    return impact


def publish_problems(form: FormDefinition) -> list[defs.Problem]:
    """What stops the draft from being published: the definition's own checks, and for
    custom fields of a record, the field types a record cannot hold."""
    problems = defs.check(form.draft)
    if form.kind == FormDefinition.Kind.EXTENSION:
        from lowcode.forms.extensions import RECORD_TYPES

        for s_index, section in enumerate(form.draft.get("sections") or []):
            for f_index, spec in enumerate(section.get("fields") or []):
                if isinstance(spec, dict) and spec.get("type") not in RECORD_TYPES:
                    problems.append(
                        defs.Problem(
                            f"sections[{s_index}].fields[{f_index}]",
                            "unavailable_type",
                            _("Custom fields of a record cannot be files or repeating rows."),
                        )
                    )
    return problems


def publish(form: FormDefinition, *, user=None, note: str = "") -> FormVersion:
    """Freeze the draft into the next version, if it is publishable and changed."""
    require(user, "forms.change")
    with transaction.atomic():
        form = FormDefinition.objects.select_for_update().get(pk=form.pk)
        problems = publish_problems(form)
        if problems:
            raise ValidationError(
                {
                    "draft": [
                        ValidationError(f"{p.where}: {p.message}" if p.where else p.message, code=p.code)
                        for p in problems
                    ]
                }
            )
        current = form.current_version
        if current is not None and current.definition == form.draft:
            raise ValidationError(
                _("Nothing has changed since version %(n)s.") % {"n": current.number}, code="unchanged"
            )
        number = (current.number if current else 0) + 1
        version = FormVersion.objects.create(
            form=form, number=number, definition=form.draft, published_by=_user_or_none(user), note=note[:300]
        )
        FormDefinition.objects.filter(pk=form.pk).update(current_version=version)
        outbox.emit("forms.form.published", {"id": form.pk, "code": form.code, "version": number}, actor=user)
    return version


def _user_or_none(user):
    return user if getattr(user, "pk", None) else None


# --- Submissions ----------------------------------------------------------------------------------


def _open_version(form: FormDefinition) -> FormVersion:
    if form.kind != FormDefinition.Kind.FORM or not form.is_open or form.current_version_id is None:
        raise ValidationError(_("This form is not open for submissions."), code="closed")
    return form.current_version


def save_submission_draft(
    form: FormDefinition, answers, *, user, submission: Submission | None = None
) -> Submission:
    """Keep a half-filled form for later, as typed (checked only when submitted)."""
    if user is None or not getattr(user, "pk", None):
        raise PermissionDenied(_("Sign in to save a draft."))
    version = _open_version(form)
    if not isinstance(answers, dict) or len(json.dumps(answers, default=str)) > MAX_DRAFT_BYTES:
        raise ValidationError(_("The answers are malformed or too large."), code="invalid")
    with transaction.atomic():
        if submission is None:
            submission = Submission(form=form, submitter=user, department_id=user.department_id)
        elif (
            submission.submitter_id != user.pk
            or submission.status != Submission.Status.DRAFT
            or submission.form_id != form.pk
        ):
            raise PermissionDenied(_("This is not a draft of yours."))
        submission.version = version
        submission.data = answers
        submission.status = Submission.Status.DRAFT
        submission.save()
    return submission


def submit(
    form: FormDefinition, answers, *, user, lang: str = "zh", submission: Submission | None = None
) -> Submission:
    """Validate and store a submission (one message per field, nothing stored if any fails)."""
    if user is None or not getattr(user, "pk", None):
        raise PermissionDenied(_("Sign in to submit."))
    version = _open_version(form)
    result = validate(compiled(version), answers, lang=lang, refs=TenantReferences())
    if not result.ok:
        raise _errors_to_validation(result.errors)
    with transaction.atomic():
        if submission is not None:
            submission = Submission.objects.select_for_update().get(pk=submission.pk)
            if (
                submission.submitter_id != user.pk
                or submission.status != Submission.Status.DRAFT
                or submission.form_id != form.pk
            ):
                raise PermissionDenied(_("This is not a draft of yours."))
        else:
            submission = Submission(form=form, submitter=user, department_id=user.department_id)
        submission.version = version
        submission.data = result.cleaned
        submission.status = Submission.Status.SUBMITTED
        submission.submitted_at = timezone.now()
        submission.save()
        index_submission(submission, compiled(version))
        if form.workflow_id is not None:
            _start_approval(form, submission, user, result.cleaned)
        outbox.emit(
            "forms.submission.submitted",
            {"id": submission.pk, "form": form.code, "version": version.number},
            actor=user,
        )
    return submission


def _start_approval(form: FormDefinition, submission: Submission, user, cleaned: dict) -> None:
    """A form that requires a workflow: the submission goes through it (lowcode.workflows)."""
    from lowcode.workflows import actions as workflows

    workflows.start(
        form.workflow,
        subject_type="forms.submission",
        subject_id=submission.pk,
        requester=user,
        context={**cleaned, "form": form.code},
    )
    Submission.objects.filter(pk=submission.pk).update(approval=Submission.Approval.PENDING)
    submission.approval = Submission.Approval.PENDING


def workflow_outcome(subject_id: int, instance) -> None:
    """The workflow of a submission ended (called by lowcode.workflows in its transaction)."""
    Submission.objects.filter(pk=subject_id).update(approval=instance.status)
    submission = Submission.objects.filter(pk=subject_id).values("form__code").first()
    outbox.emit(
        f"forms.submission.{instance.status}",
        {"id": subject_id, "form": submission["form__code"] if submission else None},
    )


def submission_department(subject_id: int) -> int | None:
    """Whose the submission is, for approvers of kind "subject owner"."""
    return Submission.objects.filter(pk=subject_id).values_list("department_id", flat=True).first()


def store_upload(uploaded, *, user) -> dict:
    """Keep a file chosen in a form (before the form is submitted); returns its reference."""
    if user is None or not getattr(user, "pk", None):
        raise PermissionDenied(_("Sign in to upload."))
    return store_file(uploaded, prefix=UPLOAD_PREFIX, types=UPLOAD_TYPES)


def index_submission(submission: Submission, rules: defs.CompiledForm) -> None:
    """The list row of a submitted submission (selectors.page_and_count reads these)."""
    SubmissionIndex.objects.update_or_create(
        submission=submission,
        defaults={
            "form_id": submission.form_id,
            "submitter_id": submission.submitter_id,
            "department_id": submission.department_id,
            "submitted_at": submission.submitted_at,
            "facets": facets(rules, submission.data),
        },
    )


# --- Migrating submissions to a newer version -------------------------------------------------------


def start_migration(form: FormDefinition, *, user=None) -> VersionMigration:
    """Queue a background move of this form's submissions to its current version."""
    require(user, "forms.change")
    if form.current_version_id is None:
        raise ValidationError(_("Publish the form first."), code="unpublished")
    with transaction.atomic():
        pending = Submission.objects.filter(
            form=form, status=Submission.Status.SUBMITTED, version__number__lt=form.current_version.number
        )
        job = VersionMigration.objects.create(
            form=form, to_version=form.current_version, total=pending.count(), started_by=_user_or_none(user)
        )
        from lowcode.forms.tasks import migrate_submissions

        migrate_submissions.send_on_commit(job.pk)
    return job


def run_migration(job: VersionMigration, *, batch: int = 200) -> VersionMigration:
    """Each submission is validated against the new version and moved in its own transaction;
    a submission that fails keeps its version and data, and the report says why."""
    VersionMigration.objects.filter(pk=job.pk).update(status=VersionMigration.Status.RUNNING)
    target = job.to_version
    rules = compiled(target)
    refs = TenantReferences()
    report = []
    # Only older versions move forward: a job that runs after a newer version was published
    # must not move that version's submissions back.
    pending = (
        Submission.objects.filter(
            form=job.form, status=Submission.Status.SUBMITTED, version__number__lt=target.number
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids := list(pending)), batch):
        migrated = failed = 0
        for submission in Submission.objects.filter(pk__in=ids[start : start + batch]).order_by("pk"):
            result = validate(rules, submission.data, refs=refs)
            if result.ok:
                with transaction.atomic():
                    moved = Submission.objects.filter(pk=submission.pk, version=submission.version_id).update(
                        version=target, data=result.cleaned
                    )
                    if moved:
                        SubmissionIndex.objects.filter(submission_id=submission.pk).update(
                            facets=facets(rules, result.cleaned)
                        )
                migrated += 1
                report.append({"submission": submission.pk, "ok": True})
            else:
                failed += 1
                report.append(
                    {
                        "submission": submission.pk,
                        "ok": False,
                        "errors": {k: [e["message"] for e in v] for k, v in result.errors.items()},
                    }
                )
        VersionMigration.objects.filter(pk=job.pk).update(
            done=F("done") + migrated + failed, migrated=F("migrated") + migrated, failed=F("failed") + failed
        )
    VersionMigration.objects.filter(pk=job.pk).update(
        status=VersionMigration.Status.DONE, report=report, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


# --- Custom fields on built-in records ----------------------------------------------------------------


def extensible_targets() -> dict[str, str]:
    """Records that take custom fields: "app.model" → their name (modules add theirs through
    `ModuleSpec.extension_targets`)."""
    from kernel import modules
    from modules.spaces.models import Room

    found = {"spaces.room": str(Room._meta.verbose_name_plural)}
    for spec in modules.all_modules():
        if spec.extension_targets and modules.is_enabled(spec.key):
            found.update(spec.import_attr("extension_targets")())
    return found


def extension_for(target: str) -> FormDefinition | None:
    return (
        FormDefinition.objects.filter(kind=FormDefinition.Kind.EXTENSION, target=target)
        .select_related("current_version")
        .first()
    )


def clean_custom_fields(target: str, answers, *, lang: str = "zh") -> dict:
    """The custom-field values of a record, validated by the same engine (ValidationError
    keyed `custom.<key>` otherwise). No published extension: nothing to keep."""
    extension = extension_for(target)
    if extension is None or extension.current_version is None:
        return {}
    result = validate(compiled(extension.current_version), answers or {}, lang=lang, refs=TenantReferences())
    if not result.ok:
        raise ValidationError(
            {
                f"custom.{key}": [ValidationError(item["message"], code=item["code"]) for item in items]
                for key, items in result.errors.items()
            }
        )
    return result.cleaned
