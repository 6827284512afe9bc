"""Demo forms: a renovation application (conditions, money, a table) and room custom fields."""

from lowcode.forms import actions
from lowcode.forms.models import FormDefinition


def _t(zh, en):
    return {"zh": zh, "en": en}


RENOVATION = {
    "sections": [
        {
            "key": "request",
            "title": _t("申请信息", "Request"),
            "fields": [
                {
                    "key": "category",
                    "type": "choice",
                    "label": _t("类别", "Category"),
                    "required": True,
                    "options": [
                        {"value": "repair", "label": _t("维修", "Repair")},
                        {"value": "renovation", "label": _t("改造", "Renovation")},
                        {"value": "furniture", "label": _t("家具配置", "Furniture")},
                    ],
                },
                {"key": "room", "type": "room", "label": _t("地点", "Location"), "required": True},
                {
                    "key": "description",
                    "type": "textarea",
                    "label": _t("说明", "Description"),
                    "required": True,
                    "max_length": 2000,
                    "placeholder": _t("请描述需要做什么", "What needs doing"),
                },
                {
                    "key": "estimated_cost",
                    "type": "money",
                    "label": _t("预计费用（元）", "Estimated cost (CNY)"),
                    "min": 0,
                    "visible_when": {"field": "category", "op": "eq", "value": "renovation"},
                    "required_when": {"field": "category", "op": "eq", "value": "renovation"},
                },
                {
                    "key": "reason",
                    "type": "textarea",
                    "label": _t("超过 5000 元的理由", "Reason (over 5,000)"),
                    "required_when": {"field": "estimated_cost", "op": "gt", "value": 5000},
                    "visible_when": {"field": "estimated_cost", "op": "gt", "value": 5000},
                },
                {"key": "wanted_by", "type": "date", "label": _t("期望完成日期", "Wanted by")},
                {
                    "key": "items",
                    "type": "table",
                    "label": _t("物品明细", "Items"),
                    "max": 20,
                    "visible_when": {"field": "category", "op": "eq", "value": "furniture"},
                    "columns": [
                        {"key": "name", "type": "text", "label": _t("名称", "Item"), "required": True},
                        {
                            "key": "qty",
                            "type": "number",
                            "label": _t("数量", "Quantity"),
                            "min": 1,
                            "required": True,
                        },
                    ],
                },
                {"key": "photos", "type": "file", "label": _t("照片", "Photos"), "max": 5},
            ],
        }
    ]
}

ROOM_FIELDS = {
    "sections": [
        {
            "key": "room",
            "title": _t("房间扩展信息", "More about the room"),
            "fields": [
                {
                    "key": "cleanliness",
                    "type": "choice",
                    "label": _t("洁净等级", "Cleanliness class"),
                    "options": [
                        {"value": "general", "label": _t("一般区域", "General")},
                        {"value": "clean", "label": _t("洁净区", "Clean area")},
                        {"value": "isolation", "label": _t("隔离区", "Isolation")},
                    ],
                },
                {"key": "has_oxygen", "type": "boolean", "label": _t("有中心供氧", "Piped oxygen")},
                {
                    "key": "last_disinfected",
                    "type": "date",
                    "label": _t("上次消毒日期", "Last disinfected"),
                    "visible_when": {"field": "cleanliness", "op": "in", "value": ["clean", "isolation"]},
                },
            ],
        }
    ]
}


def seed(tenant) -> None:
    """Idempotent: creates and publishes the demo forms once."""
    for code, name, name_en, kind, target, definition in (
        ("renovation", "维修改造申请", "Repair and renovation request", "form", "", RENOVATION),
        ("room-fields", "房间扩展字段", "Room custom fields", "extension", "spaces.room", ROOM_FIELDS),
    ):
        form = FormDefinition.objects.filter(code=code).first()
        if form is None:
            form = FormDefinition(code=code, name=name, name_en=name_en, kind=kind, target=target)
            if code == "renovation":  # goes through the seed workflow every organisation has
                from lowcode.workflows.models import WorkflowDefinition

                form.workflow = WorkflowDefinition.objects.filter(code="repair-preapproval").first()
            form = actions.save_form(form)
        if form.current_version_id is None:
            actions.save_draft(form, definition)
            actions.publish(form, note="演示 demo")
