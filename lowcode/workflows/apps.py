from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from kernel.modules import MenuItem, ModuleAppConfig, ModuleSpec, NotificationKind, PeriodicJob


class WorkflowsConfig(ModuleAppConfig):
    name = "lowcode.workflows"
    label = "lowcode_workflows"
    verbose_name = _("Workflows")
    module_spec = ModuleSpec(
        key="workflows",
        name_zh="审批流程",
        name_en="Approval workflows",
        description="One approval engine for every module: steps, approvers resolved at run time, "
        "countersign, or-sign, N of M, branches.",
        always_on=True,
        menu_icon="tasks",
        menu_order=310,
        audit_exclude=("LogEntry",),
        default_data="lowcode.workflows.defaults.install",
        menu_items=(
            MenuItem("inbox", _("Waiting for me"), "lowcode_workflows_inbox", icon="tasks", order=0),
            MenuItem(
                "workflows",
                _("Workflows"),
                "lowcode_workflows_workflow:index",
                icon="tasks",
                order=1,
                permission="workflows.change",
            ),
        ),
        console_viewsets=("lowcode.workflows.viewsets.workflow_viewset",),
        periodic_jobs=(PeriodicJob(actor="workflows.sweep", every=timedelta(seconds=60)),),
        urls="lowcode.workflows.urls",
        portal_entries=((_("Out of office"), "workflows:away", "user"),),
        my_tasks="lowcode.workflows.selectors.my_tasks",
        graphql_query="lowcode.workflows.graphql.WorkflowsQuery",
        graphql_mutation="lowcode.workflows.graphql.WorkflowsMutation",
        role_grants={"dispatcher": ("workflows.view",), "approver": ("workflows.view",)},
        notification_kinds=(
            NotificationKind(
                key="workflows.due_soon",
                label=_("Approvals nearly due"),
                title=_("Due soon: %(workflow)s"),
            ),
            NotificationKind(
                key="workflows.overdue",
                label=_("Approvals past their time limit"),
                title=_("Overdue: %(workflow)s (%(step)s)"),
            ),
            NotificationKind(
                key="workflows.urge",
                label=_("Reminders to approve"),
                title=_("Reminder: %(workflow)s is waiting for you"),
            ),
            NotificationKind(
                key="workflows.task",
                label=_("Approvals waiting for me"),
                title=_("Waiting for your approval: %(workflow)s"),
                body=_("%(subject)s is waiting for your decision."),
            ),
            NotificationKind(
                key="workflows.todo",
                label=_("Tasks made by workflows"),
                title=_("To do: %(title)s (%(workflow)s)"),
            ),
            NotificationKind(
                key="workflows.comment",
                label=_("Comments on approvals I take part in"),
                title=_("%(who)s commented on %(workflow)s"),
            ),
            NotificationKind(
                key="workflows.notice",
                label=_("Workflow notices (copies)"),
                title=_("For your information: %(subject)s"),
                body=_("A workflow passed the step %(step)s."),
            ),
        ),
    )
