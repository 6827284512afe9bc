"""The demo organisations `make run` creates (idempotent)."""

from django.db import connection

from kernel import modules
from kernel.context import tenant_schema
from tenants import actions
from tenants.models import Tenant

DEMO_PASSWORD = "Facilis-Demo-2026"
# What the demo hospitals, university and agency have switched on (HQ only reads figures).
DEMO_MODULES = ("inventory", "workorders")
OPERATOR = {"username": "operator", "email": "operator@facilis.demo"}

# Each demo organisation looks like itself: (primary, accent, short name, logo letter).
DEMO_LOOKS = {
    "hq": ("#1d3557", "#e63946", "示范集团", "G"),
    "h1": ("#0b6e4f", "#f4a259", "一院", "1"),
    "h2": ("#7a1f5c", "#f0b400", "胸科", "C"),
    "uni": ("#1f4e9c", "#d4a017", "滨江大学", "U"),
    "gov": ("#8b1e1e", "#c9a227", "机关事务", "A"),
}

DEMO_TENANTS = [
    # schema, name, English name, kind, parent, domain
    ("hq", "示范医疗集团", "Demo Health Group", "group", None, "hq.localhost"),
    ("h1", "第一人民医院", "First People's Hospital", "hospital", "hq", "h1.localhost"),
    ("h2", "胸科医院", "Chest Hospital", "hospital", "hq", "h2.localhost"),
    ("uni", "滨江大学", "Binjiang University", "university", None, "uni.localhost"),
    ("gov", "市机关事务管理局", "City Government Offices Administration", "agency", None, "gov.localhost"),
]


def admin_email(schema: str) -> str:
    return f"admin@{schema}.demo"


def seed(stdout=None) -> list[dict]:
    """Create the operator, the demo tenants and their demo data; return the logins."""
    from identity.models import User

    connection.set_schema_to_public()
    if not User.objects.filter(username=OPERATOR["username"]).exists():
        User.objects.create_superuser(password=DEMO_PASSWORD, full_name="Platform operator", **OPERATOR)
    logins = [{"site": "http://localhost:8000/", "who": "platform operator", "user": OPERATOR["username"]}]
    for schema, name, name_en, kind, parent, domain in DEMO_TENANTS:
        tenant = Tenant.objects.filter(schema_name=schema).first()
        if tenant is None:
            tenant = actions.provision_tenant(
                actions.TenantRequest(
                    schema_name=schema,
                    name=name,
                    name_en=name_en,
                    kind=kind,
                    parent_schema=parent,
                    domain=domain,
                    admin_email=admin_email(schema),
                    admin_password=DEMO_PASSWORD,
                    admin_name=f"{name} 管理员",
                ),
                actor="demo",
            )
            if stdout:
                stdout.write(f"created demo tenant {schema} ({name})")
        if not tenant.brand_logo:
            _brand(tenant, *DEMO_LOOKS[schema])
        if kind != "group":
            for key in DEMO_MODULES:
                if key not in modules.enabled_keys(tenant):
                    actions.set_module_enabled(tenant, key, True, actor="demo")
        with tenant_schema(tenant.schema_name):
            for spec in modules.all_modules():
                if spec.demo_data and modules.is_enabled(spec.key, tenant):
                    spec.import_attr("demo_data")(tenant)
        logins.append({"site": f"http://{domain}:8000/console/", "who": name, "user": admin_email(schema)})
    for schema, name, _en, kind, _parent, domain in DEMO_TENANTS:
        people = [("dispatcher", "调度员"), ("worker", "维修工"), ("head", "审批人"), ("staff", "普通用户")]
        if kind == "group":
            people.append(("viewer", "集团查看"))
        for prefix, role in people:
            logins.append(
                {"site": f"http://{domain}:8000/", "who": f"{name} {role}", "user": f"{prefix}@{schema}.demo"}
            )
    return logins


def logo_png(colour: str, letter: str) -> bytes:
    """A simple round logo: a white disc with a letter, on the brand colour."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (128, 128), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((16, 16, 112, 112), fill="white")
    draw.text((64, 64), letter, fill=colour, font_size=56, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _brand(tenant, primary: str, accent: str, short_name: str, letter: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    actions.update_branding(
        tenant,
        {
            "brand_primary_colour": primary,
            "brand_accent_colour": accent,
            "brand_short_name": short_name,
            "brand_email_sender_name": f"{tenant.name}后勤服务",
            "brand_email_footer": "后勤服务热线 0571-8888 6666 · 7×24 小时",
        },
        logo=SimpleUploadedFile("logo.png", logo_png(primary, letter), "image/png"),
        actor="demo",
    )
