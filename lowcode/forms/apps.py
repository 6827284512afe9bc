from django.utils.translation import gettext_lazy as _

from kernel.modules import MenuItem, ModuleAppConfig, ModuleSpec


class FormsConfig(ModuleAppConfig):
    name = "lowcode.forms"
    label = "lowcode_forms"
    verbose_name = _("Forms")
    module_spec = ModuleSpec(
        key="forms",
        name_zh="自定义表单",
        name_en="Forms",
        description="Forms designed by the organisation, with versions, conditions and submissions; "
        "custom fields on built-in records.",
        always_on=True,
        menu_icon="form",
        menu_order=300,
        menu_items=(
            MenuItem(
                "forms", _("Forms"), "lowcode_forms_form:index", icon="form", order=1, permission="forms.view"
            ),
            MenuItem(
                "submissions",
                _("Submissions"),
                "lowcode_forms_submissions",
                icon="list-ul",
                order=2,
                permission="forms.view",
            ),
        ),
        console_viewsets=("lowcode.forms.viewsets.form_viewset",),
        urls="lowcode.forms.urls",
        url_prefix="forms",
        graphql_query="lowcode.forms.graphql.FormsQuery",
        graphql_mutation="lowcode.forms.graphql.FormsMutation",
        report_datasets="lowcode.forms.reporting.datasets",
        demo_data="lowcode.forms.demo.seed",
        portal_entries=((_("Forms and applications"), "forms:index", "form"),),
        role_grants={"dispatcher": ("forms.view",), "approver": ("forms.view",)},
        my_requests="lowcode.forms.selectors.my_requests",
        # List rows are a copy of submissions (which are audited): no trail of their own.
        audit_exclude=("SubmissionIndex",),
        workflow_subjects=(
            (
                "forms.submission",
                "lowcode.forms.actions.workflow_outcome",
                "lowcode.forms.actions.submission_department",
            ),
        ),
    )
