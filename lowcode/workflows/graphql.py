"""The workflows fragment of the API: the caller's inbox and deciding a task.

A task is visible to its assignee only; deciding answers `{result, errors}` with
`WorkflowsErrorCode` (ALREADY_DECIDED when someone else — or the caller — decided first).
"""

import graphene
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from graphene import relay
from graphql import GraphQLError

from kernel.graphql.connections import ConnectionField, SortKey, sort_enum
from kernel.graphql.errors import error_type
from kernel.graphql.scoped import PersonalObjectType, object_for, principal
from lowcode.workflows import actions, selectors
from lowcode.workflows.models import Instance, Task

TaskStatus = graphene.Enum.from_enum(
    Task.Status, name="WorkflowTaskStatus", description="Where a task stands."
)
TaskKind = graphene.Enum.from_enum(Task.Kind, name="WorkflowTaskKind", description="What a task asks for.")


class WorkflowTaskNode(PersonalObjectType):
    """A task is its assignee's, whatever their role (approvers are chosen by the workflow)."""

    workflow = graphene.String(required=True, description="The workflow's name.")
    step = graphene.String(required=True, description="The step's key.")
    status = graphene.Field(TaskStatus, required=True)
    kind = graphene.Field(TaskKind, required=True, description="RESPOND: the requester is asked for more.")
    subject_type = graphene.String(required=True)
    subject_id = graphene.ID(required=True, description="The subject's key in its module.")
    requester = graphene.String()
    request = graphene.Field(
        lambda: WorkflowRequestNode, required=True, description="The whole request, with its history."
    )

    class Meta:
        model = Task
        name = "WorkflowTask"
        interfaces = (relay.Node,)
        fields = ("created_at", "decided_at", "comment")

    @classmethod
    def get_queryset(cls, queryset, info):
        who = getattr(principal(info), "pk", None)
        return queryset.filter(assignee_id=who).select_related(
            "instance__version__workflow", "instance__requester"
        )

    @staticmethod
    def resolve_workflow(task, info):
        return task.instance.version.workflow.name

    @staticmethod
    def resolve_step(task, info):
        return task.step_key

    @staticmethod
    def resolve_status(task, info):
        return Task.Status(task.status).value

    @staticmethod
    def resolve_kind(task, info):
        return Task.Kind(task.kind).value

    @staticmethod
    def resolve_subject_type(task, info):
        return task.instance.subject_type

    @staticmethod
    def resolve_subject_id(task, info):
        return task.instance.subject_id

    @staticmethod
    def resolve_requester(task, info):
        requester = task.instance.requester
        return (requester.full_name or requester.username) if requester else None

    @staticmethod
    def resolve_request(task, info):
        return task.instance


RequestStatus = graphene.Enum.from_enum(
    Instance.Status, name="WorkflowRequestStatus", description="Where a request for approval stands."
)


class WorkflowAttachment(graphene.ObjectType):
    name = graphene.String(required=True)
    url = graphene.String(required=True, description="A link that expires (signed).")
    size = graphene.Int()


class WorkflowHistoryEntry(graphene.ObjectType):
    at = graphene.DateTime(required=True)
    kind = graphene.String(required=True, description='e.g. "approved", "commented", "returned".')
    label = graphene.String(required=True, description="What happened, in the caller's language.")
    step = graphene.String(description="The step's key, if any.")
    actor = graphene.String(description="Who did it (empty: the system).")
    comment = graphene.String()
    attachments = graphene.List(graphene.NonNull(WorkflowAttachment), required=True)

    @staticmethod
    def resolve_attachments(entry, info):
        return [WorkflowAttachment(name=n, url=u, size=z) for n, u, z in entry.attachments]


class WorkflowRequestNode(PersonalObjectType):
    """A request for approval: seen by its requester and everyone who has a task in it."""

    workflow = graphene.String(required=True, description="The workflow's name.")
    version = graphene.Int(required=True, description="The version it runs (frozen when it started).")
    status = graphene.Field(RequestStatus, required=True)
    step = graphene.String(description="The step it waits at (empty when finished).")
    subject_type = graphene.String(required=True)
    subject_id = graphene.ID(required=True)
    requester = graphene.String()
    waiting_for = graphene.List(
        graphene.NonNull(graphene.String), required=True, description="Who must act now."
    )
    history = graphene.List(graphene.NonNull(WorkflowHistoryEntry), required=True)

    class Meta:
        model = Instance
        name = "WorkflowRequest"
        interfaces = (relay.Node,)
        fields = ("started_at", "finished_at", "reason")

    @classmethod
    def get_queryset(cls, queryset, info):
        who = getattr(principal(info), "pk", None)
        taking_part = Task.objects.filter(instance=OuterRef("pk")).filter(
            Q(assignee_id=who) | Q(on_behalf_of_id=who)
        )
        return queryset.filter(Q(requester_id=who) | Exists(taking_part)).select_related(
            "version__workflow", "requester"
        )

    @staticmethod
    def resolve_workflow(instance, info):
        return instance.version.workflow.name

    @staticmethod
    def resolve_version(instance, info):
        return instance.version.number

    @staticmethod
    def resolve_status(instance, info):
        return Instance.Status(instance.status).value

    @staticmethod
    def resolve_step(instance, info):
        return instance.step_key

    @staticmethod
    def resolve_requester(instance, info):
        requester = instance.requester
        return (requester.full_name or requester.username) if requester else None

    @staticmethod
    def resolve_waiting_for(instance, info):
        return [
            task.assignee.full_name or task.assignee.username
            for task in instance.tasks.filter(status=Task.Status.PENDING).select_related("assignee")
        ]

    @staticmethod
    def resolve_history(instance, info):
        return selectors.history(instance)


class WorkflowRequestFilter(graphene.InputObjectType):
    status = graphene.Field(RequestStatus)
    subject_type = graphene.String(description='e.g. "forms.submission".')

    @classmethod
    def apply(cls, queryset, value, info):
        if value.get("status"):
            queryset = queryset.filter(status=getattr(value["status"], "value", value["status"]))
        if value.get("subject_type"):
            queryset = queryset.filter(subject_type=value["subject_type"])
        return queryset


RequestSort = sort_enum("WorkflowRequestSort", {"STARTED_DESC": SortKey("started_at", True)})


def _my_requests(root, info):
    return WorkflowRequestNode.get_queryset(selectors.requested_by(principal(info)), info)


TaskSort = sort_enum("WorkflowTaskSort", {"CREATED_DESC": SortKey("created_at", True)})


class WorkflowTaskFilter(graphene.InputObjectType):
    subject_type = graphene.String(description='e.g. "forms.submission".')

    @classmethod
    def apply(cls, queryset, value, info):
        if value.get("subject_type"):
            queryset = queryset.filter(instance__subject_type=value["subject_type"])
        return queryset


def _my_tasks(root, info):
    return WorkflowTaskNode.get_queryset(selectors.inbox(principal(info)), info)


class WorkflowsQuery(graphene.ObjectType):
    my_tasks = ConnectionField(
        WorkflowTaskNode,
        resolver=_my_tasks,
        filter=WorkflowTaskFilter,
        sort=TaskSort,
        default_sort="CREATED_DESC",
        description="Approvals waiting for the caller, across modules (totalCount for a badge).",
    )
    my_requests = ConnectionField(
        WorkflowRequestNode,
        resolver=_my_requests,
        filter=WorkflowRequestFilter,
        sort=RequestSort,
        default_sort="STARTED_DESC",
        description="The caller's own requests for approval, with where each stands and its history.",
    )


WorkflowsErrorCode = graphene.Enum(
    "WorkflowsErrorCode",
    [(code, code) for code in ("NOT_FOUND", "ALREADY_DECIDED", "PERMISSION_DENIED", "INVALID")],
    description="Why a workflows mutation did not happen.",
)
WorkflowsError = error_type("Workflows", WorkflowsErrorCode)


class DecidePayload(graphene.ObjectType):
    result = graphene.Field(WorkflowTaskNode)
    errors = graphene.List(graphene.NonNull(WorkflowsError), required=True)


def _task_or_error(info, task_id):
    """(the caller's task, None), or (None, NOT_FOUND) for a malformed id or someone else's task."""
    try:
        found = object_for(info, task_id, WorkflowTaskNode)
    except GraphQLError:
        found = None
    if found is not None:
        return found, None
    return None, [WorkflowsError(field="task", code="NOT_FOUND", message="No task of yours has this id.")]


def _refusal(exc) -> list:
    if isinstance(exc, actions.WorkflowError):
        code = "ALREADY_DECIDED" if exc.code == "already_decided" else "INVALID"
        return [WorkflowsError(field=None, code=code, message=" ".join(exc.messages))]
    if isinstance(exc, PermissionDenied):
        return [WorkflowsError(field=None, code="PERMISSION_DENIED", message=str(exc))]
    return [WorkflowsError(field=None, code="INVALID", message=" ".join(exc.messages))]


def _payload(task_pk):
    return DecidePayload(
        result=Task.objects.select_related("instance__version__workflow").get(pk=task_pk), errors=[]
    )


class TaskAction(graphene.Mutation):
    """Base of the mutations that act on one of the caller's tasks."""

    Output = DecidePayload

    class Meta:
        abstract = True

    @classmethod
    def act(cls, info, task, **kwargs):
        """Do the action on the caller's task (each subclass); return the task to show."""
        raise NotImplementedError

    @classmethod
    def mutate(cls, root, info, task, **kwargs):
        found, refused = _task_or_error(info, task)
        if found is None:
            return DecidePayload(result=None, errors=refused)
        try:
            result = cls.act(info, found, **kwargs)
        except (actions.WorkflowError, PermissionDenied, ValidationError) as exc:
            return DecidePayload(result=None, errors=_refusal(exc))
        return _payload(getattr(result, "pk", found.pk))


class DecideTask(TaskAction):
    """Approve or reject a task waiting for the caller."""

    class Arguments:
        task = graphene.ID(required=True)
        approve = graphene.Boolean(required=True)
        comment = graphene.String()

    @classmethod
    def act(cls, info, task, approve, comment=""):
        actions.decide(task, actor=principal(info), approve=approve, comment=comment or "")
        return task


class ReturnForInformation(TaskAction):
    """Ask the requester for more (退回补充); the step starts again when they answer."""

    class Arguments:
        task = graphene.ID(required=True)
        comment = graphene.String(required=True)

    @classmethod
    def act(cls, info, task, comment):
        actions.return_for_information(task, actor=principal(info), comment=comment)
        return task


class AnswerTask(TaskAction):
    """The requester answers a request for more information."""

    class Arguments:
        task = graphene.ID(required=True)
        comment = graphene.String(required=True)

    @classmethod
    def act(cls, info, task, comment):
        actions.respond(task, actor=principal(info), comment=comment)
        return task


class HandOverTask(TaskAction):
    """转交: give one's task to a colleague (a user id, as in the API's User ids' database key)."""

    class Arguments:
        task = graphene.ID(required=True)
        to = graphene.ID(required=True, description="The colleague's global id (User).")
        comment = graphene.String()

    @classmethod
    def act(cls, info, task, to, comment=""):
        from kernel.graphql.scoped import pk_for

        return actions.delegate(
            task, actor=principal(info), to=int(pk_for(to, _user_node())), comment=comment or ""
        )


class FinishTask(TaskAction):
    """Mark a to-do that a workflow made for the caller as done."""

    class Arguments:
        task = graphene.ID(required=True)
        comment = graphene.String()

    @classmethod
    def act(cls, info, task, comment=""):
        return actions.finish_todo(task, actor=principal(info), comment=comment or "")


SignerPosition = graphene.Enum(
    "WorkflowSignerPosition",
    [("BEFORE", "before"), ("AFTER", "after"), ("WITH", "with")],
    description="BEFORE (前加签): they decide first, then you. AFTER (后加签): you approve now, "
    "they decide next. WITH: both of you, in any order.",
)


class AddSigner(TaskAction):
    """加签: someone must also approve this step."""

    class Arguments:
        task = graphene.ID(required=True)
        person = graphene.ID(required=True, description="The person's global id (User).")
        comment = graphene.String()
        position = graphene.Argument(SignerPosition, default_value="with")

    @classmethod
    def act(cls, info, task, person, comment="", position="with"):
        from kernel.graphql.scoped import pk_for

        actions.add_signer(
            task,
            actor=principal(info),
            person=int(pk_for(person, _user_node())),
            comment=comment or "",
            position=getattr(position, "value", position),
        )
        return task


def _user_node():
    from identity.graphql import UserNode

    return UserNode


class RequestPayload(graphene.ObjectType):
    status = graphene.String(description="The request's state after the action.")
    reminded = graphene.Int(description="How many people were reminded (urge).")
    errors = graphene.List(graphene.NonNull(WorkflowsError), required=True)


def _my_instance(info, subject_type, subject_id):
    from lowcode.workflows.models import Instance

    who = getattr(principal(info), "pk", None)
    if not (
        isinstance(subject_id, str) and subject_id.isascii() and subject_id.isdigit() and len(subject_id) < 19
    ):
        return None  # not a key any module gives out: nothing of yours has it
    return Instance.objects.filter(
        requester_id=who, subject_type=subject_type, subject_id=subject_id, status=Instance.Status.RUNNING
    ).first()


class WithdrawRequest(graphene.Mutation):
    """The requester takes back a running approval while nobody has acted on it."""

    class Arguments:
        subject_type = graphene.String(required=True)
        subject_id = graphene.ID(required=True)

    Output = RequestPayload

    @staticmethod
    def mutate(root, info, subject_type, subject_id):
        instance = _my_instance(info, subject_type, subject_id)
        if instance is None:
            return RequestPayload(
                errors=[
                    WorkflowsError(
                        field="subjectId", code="NOT_FOUND", message="No running request of yours."
                    )
                ]
            )
        try:
            instance = actions.withdraw(instance, actor=principal(info))
        except (actions.WorkflowError, PermissionDenied, ValidationError) as exc:
            return RequestPayload(errors=_refusal(exc))
        return RequestPayload(status=instance.status, errors=[])


class UrgeRequest(graphene.Mutation):
    """催办: remind whoever the requester's running approval waits for (at most hourly)."""

    class Arguments:
        subject_type = graphene.String(required=True)
        subject_id = graphene.ID(required=True)

    Output = RequestPayload

    @staticmethod
    def mutate(root, info, subject_type, subject_id):
        instance = _my_instance(info, subject_type, subject_id)
        if instance is None:
            return RequestPayload(
                errors=[
                    WorkflowsError(
                        field="subjectId", code="NOT_FOUND", message="No running request of yours."
                    )
                ]
            )
        try:
            reminded = actions.urge(instance, actor=principal(info))
        except (actions.WorkflowError, PermissionDenied, ValidationError) as exc:
            return RequestPayload(errors=_refusal(exc))
        return RequestPayload(status=instance.status, reminded=reminded, errors=[])


class CommentPayload(graphene.ObjectType):
    result = graphene.Field(WorkflowRequestNode)
    errors = graphene.List(graphene.NonNull(WorkflowsError), required=True)


class CommentRequest(graphene.Mutation):
    """Comment on a request one takes part in (requester or approver); the others are told.
    Attachments are added on the portal's request page."""

    class Arguments:
        request = graphene.ID(required=True, description="The request's global id (WorkflowRequest).")
        comment = graphene.String(required=True)

    Output = CommentPayload

    @staticmethod
    def mutate(root, info, request, comment):
        try:
            found = object_for(info, request, WorkflowRequestNode)
        except GraphQLError:
            found = None
        if found is None:
            return CommentPayload(
                errors=[
                    WorkflowsError(
                        field="request", code="NOT_FOUND", message="No request of yours has this id."
                    )
                ]
            )
        try:
            actions.comment(found, actor=principal(info), text=comment)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                return CommentPayload(
                    errors=[
                        WorkflowsError(field=field, code="INVALID", message=" ".join(messages))
                        for field, messages in exc.message_dict.items()
                    ]
                )
            return CommentPayload(errors=_refusal(exc))
        except PermissionDenied as exc:
            return CommentPayload(errors=_refusal(exc))
        return CommentPayload(result=found, errors=[])


class WorkflowsMutation(graphene.ObjectType):
    decide_task = DecideTask.Field()
    return_for_information = ReturnForInformation.Field()
    answer_task = AnswerTask.Field()
    hand_over_task = HandOverTask.Field()
    add_signer = AddSigner.Field()
    finish_task = FinishTask.Field()
    withdraw_request = WithdrawRequest.Field()
    urge_request = UrgeRequest.Field()
    comment_request = CommentRequest.Field()
