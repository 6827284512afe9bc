"""Import users and departments from XLSX or CSV: a dry run that names every bad row, then,
only when the tenant confirms, one all-or-nothing transaction.

Columns may be headed in English or Chinese (`username` or `登录名`). Files are read with
tablib (openpyxl for XLSX); every row is checked by a Django form plus the rules that
span rows (duplicates in the file, parents defined later in the file). New rows are
inserted in batches; the audit trigger still records each one.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import tablib
from django import forms
from django.contrib.auth.hashers import make_password
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from identity.models import Department, Position, Role, User, Workgroup
from kernel.crypto import digest

BATCH = 1000


class ImportFileError(Exception):
    """The file itself cannot be read (format, missing columns)."""


@dataclass
class RowError:
    row: int  # as the tenant sees it in the spreadsheet: the header is row 1
    messages: list[str]


@dataclass
class Plan:
    kind: str
    total: int
    errors: list[RowError] = field(default_factory=list)
    creates: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.total > 0


# --- Reading ---------------------------------------------------------------------------------

ALIASES = {
    "username": ("username", "login", "登录名", "账号", "用户名"),
    "full_name": ("full_name", "name", "姓名"),
    "email": ("email", "e-mail", "邮箱", "电子邮箱"),
    "employee_number": ("employee_number", "employee no", "工号", "学号"),
    "phone": ("phone", "mobile", "手机", "手机号", "电话"),
    "id_number": ("id_number", "id", "身份证号", "证件号"),
    "department_code": ("department_code", "department", "部门编码", "科室编码", "部门"),
    "position_code": ("position_code", "position", "岗位编码", "岗位"),
    "workgroup_codes": ("workgroup_codes", "workgroups", "分组编码", "人员分组"),
    "role_codes": ("role_codes", "roles", "角色编码", "角色"),
    "language": ("language", "语言"),
    "is_active": ("is_active", "active", "启用"),
    "code": ("code", "编码", "部门编码"),
    "name": ("name", "名称", "部门名称"),
    "name_en": ("name_en", "english name", "英文名称"),
    "parent_code": ("parent_code", "parent", "上级编码", "上级部门编码"),
}
USER_COLUMNS = (
    "username",
    "full_name",
    "email",
    "employee_number",
    "phone",
    "id_number",
    "department_code",
    "position_code",
    "workgroup_codes",
    "role_codes",
    "language",
    "is_active",
)
USER_REQUIRED = ("username", "full_name", "department_code")
DEPARTMENT_COLUMNS = ("code", "name", "name_en", "parent_code")
DEPARTMENT_REQUIRED = ("code", "name")


def read_rows(
    content: bytes, filename: str, columns: tuple[str, ...], required: tuple[str, ...]
) -> list[dict]:
    """Rows as dicts keyed by our column names; raises ImportFileError for an unreadable file."""
    lowered = filename.lower()
    try:
        if lowered.endswith(".xlsx"):
            dataset = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
        elif lowered.endswith(".csv"):
            dataset = tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
        else:
            raise ImportFileError(_("Upload an .xlsx or .csv file."))
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(_("The file cannot be read: %(error)s") % {"error": exc}) from exc
    headers = [str(h or "").strip().lower() for h in (dataset.headers or [])]
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        for column in columns:
            if header in ALIASES[column]:
                mapping.setdefault(index, column)
    missing = [c for c in required if c not in mapping.values()]
    if missing:
        raise ImportFileError(_("Missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    rows = []
    for values in dataset:
        row = {column: _cell(values[index]) for index, column in mapping.items()}
        if any(row.values()):
            rows.append(row)
    return rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 13812345678 read from Excel as a float
    return str(value).strip()


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.replace("，", ";").replace(",", ";").split(";") if part.strip()]


# --- Departments ------------------------------------------------------------------------------


class DepartmentRowForm(forms.Form):
    code = forms.CharField(max_length=50)
    name = forms.CharField(max_length=200)
    name_en = forms.CharField(max_length=200, required=False)
    parent_code = forms.CharField(max_length=50, required=False)


def plan_departments(rows: list[dict]) -> Plan:
    plan = Plan(kind="departments", total=len(rows))
    existing = {d.code: d for d in Department.objects.all()}
    in_file: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        form = DepartmentRowForm(row)
        messages = [f"{name}: {m}" for name, errs in form.errors.items() for m in errs]
        code = row.get("code", "")
        if code in in_file:
            messages.append(_("code %(code)s also on row %(row)s") % {"code": code, "row": in_file[code]})
        in_file.setdefault(code, number)
        if messages:
            plan.errors.append(RowError(number, messages))
            continue
        data = form.cleaned_data
        target = plan.updates if code in existing else plan.creates
        target.append({**data, "row": number})
    known = set(existing) | {item["code"] for item in plan.creates + plan.updates}
    for item in plan.creates + plan.updates:
        parent = item["parent_code"]
        if parent and parent not in known:
            plan.errors.append(
                RowError(item["row"], [_("parent %(code)s does not exist") % {"code": parent}])
            )
        if not parent and item["code"] not in existing:
            plan.errors.append(RowError(item["row"], [_("a new department needs a parent_code")]))
    # A parent chain that loops (A under B, B under A) can never be placed.
    parents = {d.code: (d.get_parent().code if d.get_parent() else "") for d in existing.values()}
    parents.update(
        {item["code"]: item["parent_code"] for item in plan.creates + plan.updates if item["parent_code"]}
    )
    for item in plan.creates + plan.updates:
        seen, node = set(), item["code"]
        while node and node not in seen:
            seen.add(node)
            node = parents.get(node, "")
        if node:
            plan.errors.append(RowError(item["row"], [_("its parents form a loop")]))
    plan.errors.sort(key=lambda e: e.row)
    return plan


def apply_departments(plan: Plan, *, actor=None, progress: Callable[[int], None] | None = None) -> dict:
    from identity.actions import create_department, move_department, require

    require(actor, "identity.import")
    pending = {item["code"]: item for item in plan.creates}
    done = 0
    with transaction.atomic():
        for item in plan.updates:
            department = Department.objects.get(code=item["code"])
            department.name, department.name_en = item["name"], item["name_en"]
            department.save(update_fields=["name", "name_en"])
            parent_code = item["parent_code"]
            current = department.get_parent()
            if (
                parent_code
                and (current is None or current.code != parent_code)
                and parent_code not in pending
            ):
                move_department(department, Department.objects.get(code=parent_code))
            done += 1
        while pending:  # parents before children, whatever the order in the file
            ready = [item for item in pending.values() if item["parent_code"] not in pending]
            for item in ready:
                parent = Department.objects.get(code=item["parent_code"])
                create_department(
                    Department(code=item["code"], name=item["name"], name_en=item["name_en"]), parent=parent
                )
                del pending[item["code"]]
                done += 1
                if progress:
                    progress(done)
    return {"created": len(plan.creates), "updated": len(plan.updates)}


# --- Users --------------------------------------------------------------------------------------


class UserRowForm(forms.Form):
    username = forms.CharField(max_length=150)
    full_name = forms.CharField(max_length=150)
    email = forms.CharField(max_length=254, required=False, validators=[validate_email])
    employee_number = forms.CharField(max_length=50, required=False)
    phone = forms.RegexField(regex=r"^\+?[0-9][0-9 -]{5,20}$", required=False)
    id_number = forms.RegexField(regex=r"^[0-9]{17}[0-9Xx]$|^[A-Za-z0-9]{6,20}$", required=False)
    department_code = forms.CharField(max_length=50)
    position_code = forms.CharField(max_length=50, required=False)
    workgroup_codes = forms.CharField(required=False)
    role_codes = forms.CharField(required=False)
    language = forms.ChoiceField(choices=[("", ""), ("zh-hans", "zh-hans"), ("en", "en")], required=False)
    is_active = forms.CharField(required=False)


_TRUE = {"", "1", "true", "yes", "y", "是", "启用"}
_FALSE = {"0", "false", "no", "n", "否", "停用"}


def plan_users(rows: list[dict]) -> Plan:
    plan = Plan(kind="users", total=len(rows))
    departments = dict(Department.objects.values_list("code", "pk"))
    positions = dict(Position.objects.values_list("code", "pk"))
    workgroups = dict(Workgroup.objects.values_list("code", "pk"))
    roles = dict(Role.objects.values_list("code", "pk"))
    existing = dict(User.objects.values_list("username", "pk"))
    numbers = dict(User.objects.exclude(employee_number="").values_list("employee_number", "username"))
    seen_usernames: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        form = UserRowForm(row)
        messages = [f"{name}: {m}" for name, errs in form.errors.items() for m in errs]
        data = form.cleaned_data if form.is_valid() else {}
        username = row.get("username", "").strip()
        if username in seen_usernames:
            messages.append(
                _("username %(u)s also on row %(row)s") % {"u": username, "row": seen_usernames[username]}
            )
        seen_usernames.setdefault(username, number)
        employee_number = row.get("employee_number", "")
        if employee_number:
            if employee_number in seen_numbers:
                messages.append(
                    _("employee number %(n)s also on row %(row)s")
                    % {"n": employee_number, "row": seen_numbers[employee_number]}
                )
            seen_numbers.setdefault(employee_number, number)
            owner = numbers.get(employee_number)
            if owner and owner != username:
                messages.append(
                    _("employee number %(n)s belongs to %(u)s") % {"n": employee_number, "u": owner}
                )
        if data:
            if data["department_code"] not in departments:
                messages.append(_("no department with code %(c)s") % {"c": data["department_code"]})
            if data["position_code"] and data["position_code"] not in positions:
                messages.append(_("no position with code %(c)s") % {"c": data["position_code"]})
            for code in _codes(data["workgroup_codes"]):
                if code not in workgroups:
                    messages.append(_("no workgroup with code %(c)s") % {"c": code})
            for code in _codes(data["role_codes"]):
                if code not in roles:
                    messages.append(_("no role with code %(c)s") % {"c": code})
            active = data["is_active"].lower()
            if active not in _TRUE | _FALSE:
                messages.append(_("is_active: use yes or no"))
        if messages:
            plan.errors.append(RowError(number, messages))
            continue
        item = {
            **data,
            "row": number,
            "department_id": departments[data["department_code"]],
            "position_id": positions.get(data["position_code"]),
            "workgroup_ids": [workgroups[c] for c in _codes(data["workgroup_codes"])],
            "role_ids": [roles[c] for c in _codes(data["role_codes"])],
            "is_active": data["is_active"].lower() not in _FALSE,
            "language": data["language"] or "zh-hans",
        }
        if username in existing:
            item["pk"] = existing[username]
            plan.updates.append(item)
        else:
            plan.creates.append(item)
    return plan


_USER_FIELDS = (
    "full_name",
    "email",
    "employee_number",
    "phone",
    "id_number",
    "department_id",
    "position_id",
    "language",
    "is_active",
)


def apply_users(plan: Plan, *, actor=None, progress: Callable[[int], None] | None = None) -> dict:
    """All rows or none. New users get no usable password: they set one through the
    password-reset e-mail."""
    from identity.actions import require

    require(actor, "identity.import")
    unusable = make_password(None)
    done = 0
    with transaction.atomic():
        for start in range(0, len(plan.creates), BATCH):
            chunk = plan.creates[start : start + BATCH]
            users = [
                User(
                    username=item["username"],
                    password=unusable,
                    phone_digest=digest(item["phone"]),
                    **{name: item[name] for name in _USER_FIELDS},
                )
                for item in chunk
            ]
            created = User.objects.bulk_create(users, batch_size=BATCH)
            _link(created, chunk)
            done += len(chunk)
            if progress:
                progress(done)
        for start in range(0, len(plan.updates), BATCH):
            chunk = plan.updates[start : start + BATCH]
            by_pk = User.objects.in_bulk([item["pk"] for item in chunk])
            for item in chunk:
                user = by_pk[item["pk"]]
                for name in _USER_FIELDS:
                    setattr(user, name, item[name])
                user.phone_digest = digest(item["phone"])
            User.objects.bulk_update(list(by_pk.values()), [*_USER_FIELDS, "phone_digest"], batch_size=BATCH)
            users = [by_pk[item["pk"]] for item in chunk]
            User.roles.through.objects.filter(user_id__in=by_pk).delete()
            User.workgroups.through.objects.filter(user_id__in=by_pk).delete()
            _link(users, chunk)
            done += len(chunk)
            if progress:
                progress(done)
    return {"created": len(plan.creates), "updated": len(plan.updates)}


def _link(users, items) -> None:
    role_links = [
        User.roles.through(user_id=user.pk, role_id=role_id)
        for user, item in zip(users, items, strict=True)
        for role_id in item["role_ids"]
    ]
    group_links = [
        User.workgroups.through(user_id=user.pk, workgroup_id=group_id)
        for user, item in zip(users, items, strict=True)
        for group_id in item["workgroup_ids"]
    ]
    User.roles.through.objects.bulk_create(role_links, batch_size=BATCH)
    User.workgroups.through.objects.bulk_create(group_links, batch_size=BATCH)


KINDS = {
    "users": (USER_COLUMNS, USER_REQUIRED, plan_users, apply_users),
    "departments": (DEPARTMENT_COLUMNS, DEPARTMENT_REQUIRED, plan_departments, apply_departments),
}


def plan_file(kind: str, content: bytes, filename: str) -> Plan:
    columns, required, planner, _apply = KINDS[kind]
    return planner(read_rows(content, filename, columns, required))


def apply_file(
    kind: str, content: bytes, filename: str, *, actor=None, progress=None
) -> tuple[Plan, dict | None]:
    """Re-check the file (things may have changed since the dry run) and apply it if clean."""
    columns, required, planner, applier = KINDS[kind]
    plan = planner(read_rows(content, filename, columns, required))
    if not plan.ok:
        return plan, None
    return plan, applier(plan, actor=actor, progress=progress)
