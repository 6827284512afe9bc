"""The forms fragment of the API: published forms (with a JSON Schema description), submitting
one with per-field error codes, and one's own submissions.

Open, published forms are visible to every signed-in person of the organisation (that is
what "open" means); submissions follow `restrict()` — their submitter, or people whose
role has `forms.view` within its data scope.
"""

import json

import graphene
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import get_language
from graphene import relay
from graphene.types.generic import GenericScalar
from graphene_django import DjangoObjectType
from graphql import GraphQLError

from kernel.graphql.connections import ConnectionField, SortKey, sort_enum
from kernel.graphql.errors import error_type
from kernel.graphql.scoped import ScopedObjectType, object_for, principal, visible
from lowcode.forms import actions, selectors
from lowcode.forms.definition import text_in, to_json_schema
from lowcode.forms.models import FormDefinition, Submission


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


class FormNode(DjangoObjectType):
    """A published form open for submissions."""

    version = graphene.Int(required=True, description="The published version answers are checked against.")
    definition = GenericScalar(required=True, description="The definition (docs/forms.md) of that version.")
    json_schema = GenericScalar(required=True, description="The same as a JSON Schema (2020-12) description.")
    display_name = graphene.String(required=True, description="The name in the caller's language.")

    class Meta:
        model = FormDefinition
        name = "Form"
        interfaces = (relay.Node,)
        fields = ("code", "name", "name_en", "description")

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(pk__in=selectors.open_forms().values("pk")).select_related("current_version")

    @classmethod
    def get_node(cls, info, id):
        try:
            return cls.get_queryset(FormDefinition.objects.filter(pk=int(id)), info).first()
        except (TypeError, ValueError):
            return None

    @staticmethod
    def resolve_version(form, info):
        return form.current_version.number

    @staticmethod
    def resolve_definition(form, info):
        return form.current_version.definition

    @staticmethod
    def resolve_json_schema(form, info):
        return to_json_schema(form.current_version.definition, _lang())

    @staticmethod
    def resolve_display_name(form, info):
        return text_in({"zh": form.name, "en": form.name_en}, _lang())


class SubmissionStatus(graphene.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class SubmissionNode(ScopedObjectType):
    form = graphene.Field(FormNode)
    form_code = graphene.String(required=True)
    version = graphene.Int(required=True, description="The form version it was made with.")
    status = graphene.Field(SubmissionStatus, required=True)
    data = GenericScalar(required=True, description="The answers, keyed by field key, as stored.")

    class Meta:
        model = Submission
        name = "FormSubmission"
        interfaces = (relay.Node,)
        fields = ("created_at", "submitted_at")

    @classmethod
    def get_queryset(cls, queryset, info):
        # Drafts are their authors' alone, whatever the viewer's role.
        who = getattr(principal(info), "pk", None)
        return queryset.filter(Q(status=Submission.Status.SUBMITTED) | Q(submitter_id=who)).select_related(
            "form__current_version", "version"
        )

    @classmethod
    def get_node(cls, info, id, action: str = "view"):
        found = super().get_node(info, id, action)
        if found is None and action == "view":  # one's own, whatever the role
            who = principal(info)
            if getattr(who, "pk", None):
                found = cls.get_queryset(Submission.objects.filter(pk=id, submitter_id=who.pk), info).first()
        return found

    @staticmethod
    def resolve_form(submission, info):
        return submission.form if submission.form.current_version_id and submission.form.is_open else None

    @staticmethod
    def resolve_form_code(submission, info):
        return submission.form.code

    @staticmethod
    def resolve_version(submission, info):
        return submission.version.number

    @staticmethod
    def resolve_status(submission, info):
        return Submission.Status(submission.status).value


FormSort = sort_enum("FormSort", {"CODE_ASC": SortKey("code"), "NAME_ASC": SortKey("name")})
SubmissionSort = sort_enum(
    "SubmissionSort",
    {"CREATED_DESC": SortKey("created_at", True), "CREATED_ASC": SortKey("created_at")},
)


class SubmissionFilter(graphene.InputObjectType):
    form = graphene.String(description="A form's code.")
    status = SubmissionStatus()

    @classmethod
    def apply(cls, queryset, value, info):
        if value.get("form"):
            queryset = queryset.filter(form__code=value["form"])
        if value.get("status"):
            queryset = queryset.filter(status=getattr(value["status"], "value", value["status"]))
        return queryset


def _forms(root, info):
    return FormNode.get_queryset(FormDefinition.objects.all(), info)


def _my_submissions(root, info):
    return SubmissionNode.get_queryset(selectors.mine(principal(info)), info)


def _submissions(root, info):
    return visible(SubmissionNode.get_queryset(Submission.objects.all(), info), info).filter(
        status=Submission.Status.SUBMITTED
    )


class FormsQuery(graphene.ObjectType):
    forms = ConnectionField(FormNode, resolver=_forms, sort=FormSort, default_sort="CODE_ASC")
    form = graphene.Field(
        FormNode, code=graphene.String(required=True), description="An open form by its code."
    )
    my_submissions = ConnectionField(
        SubmissionNode,
        resolver=_my_submissions,
        filter=SubmissionFilter,
        sort=SubmissionSort,
        default_sort="CREATED_DESC",
        description="The caller's own submissions and drafts.",
    )
    form_submissions = ConnectionField(
        SubmissionNode,
        resolver=_submissions,
        filter=SubmissionFilter,
        sort=SubmissionSort,
        default_sort="CREATED_DESC",
        description="Submissions the caller may see (forms.view, within the role's data scope).",
    )

    custom_field_definitions = GenericScalar(
        record=graphene.String(required=True, description='A record type, e.g. "spaces.room".'),
        description="The published custom fields of a record type, as a JSON Schema (empty: none).",
    )

    @staticmethod
    def resolve_custom_field_definitions(root, info, record):
        extension = actions.extension_for(record) if record in actions.extensible_targets() else None
        if extension is None or extension.current_version is None:
            return {}
        return to_json_schema(extension.current_version.definition, _lang())

    @staticmethod
    def resolve_form(root, info, code):
        return _forms(root, info).filter(code=code).first()


FormsErrorCode = graphene.Enum(
    "FormsErrorCode",
    [
        (code, code)
        for code in (
            "INVALID",
            "REQUIRED",
            "MIN_VALUE",
            "MAX_VALUE",
            "MIN_LENGTH",
            "MAX_LENGTH",
            "PATTERN",
            "INVALID_CHOICE",
            "TOO_FEW",
            "TOO_MANY",
            "NOT_FOUND",
            "CLOSED",
            "PERMISSION_DENIED",
        )
    ],
    description="Why a forms mutation did not happen.",
)
FormsError = error_type("Forms", FormsErrorCode)
_KNOWN = {member.name for member in FormsErrorCode._meta.enum}


def _code(raw: str | None) -> str:
    name = (raw or "invalid").upper()
    return name if name in _KNOWN else "INVALID"


def form_errors(exc) -> list:
    """Per-field errors keyed by the form's own field keys (`items.2.qty` inside tables)."""
    if isinstance(exc, PermissionDenied):
        return [FormsError(field=None, code="PERMISSION_DENIED", message=str(exc) or "Permission denied")]
    if hasattr(exc, "error_dict"):
        return [
            FormsError(
                field=None if key == "__all__" else key,
                code=_code(item.code),
                message=" ".join(item.messages),
            )
            for key, items in exc.error_dict.items()
            for item in items
        ]
    return [
        FormsError(field=None, code=_code(item.code), message=" ".join(item.messages))
        for item in exc.error_list
    ]


class SubmissionPayload(graphene.ObjectType):
    result = graphene.Field(SubmissionNode)
    errors = graphene.List(graphene.NonNull(FormsError), required=True)


class SubmitForm(graphene.Mutation):
    """Submit answers to an open form (checked like the portal: nothing is stored if any fails)."""

    class Arguments:
        form = graphene.ID(required=True, description="The form's global id.")
        answers = GenericScalar(required=True, description="Field key → answer.")
        draft = graphene.Boolean(default_value=False, description="Keep as a draft, unchecked.")

    Output = SubmissionPayload

    @staticmethod
    def mutate(root, info, form, answers, draft=False):
        try:
            target = object_for(info, form, FormNode)
        except GraphQLError:  # a malformed id is NOT_FOUND here, as in every mutation
            target = None
        if target is None:
            return SubmissionPayload(
                result=None,
                errors=[FormsError(field="form", code="NOT_FOUND", message="No open form has this id.")],
            )
        if isinstance(answers, str):
            try:
                answers = json.loads(answers)
            except ValueError:
                answers = None
        try:
            who = principal(info)
            if draft:
                submission = actions.save_submission_draft(target, answers, user=who)
            else:
                submission = actions.submit(target, answers, user=who, lang=_lang())
        except (ValidationError, PermissionDenied) as exc:
            return SubmissionPayload(result=None, errors=form_errors(exc))
        return SubmissionPayload(result=submission, errors=[])


class FormsMutation(graphene.ObjectType):
    submit_form = SubmitForm.Field()
