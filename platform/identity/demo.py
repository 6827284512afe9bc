"""Demo people in every default role (idempotent; password: tenants.demo.DEMO_PASSWORD)."""

from identity.models import Department, Role, User

# login prefix, name, English name, role, department code preferences (first that exists)
PEOPLE = [
    ("dispatcher", "王调度", "Wang (dispatcher)", "dispatcher", ("LOG", "OPS")),
    ("worker", "李师傅", "Li (maintenance worker)", "worker", ("LOG", "OPS")),
    ("head", "张主任", "Zhang (department head)", "approver", ("MED", "ACA", "GEN", "GRP")),
    ("staff", "赵老师", "Zhao (staff)", "end_user", ("ICU", "HOU", "FIN", "OPS")),
    ("viewer", "集团查看员", "HQ viewer", "hq_viewer", ("GRP", "OPS")),
]


def seed(tenant) -> None:
    from identity.defaults import root_department
    from tenants.demo import DEMO_PASSWORD

    for prefix, name, _name_en, role_code, departments in PEOPLE:
        if role_code == "hq_viewer" and tenant.kind != "group":
            continue
        username = f"{prefix}@{tenant.schema_name}.demo"
        if User.objects.filter(username=username).exists():
            continue
        by_code = {d.code: d for d in Department.objects.filter(code__in=departments)}
        department = (
            next((by_code[code] for code in departments if code in by_code), None) or root_department()
        )
        user = User.objects.create_user(
            username=username,
            email=username,
            password=DEMO_PASSWORD,
            full_name=name,
            department=department,
            language="zh-hans",
        )
        user.roles.add(Role.objects.get(code=role_code))
        if role_code == "approver" and department.head_id is None:
            department.head = user
            department.save(update_fields=["head"])
