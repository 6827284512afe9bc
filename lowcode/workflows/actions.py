"""The approval engine: publish, start, decide, withdraw — each in one transaction, logged.

Concurrency: every change to an instance locks its row first (`select_for_update`), so two
approvers clicking at once on an or-sign step are serialised: one decides, the other is
told `already_decided`. A person acting twice gets the same code.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.actions import require
from kernel import modules, outbox
from lowcode.forms.conditions import evaluate
from lowcode.workflows import definition as defs
from lowcode.workflows.models import Instance, LogEntry, Task, WorkflowDefinition, WorkflowVersion


class WorkflowError(ValidationError):
    """A refused action, with a code clients switch on (already_decided, not_your_task…)."""


# --- Definitions ---------------------------------------------------------------------------------


def publish(workflow: WorkflowDefinition, *, user=None) -> WorkflowVersion:
    require(user, "workflows.change")
    with transaction.atomic():
        workflow = WorkflowDefinition.objects.select_for_update().get(pk=workflow.pk)
        problems = defs.check(workflow.draft)
        if problems:
            raise ValidationError(
                {"draft": [ValidationError(f"{p.where}: {p.message}", code=p.code) for p in problems]}
            )
        current = workflow.current_version
        if current is not None and current.definition == workflow.draft:
            raise ValidationError(
                _("Nothing has changed since version %(n)s.") % {"n": current.number}, code="unchanged"
            )
        version = WorkflowVersion.objects.create(
            workflow=workflow, number=(current.number if current else 0) + 1, definition=workflow.draft
        )
        WorkflowDefinition.objects.filter(pk=workflow.pk).update(current_version=version)
        outbox.emit(
            "workflows.workflow.published", {"id": workflow.pk, "version": version.number}, actor=user
        )
    return version


def save_workflow(workflow: WorkflowDefinition, *, user=None) -> WorkflowDefinition:
    """Create or rename a workflow (its steps: save_draft)."""
    creating = workflow._state.adding
    require(user, "workflows.add" if creating else "workflows.change")
    if creating and not workflow.draft:
        workflow.draft = {"steps": []}
    workflow.full_clean(exclude=["draft", "current_version"])
    with transaction.atomic():
        workflow.save()
        outbox.emit(
            f"workflows.workflow.{'created' if creating else 'updated'}", {"id": workflow.pk}, actor=user
        )
    return workflow


def save_draft(workflow: WorkflowDefinition, draft, *, user=None) -> list:
    """Keep the designer's work; returns what would stop it from being published."""
    require(user, "workflows.change")
    if not isinstance(draft, dict) or not isinstance(draft.get("steps"), list):
        raise ValidationError(
            {"draft": ValidationError(_("The definition is malformed."), code="bad_definition")}
        )
    WorkflowDefinition.objects.filter(pk=workflow.pk).update(draft=draft)
    workflow.draft = draft
    return defs.check(draft)


def copy_workflow(source: WorkflowDefinition, *, code: str, name: str, name_en: str = "", user=None):
    """A new, unpublished workflow starting from another's published version (its draft if it
    was never published) — how a tenant adopts a seed template and changes it."""
    require(user, "workflows.add")
    steps = source.current_version.definition if source.current_version_id else source.draft
    copy = WorkflowDefinition(code=code, name=name, name_en=name_en, draft=json.loads(json.dumps(steps)))
    copy.full_clean(exclude=["draft", "current_version"])
    with transaction.atomic():
        copy.save()
        outbox.emit("workflows.workflow.created", {"id": copy.pk, "copied_from": source.pk}, actor=user)
    return copy


def delete_workflow(workflow: WorkflowDefinition, *, user=None) -> None:
    require(user, "workflows.delete")
    if Instance.objects.filter(version__workflow=workflow).exists() or workflow.forms.exists():
        raise ValidationError(
            _("%(name)s is in use (instances or forms); it cannot be deleted.") % {"name": workflow.name},
            code="in_use",
        )
    with transaction.atomic():
        WorkflowDefinition.objects.filter(pk=workflow.pk).update(current_version=None)
        workflow.delete()


# --- Subjects --------------------------------------------------------------------------------------


def subject_types() -> dict:
    """subject type → (outcome callback path, owner-department path or None), from the modules."""
    found = {}
    for spec in modules.all_modules():
        for entry in getattr(spec, "workflow_subjects", ()):
            found[entry[0]] = entry[1:]
    return found


def _callback(subject_type: str, index: int):
    from django.utils.module_loading import import_string

    paths = subject_types().get(subject_type)
    path = paths[index] if paths and len(paths) > index else None
    return import_string(path) if path else None


# --- Approvers -------------------------------------------------------------------------------------


def _head_above(department, levels: int):
    current = department
    for _level in range(levels - 1):
        current = current.get_parent() if current is not None else None
    while current is not None and current.head_id is None:
        current = current.get_parent()  # a department without a head: the next one up decides
    return current.head_id if current is not None else None


def resolve(specs: list, instance: Instance) -> list[int]:
    """The active people a list of approver rules names now, in order, each once."""
    from identity.models import Department, User

    ids: list[int] = []
    requester = instance.requester
    for spec in specs:
        kind = spec.get("type")
        found: list[int] = []
        if kind == "user":
            found = [spec["id"]]
        elif kind == "role":
            found = list(
                User.objects.filter(roles__code=spec["code"]).order_by("pk").values_list("pk", flat=True)
            )
        elif kind == "workgroup":
            found = list(
                User.objects.filter(workgroups__code=spec["code"]).order_by("pk").values_list("pk", flat=True)
            )
        elif kind == "department":
            found = list(
                User.objects.filter(department_id=spec["id"]).order_by("pk").values_list("pk", flat=True)
            )
        elif kind == "department_head":
            head = Department.objects.filter(pk=spec["id"]).values_list("head_id", flat=True).first()
            found = [head] if head else []
        elif kind == "requester_head" and requester is not None and requester.department_id:
            head = _head_above(Department.objects.get(pk=requester.department_id), spec.get("levels", 1))
            found = [head] if head and head != requester.pk else []
        elif kind == "field":
            value = instance.context.get(spec["key"])
            found = [value] if isinstance(value, int) and not isinstance(value, bool) else []
        elif kind == "subject_owner":
            owner = _callback(instance.subject_type, 1)
            department_id = owner(instance.subject_id) if owner else None
            head = Department.objects.filter(pk=department_id).values_list("head_id", flat=True).first()
            found = [head] if head else []
        elif kind == "previous_choice":
            value = instance.context.get("_next_approver")
            found = [value] if isinstance(value, int) else []
        for pk in found:
            if pk not in ids:
                ids.append(pk)
    active = set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    return [pk for pk in ids if pk in active]


def _administrators() -> list[int]:
    from identity.models import User

    return list(
        User.objects.filter(roles__code="tenant_admin", is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- Running -----------------------------------------------------------------------------------------


def _log(instance, kind, *, actor=None, step_key="", comment="", **data):
    if not data.get("attachments", True):
        del data["attachments"]
    LogEntry.objects.create(
        instance=instance,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        step_key=step_key,
        comment=comment,
        data=data,
    )


def condition_values(context: dict) -> dict:
    """The context as conditions read it (lowcode.forms.conditions): numbers as Decimals."""
    from decimal import Decimal

    return {
        key: Decimal(str(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
        for key, value in context.items()
    }


def _steps(instance: Instance) -> list[dict]:
    return instance.version.definition["steps"]


def _finish(instance: Instance, status: str, *, reason: str = "") -> None:
    instance.status = status
    instance.reason = reason[:300]
    instance.finished_at = timezone.now()
    instance.step_key = ""
    instance.save(update_fields=["status", "reason", "finished_at", "step_key"])
    # To-dos made by the workflow outlive it; what waited for a decision does not.
    Task.objects.filter(instance=instance, status__in=WAITING).exclude(kind=Task.Kind.TODO).update(
        status=Task.Status.CANCELLED, decided_at=timezone.now()
    )
    _log(instance, status, reason=reason)
    outbox.emit(
        f"workflows.instance.{status}",
        {"id": instance.pk, "subject_type": instance.subject_type, "subject_id": instance.subject_id},
    )
    outcome = _callback(instance.subject_type, 0)
    if outcome is not None:
        outcome(instance.subject_id, instance)  # the subject's own action, in this transaction


def _advance(instance: Instance, start: int) -> None:
    """Run steps from `start` until one waits for people, or the instance ends."""
    steps = _steps(instance)
    keys = [step["key"] for step in steps]
    index = start
    while index < len(steps):
        step = steps[index]
        kind = step["kind"]
        if kind == "branch":
            target = step.get("otherwise") or (keys[index + 1] if index + 1 < len(steps) else defs.END)
            for branch in step["branches"]:
                if evaluate(branch["when"], condition_values(instance.context)):
                    target = branch["goto"]
                    break
            _log(instance, "branch", step_key=step["key"], goto=target)
            if target == defs.END:
                break
            index = keys.index(target)
            continue
        if kind == "notify":
            from kernel import notifications

            people = resolve(step["recipients"], instance)
            if people:
                notifications.notify(
                    people,
                    "workflows.notice",
                    params={
                        "step": step["key"],
                        "subject": f"{instance.subject_type} #{instance.subject_id}",
                    },
                )
            _log(instance, "notified", step_key=step["key"], people=people)
            index += 1
            continue
        if kind == "action":
            if step["action"] == "set_field":
                instance.context[step["field"]] = step.get("value")
                instance.save(update_fields=["context"])
            elif step["action"] == "create_task":
                _create_todos(instance, step)
            else:
                outbox.emit(
                    f"workflows.custom.{step['event']}",
                    {
                        "id": instance.pk,
                        "subject_type": instance.subject_type,
                        "subject_id": instance.subject_id,
                    },
                )
            _log(instance, "automatic", step_key=step["key"], action=step["action"])
            index += 1
            continue
        # An approval step: who decides, now?
        people = resolve(step["approvers"], instance)
        if not people:
            fallback = step.get("fallback", "admin")
            if fallback == "skip":
                _log(instance, "skipped", step_key=step["key"], why="nobody")
                index += 1
                continue
            if fallback == "fail":
                _finish(
                    instance,
                    Instance.Status.FAILED,
                    reason=_("Nobody could be found to approve “%(step)s”.") % {"step": step["key"]},
                )
                return
            people = _administrators()
            if not people:
                _finish(instance, Instance.Status.FAILED, reason=_("The organisation has no administrator."))
                return
            _log(instance, "fallback_admin", step_key=step["key"])
        if step.get("mode", "one") == "one":
            people = people[:1]
        instance.round += 1
        instance.step_index = index
        instance.step_key = step["key"]
        instance.save(update_fields=["round", "step_index", "step_key"])
        created = Task.objects.bulk_create(
            [
                Task(
                    instance=instance,
                    step_key=step["key"],
                    round=instance.round,
                    assignee_id=assignee,
                    on_behalf_of_id=away,
                    **_deadlines(step),
                )
                for assignee, away in _route(people, instance)
            ]
        )
        _tell_approvers(instance, created)
        _log(instance, "waiting", step_key=step["key"], people=people, round=instance.round)
        return
    _finish(instance, Instance.Status.APPROVED)


def _create_todos(instance: Instance, step: dict) -> None:
    """An automatic step's to-do for people (e.g. "place the order"): in their inbox until one
    of them marks it done; the workflow goes on meanwhile."""
    from kernel import notifications

    people = resolve(step["assignees"], instance)
    if not people:
        _log(instance, "skipped", step_key=step["key"], why="nobody")
        return
    created = Task.objects.bulk_create(
        [
            Task(
                instance=instance,
                step_key=step["key"],
                round=instance.round,
                assignee_id=person,
                kind=Task.Kind.TODO,
                comment="",
            )
            for person in people
        ],
        ignore_conflicts=True,
    )
    title = step["title"] if isinstance(step["title"], dict) else {"zh": step["title"]}
    notifications.notify(
        people,
        "workflows.todo",
        params={"title": title.get("zh") or title.get("en", ""), "workflow": instance.version.workflow.name},
        url=reverse("workflows:request", kwargs={"pk": instance.pk}),
    )
    _log(instance, "todo_created", step_key=step["key"], people=people, count=len(created))


def finish_todo(task: Task, *, actor, comment: str = "") -> Task:
    """Mark a workflow's to-do done (its other holders' copies go too)."""
    with transaction.atomic():
        instance = Instance.objects.select_for_update(of=("self",)).get(pk=task.instance_id)
        task = Task.objects.get(pk=task.pk)
        if task.assignee_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("This task is not yours."))
        if task.kind != Task.Kind.TODO:
            raise WorkflowError(_("This task asks for something else."), code="wrong_kind")
        if task.status != Task.Status.PENDING:
            raise WorkflowError(_("This has already been done."), code="already_decided")
        now = timezone.now()
        Task.objects.filter(pk=task.pk).update(
            status=Task.Status.DONE, comment=comment[:2000], decided_at=now
        )
        Task.objects.filter(
            instance=instance,
            step_key=task.step_key,
            round=task.round,
            kind=Task.Kind.TODO,
            status=Task.Status.PENDING,
        ).update(status=Task.Status.CANCELLED, decided_at=now)
        _log(instance, "todo_done", actor=actor, step_key=task.step_key, comment=comment)
    task.refresh_from_db()
    return task


def todo_title(task: Task, lang: str = "zh") -> str:
    step = next((s for s in task.instance.version.definition["steps"] if s["key"] == task.step_key), {})
    title = step.get("title", "")
    if isinstance(title, dict):
        return title.get("en" if lang.startswith("en") else "zh") or title.get("zh") or title.get("en", "")
    return str(title)


def _tell_approvers(instance: Instance, tasks: list[Task]) -> None:
    """Each new approver gets a notification (inbox, e-mail) with a link that opens the task."""
    from django.urls import reverse

    from kernel import notifications

    name = instance.version.workflow.name
    for task in tasks:
        notifications.notify(
            [task.assignee_id],
            "workflows.task",
            params={"workflow": name, "subject": f"{instance.subject_type} #{instance.subject_id}"},
            url=reverse("workflows:task", kwargs={"pk": task.pk}),
        )


def start(
    workflow: WorkflowDefinition, *, subject_type: str, subject_id: int, requester, context: dict
) -> Instance:
    """Start the published version of a workflow on a subject (one running per subject)."""
    if subject_type not in subject_types():
        raise WorkflowError(
            _("Nothing of kind %(kind)s can go through a workflow.") % {"kind": subject_type},
            code="bad_subject",
        )
    if workflow.current_version_id is None:
        raise WorkflowError(_("Publish the workflow first."), code="unpublished")
    if Instance.objects.filter(
        subject_type=subject_type, subject_id=subject_id, status=Instance.Status.RUNNING
    ).exists():
        raise WorkflowError(_("This is already going through a workflow."), code="already_running")
    json.dumps(context)  # the context must be plain JSON
    with transaction.atomic():
        instance = Instance.objects.create(
            version=workflow.current_version,
            subject_type=subject_type,
            subject_id=subject_id,
            requester=requester,
            department_id=getattr(requester, "department_id", None),
            context=dict(context),
        )
        _log(instance, "started", actor=requester)
        _advance(instance, 0)
    return instance


def _step(instance: Instance, key: str) -> dict:
    return next(step for step in _steps(instance) if step["key"] == key)


def decide(
    task: Task,
    *,
    actor,
    approve: bool,
    comment: str = "",
    next_approver: int | None = None,
    attachments: list[dict] = (),
) -> Instance:
    """Approve or reject one's task. Refused with `not_your_task` or `already_decided`."""
    with transaction.atomic():
        instance, task = _locked_task(task, actor)
        if next_approver is not None:
            instance.context["_next_approver"] = next_approver
            instance.save(update_fields=["context"])
        _settle(instance, task, approve=approve, actor=actor, comment=comment, attachments=attachments)
    return instance


def _settle(
    instance: Instance,
    task: Task,
    *,
    approve: bool,
    actor,
    comment: str,
    kind: str = "",
    attachments: list[dict] = (),
) -> None:
    """Record a decision on a locked, pending task and move the instance on if the step is decided."""
    task.status = Task.Status.APPROVED if approve else Task.Status.REJECTED
    task.comment = comment[:2000]
    task.decided_at = timezone.now()
    task.save(update_fields=["status", "comment", "decided_at"])
    _log(
        instance,
        kind or ("approved" if approve else "rejected"),
        actor=actor,
        step_key=task.step_key,
        comment=comment,
        attachments=_checked_attachments(attachments),
    )
    if approve:  # 前加签: whoever waited for this signer decides now
        resumed = list(Task.objects.filter(held_for=task, status=Task.Status.HELD))
        if resumed:
            Task.objects.filter(pk__in=[t.pk for t in resumed]).update(status=Task.Status.PENDING)
            _tell_approvers(instance, resumed)
    step = _step(instance, task.step_key)
    outcome = step_outcome(
        step, Task.objects.filter(instance=instance, step_key=task.step_key, round=task.round)
    )
    if outcome == "approved":
        Task.objects.filter(instance=instance, round=task.round, status__in=WAITING).update(
            status=Task.Status.CANCELLED, decided_at=timezone.now()
        )
        _advance(instance, instance.step_index + 1)
    elif outcome == "rejected":
        _reject(instance, step, actor)


LIVE = (Task.Status.PENDING, Task.Status.APPROVED, Task.Status.REJECTED)
# Tasks still to be decided: pending, or held until someone added before them has approved.
WAITING = (Task.Status.PENDING, Task.Status.HELD)


def step_outcome(step: dict, round_tasks) -> str | None:
    """ "approved", "rejected" or None (still open) for one round of an approval step.

    The step's signers (those resolved, or the people they handed their task to) count by
    the step's mode; people added by a signer (加签) must each approve, whatever the mode.
    """
    live = [t for t in round_tasks if t.status in LIVE and t.kind == Task.Kind.DECIDE]
    signers = [t for t in live if not t.must_approve]
    added = [t for t in live if t.must_approve]
    approvals = sum(t.status == Task.Status.APPROVED for t in signers)
    rejections = sum(t.status == Task.Status.REJECTED for t in signers)
    mode = step.get("mode", "one")
    needed = {
        "one": 1,
        "any": 1,
        "all": len(signers),
        "n_of_m": min(step.get("n", 1), len(signers)),
    }[mode]
    if any(t.status == Task.Status.REJECTED for t in added) or len(signers) - rejections < needed:
        return "rejected"  # approval can no longer be reached
    if approvals >= needed and all(t.status == Task.Status.APPROVED for t in added):
        return "approved"
    return None


def _deadlines(step: dict, now=None) -> dict:
    """due_at and remind_at of a new task, in the organisation's business hours."""
    limit = step.get("time_limit_hours")
    if not limit:
        return {}
    from kernel.calendar import add_business_hours, calendar

    now = now or timezone.now()
    cal = calendar()
    due = add_business_hours(now, limit, cal)
    before = step.get("remind_before_hours") or 0
    remind = add_business_hours(now, limit - before, cal) if 0 < before < limit else None
    return {"due_at": due, "remind_at": remind}


def sweep(now=None) -> dict:
    """Act on due timers (every minute, lowcode.workflows.tasks): remind before the limit,
    escalate after it as the step says. Each task in its own transaction, instance locked."""
    from kernel import notifications

    now = now or timezone.now()
    done = {"reminded": 0, "escalated": 0}
    for task_id in Task.objects.filter(
        status=Task.Status.PENDING, remind_at__lte=now, reminded_at__isnull=True, due_at__gt=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            task = (
                Task.objects.select_for_update().select_related("instance__version__workflow").get(pk=task_id)
            )
            if task.status != Task.Status.PENDING or task.reminded_at is not None:
                continue
            notifications.notify(
                [task.assignee_id],
                "workflows.due_soon",
                params={"workflow": task.instance.version.workflow.name},
                url=_task_url(task),
            )
            Task.objects.filter(pk=task.pk).update(reminded_at=now)
            _log(task.instance, "reminded", step_key=task.step_key, person=task.assignee_id)
            done["reminded"] += 1
    for task_id in Task.objects.filter(
        status=Task.Status.PENDING, due_at__lte=now, escalated_at__isnull=True
    ).values_list("pk", flat=True):
        with transaction.atomic():
            task = Task.objects.get(pk=task_id)
            instance = (
                Instance.objects.select_for_update(of=("self",))
                .select_related("version__workflow")
                .get(pk=task.instance_id)
            )
            task = Task.objects.get(pk=task_id)
            if task.status != Task.Status.PENDING or instance.status != Instance.Status.RUNNING:
                continue
            Task.objects.filter(pk=task.pk).update(escalated_at=now)
            _escalate(instance, task, _step(instance, task.step_key))
            done["escalated"] += 1
    return done


def _task_url(task: Task) -> str:
    from django.urls import reverse

    return reverse("workflows:task", kwargs={"pk": task.pk})


def _escalate(instance: Instance, task: Task, step: dict) -> None:
    """A task past its limit: tell the supervisor, hand it to the administrators, or decide."""
    from identity.models import Department, User
    from kernel import notifications

    how = step.get("on_timeout", "notify_supervisor")
    _log(instance, "overdue", step_key=task.step_key, person=task.assignee_id, then=how)
    if how in ("approve", "reject"):
        _settle(instance, task, approve=how == "approve", actor=None, comment="", kind=f"auto_{how}")
        return
    if how == "reassign":
        admins = [pk for pk in _administrators() if pk != task.assignee_id]
        taken = set(
            Task.objects.filter(instance=instance, step_key=task.step_key, round=task.round).values_list(
                "assignee_id", flat=True
            )
        )
        target = next((pk for pk in admins if pk not in taken), None)
        if target is not None:
            Task.objects.filter(pk=task.pk).update(status=Task.Status.DELEGATED, decided_at=timezone.now())
            new = Task.objects.create(
                instance=instance,
                step_key=task.step_key,
                round=task.round,
                assignee_id=target,
                on_behalf_of_id=task.assignee_id,
                must_approve=task.must_approve,
            )
            _log(instance, "reassigned", step_key=task.step_key, to=target)
            _tell_approvers(instance, [new])
            return
    # notify_supervisor (and reassign with nobody to take it): the head of the assignee's department.
    department_id = User.objects.filter(pk=task.assignee_id).values_list("department_id", flat=True).first()
    head = Department.objects.filter(pk=department_id).values_list("head_id", flat=True).first()
    people = [head] if head and head != task.assignee_id else _administrators()
    notifications.notify(
        people,
        "workflows.overdue",
        params={"workflow": instance.version.workflow.name, "step": task.step_key},
        url=_task_url(task),
    )


def _route(people: list[int], instance: Instance) -> list[tuple[int, int | None]]:
    """(assignee, on behalf of) for each approver: someone away hands over to their delegate
    for this workflow (out-of-office, one level: the delegate's own absence is not followed)."""
    from django.db.models import Q

    from lowcode.workflows.models import Delegation

    today = timezone.localdate()
    code = instance.version.workflow.code
    away = {
        d.delegator_id: d.delegate_id
        for d in Delegation.objects.filter(delegator_id__in=people, starts_on__lte=today, ends_on__gte=today)
        .filter(Q(workflows=[]) | Q(workflows__contains=[code]))
        .order_by("-created_at")
    }
    routed, seen = [], set()
    for pk in people:
        assignee = away.get(pk, pk)
        if assignee in seen:
            continue
        seen.add(assignee)
        routed.append((assignee, pk if assignee != pk else None))
        if assignee != pk:
            _log(instance, "out_of_office", step_key=instance.step_key, away=pk, delegate=assignee)
    return routed


def _locked_task(task: Task, actor, kind: str = Task.Kind.DECIDE) -> tuple[Instance, Task]:
    instance = (
        Instance.objects.select_for_update(of=("self",))
        .select_related("version__workflow", "requester")
        .get(pk=task.instance_id)
    )
    task = Task.objects.get(pk=task.pk)
    if task.assignee_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("This task is not yours."))
    if task.kind != kind:
        raise WorkflowError(_("This task asks for something else."), code="wrong_kind")
    if task.status != Task.Status.PENDING or instance.status != Instance.Status.RUNNING:
        raise WorkflowError(_("This has already been decided."), code="already_decided")
    return instance, task


def _new_signer(instance: Instance, task: Task, person_id: int) -> None:
    from identity.models import User

    if not User.objects.filter(pk=person_id, is_active=True).exists():
        raise WorkflowError(_("Choose an active person."), code="invalid")
    if Task.objects.filter(
        instance=instance, step_key=task.step_key, round=task.round, assignee_id=person_id, status__in=LIVE
    ).exists():
        raise WorkflowError(_("That person already takes part in this step."), code="invalid")


def delegate(task: Task, *, actor, to: int, comment: str = "") -> Task:
    """Hand one's task to someone else (转交); both are recorded."""
    with transaction.atomic():
        instance, task = _locked_task(task, actor)
        _new_signer(instance, task, to)
        task.status = Task.Status.DELEGATED
        task.decided_at = timezone.now()
        task.comment = comment[:2000]
        task.save(update_fields=["status", "decided_at", "comment"])
        Task.objects.filter(
            instance=instance, step_key=task.step_key, round=task.round, assignee_id=to
        ).delete()
        new = Task.objects.create(
            instance=instance,
            step_key=task.step_key,
            round=task.round,
            assignee_id=to,
            on_behalf_of_id=actor.pk,
            must_approve=task.must_approve,
        )
        _log(instance, "delegated", actor=actor, step_key=task.step_key, comment=comment, to=to)
        _tell_approvers(instance, [new])
    return new


SIGNER_POSITIONS = ("with", "before", "after")


def add_signer(task: Task, *, actor, person: int, comment: str = "", position: str = "with") -> Task:
    """加签: someone else must also approve this step before it passes (whatever its mode).

    `before` (前加签): they decide first; the one who added them decides after their approval.
    `after` (后加签): the one who adds them approves now; the step waits for the added person.
    `with`: both decide, in any order."""
    if position not in SIGNER_POSITIONS:
        raise WorkflowError(_("Add the signer before, after or alongside you."), code="invalid")
    with transaction.atomic():
        instance, task = _locked_task(task, actor)
        _new_signer(instance, task, person)
        Task.objects.filter(
            instance=instance, step_key=task.step_key, round=task.round, assignee_id=person
        ).delete()
        new = Task.objects.create(
            instance=instance, step_key=task.step_key, round=task.round, assignee_id=person, must_approve=True
        )
        _log(
            instance,
            "signer_added",
            actor=actor,
            step_key=task.step_key,
            comment=comment,
            person=person,
            position=position,
        )
        _tell_approvers(instance, [new])
        if position == "before":
            Task.objects.filter(pk=task.pk).update(status=Task.Status.HELD, held_for=new)
        elif position == "after":
            _settle(instance, task, approve=True, actor=actor, comment=comment)
    return new


def return_for_information(task: Task, *, actor, comment: str, attachments: list[dict] = ()) -> Task:
    """退回补充: send the request back to the requester with a question; when they answer, the
    step starts again (a new round) — nothing is decided meanwhile."""
    if not comment.strip():
        raise WorkflowError(_("Say what information is missing."), code="invalid")
    with transaction.atomic():
        instance, task = _locked_task(task, actor)
        if instance.requester_id is None:
            raise WorkflowError(_("Nobody requested this; there is no one to ask."), code="invalid")
        now = timezone.now()
        Task.objects.filter(pk=task.pk).update(
            status=Task.Status.RETURNED, comment=comment[:2000], decided_at=now
        )
        Task.objects.filter(instance=instance, round=task.round, status__in=WAITING).exclude(
            pk=task.pk
        ).update(status=Task.Status.CANCELLED, decided_at=now)
        ask = Task.objects.create(
            instance=instance,
            step_key=task.step_key,
            round=task.round,
            assignee_id=instance.requester_id,
            kind=Task.Kind.RESPOND,
        )
        _log(
            instance,
            "returned",
            actor=actor,
            step_key=task.step_key,
            comment=comment,
            attachments=_checked_attachments(attachments),
        )
        _tell_approvers(instance, [ask])
    return ask


def respond(
    task: Task, *, actor, comment: str, answers: dict | None = None, attachments: list[dict] = ()
) -> Instance:
    """The requester answers a question; the step is asked again with what they added."""
    with transaction.atomic():
        instance, task = _locked_task(task, actor, kind=Task.Kind.RESPOND)
        Task.objects.filter(pk=task.pk).update(
            status=Task.Status.ANSWERED, comment=comment[:2000], decided_at=timezone.now()
        )
        if answers:
            json.dumps(answers)
            instance.context.update({k: v for k, v in answers.items() if not str(k).startswith("_")})
            instance.save(update_fields=["context"])
        _log(
            instance,
            "answered",
            actor=actor,
            step_key=task.step_key,
            comment=comment,
            attachments=_checked_attachments(attachments),
        )
        _advance(instance, instance.step_index)
    return instance


def set_away(delegation, *, actor):
    """Out of office: one's approvals go to a colleague between two dates (for all workflows or
    the ones named). Checked: dates in order, not oneself, an active colleague."""
    from identity.models import User

    if getattr(actor, "pk", None) is None:
        raise PermissionDenied(_("Sign in first."))
    delegation.delegator_id = actor.pk
    errors = {}
    if delegation.delegate_id == actor.pk:
        errors["delegate"] = ValidationError(_("Choose someone else."), code="invalid")
    elif not User.objects.filter(pk=delegation.delegate_id, is_active=True).exists():
        errors["delegate"] = ValidationError(_("Choose an active person."), code="invalid")
    if delegation.starts_on and delegation.ends_on and delegation.ends_on < delegation.starts_on:
        errors["ends_on"] = ValidationError(_("The end comes before the start."), code="invalid")
    unknown = set(delegation.workflows or []) - set(WorkflowDefinition.objects.values_list("code", flat=True))
    if unknown:
        errors["workflows"] = ValidationError(
            _("Unknown workflows: %(codes)s") % {"codes": ", ".join(sorted(unknown))}
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        delegation.save()
    return delegation


def end_away(delegation, *, actor) -> None:
    if delegation.delegator_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("This is not yours."))
    delegation.delete()


URGE_INTERVAL_MINUTES = 60


def urge(instance: Instance, *, actor) -> int:
    """催办: the requester reminds whoever is waiting to act (at most once an hour); returns how
    many people were reminded."""
    from datetime import timedelta

    from kernel import notifications

    with transaction.atomic():
        instance = (
            Instance.objects.select_for_update(of=("self",))
            .select_related("version__workflow")
            .get(pk=instance.pk)
        )
        if instance.requester_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("Only the requester can send a reminder."))
        if instance.status != Instance.Status.RUNNING:
            raise WorkflowError(_("This has already been decided."), code="already_decided")
        recent = timezone.now() - timedelta(minutes=URGE_INTERVAL_MINUTES)
        if instance.log.filter(kind="urged", at__gte=recent).exists():
            raise WorkflowError(_("A reminder was sent less than an hour ago."), code="too_soon")
        waiting = list(
            instance.tasks.filter(status=Task.Status.PENDING).values_list("assignee_id", flat=True)
        )
        if waiting:
            notifications.notify(
                waiting,
                "workflows.urge",
                params={"workflow": instance.version.workflow.name},
                actor=actor,
            )
        _log(instance, "urged", actor=actor, step_key=instance.step_key, people=waiting)
    return len(waiting)


def _reject(instance: Instance, step: dict, actor) -> None:
    target = step.get("on_reject", "requester")
    if target == "requester":
        _finish(instance, Instance.Status.REJECTED)
        return
    Task.objects.filter(instance=instance, status__in=WAITING).update(
        status=Task.Status.CANCELLED, decided_at=timezone.now()
    )
    _log(instance, "sent_back", actor=actor, step_key=step["key"], to=target)
    keys = [s["key"] for s in _steps(instance)]
    _advance(instance, keys.index(target))


# --- Comments and attachments ------------------------------------------------------------------------

ATTACHMENT_PREFIX = "workflows/attachments/"
MAX_ATTACHMENTS = 5


def store_attachments(files, *, actor) -> list[dict]:
    """Check every file, then keep them all (kernel.files); refused as a whole, per file, on the
    field "files", before anything is written. The references go to decide/comment/…"""
    from kernel.files import DOCUMENT_TYPES, store_file, validate_upload

    if getattr(actor, "pk", None) is None:
        raise PermissionDenied(_("Sign in first."))
    files = list(files)
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "files": ValidationError(
                    _("At most %(n)s files."), code="too_many_files", params={"n": MAX_ATTACHMENTS}
                )
            }
        )
    problems = []
    for uploaded in files:
        try:
            validate_upload(uploaded, allowed_types=set(DOCUMENT_TYPES))
        except ValidationError as exc:
            problems.append(
                ValidationError(f"{uploaded.name}: {' '.join(exc.messages)}", code=exc.error_list[0].code)
            )
    if problems:
        raise ValidationError({"files": problems})
    return [store_file(uploaded, prefix=ATTACHMENT_PREFIX) for uploaded in files]


def with_attachments(files, *, actor, then):
    """Keep the files, then run `then(references)`; if it is refused, the files go again —
    nothing is left half-written."""
    from kernel.files import discard_files

    references = store_attachments(files, actor=actor) if files else []
    try:
        return then(references)
    except BaseException:
        discard_files(references)
        raise


def _checked_attachments(references) -> list[dict]:
    checked = []
    for ref in references or ():
        if not (isinstance(ref, dict) and str(ref.get("key", "")).startswith(ATTACHMENT_PREFIX)):
            raise WorkflowError(_("An attachment was not uploaded here."), code="invalid")
        checked.append({k: ref[k] for k in ("key", "name", "size", "type") if k in ref})
    return checked


def involved(instance: Instance, user) -> bool:
    """The requester, and everyone who has (or had) a task in it, or acted for someone who had."""
    who = getattr(user, "pk", None)
    if who is None:
        return False
    return instance.requester_id == who or (
        Task.objects.filter(instance=instance)
        .filter(models.Q(assignee_id=who) | models.Q(on_behalf_of_id=who))
        .exists()
    )


def comment(instance: Instance, *, actor, text: str, attachments: list[dict] = ()) -> LogEntry:
    """A comment (with attachments) on a request by anyone involved; the others involved who
    are still waiting, and the requester, are told."""
    from kernel import notifications

    text = (text or "").strip()
    attachments = _checked_attachments(attachments)
    if not text and not attachments:
        raise ValidationError(
            {"comment": ValidationError(_("Write a comment or attach a file."), code="required")}
        )
    with transaction.atomic():
        instance = (
            Instance.objects.select_for_update(of=("self",))
            .select_related("version__workflow")
            .get(pk=instance.pk)
        )
        if not involved(instance, actor):
            raise PermissionDenied(_("Only the people taking part can comment."))
        entry = LogEntry.objects.create(
            instance=instance,
            kind="commented",
            actor=actor,
            step_key=instance.step_key,
            comment=text[:2000],
            data={"attachments": attachments} if attachments else {},
        )
        others = set(instance.tasks.filter(status=Task.Status.PENDING).values_list("assignee_id", flat=True))
        if instance.requester_id:
            others.add(instance.requester_id)
        others.discard(actor.pk)
        if others:
            notifications.notify(
                sorted(others),
                "workflows.comment",
                params={"workflow": instance.version.workflow.name, "who": str(actor)},
                actor=actor,
                url=reverse("workflows:request", kwargs={"pk": instance.pk}),
            )
    return entry


def withdraw(instance: Instance, *, actor) -> Instance:
    """The requester takes it back, while nobody has decided anything."""
    with transaction.atomic():
        instance = (
            Instance.objects.select_for_update(of=("self",)).select_related("version").get(pk=instance.pk)
        )
        if instance.requester_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("Only the requester can withdraw this."))
        if instance.status != Instance.Status.RUNNING:
            raise WorkflowError(_("This has already been decided."), code="already_decided")
        if instance.tasks.exclude(status__in=[Task.Status.PENDING, Task.Status.CANCELLED]).exists():
            raise WorkflowError(
                _("Someone has already acted on it; it can no longer be withdrawn."), code="acted_on"
            )
        _finish(instance, Instance.Status.WITHDRAWN)
    return instance


def preview(definition: dict, *, requester, context: dict) -> list[dict]:
    """ "Who would approve this?": the path through a definition for a requester and answers,
    with the people each approval step would ask — computed, nothing stored."""
    fake = Instance(requester=requester, context=dict(context), subject_type="preview", subject_id=0)
    steps = definition["steps"]
    keys = [s["key"] for s in steps]
    path, index = [], 0
    while index < len(steps):
        step = steps[index]
        if step["kind"] == "branch":
            target = step.get("otherwise") or (keys[index + 1] if index + 1 < len(steps) else defs.END)
            for branch in step["branches"]:
                if evaluate(branch["when"], condition_values(fake.context)):
                    target = branch["goto"]
                    break
            path.append({"step": step["key"], "kind": "branch", "goto": target})
            if target == defs.END:
                break
            index = keys.index(target)
            continue
        people = (
            resolve(step.get("approvers") or step.get("recipients") or [], fake)
            if step["kind"] != "action"
            else []
        )
        entry = {"step": step["key"], "kind": step["kind"], "people": people}
        if step["kind"] == "approval" and not people:
            entry["fallback"] = step.get("fallback", "admin")
            if entry["fallback"] == "admin":
                entry["people"] = _administrators()
        if step["kind"] == "approval" and step.get("mode", "one") == "one":
            entry["people"] = entry["people"][:1]
        path.append(entry)
        if step["kind"] == "approval" and not entry["people"] and entry.get("fallback") == "fail":
            break
        index += 1
    return path
