"""Every tenant's portal starts with a home page, news, announcements, FAQ and a service guide."""

from wagtail.models import Page, Site

from portal.models import ArticleKind, FaqIndexPage, HomePage, NewsIndexPage, ServicePage

SECTIONS = [
    ("news", NewsIndexPage, {"title": "新闻动态", "title_en": "News", "kind": ArticleKind.NEWS}),
    (
        "notices",
        NewsIndexPage,
        {"title": "通知公告", "title_en": "Announcements", "kind": ArticleKind.NOTICE},
    ),
    (
        "faq",
        FaqIndexPage,
        {
            "title": "常见问题",
            "title_en": "FAQ",
            "intro": "报修、预约、办事中常见的问题。",
            "intro_en": "Common questions about repairs, bookings and applications.",
        },
    ),
    (
        "guide",
        ServicePage,
        {
            "title": "服务指南",
            "title_en": "Service guide",
            "body": "<p>后勤服务热线、办公时间与办理流程。</p>",
            "body_en": "<p>Service desk numbers, opening hours and how to apply.</p>",
        },
    ),
]


def install(tenant) -> None:
    """Idempotent: replace Wagtail's welcome page by the portal home and its sections."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=HomePage(
                title=tenant.name,
                title_en=tenant.name_en,
                slug="portal",
                intro="欢迎使用后勤服务门户：报修、预约、申请、查询，一站办理。",
                intro_en="Welcome: report a fault, book, apply and follow up, all in one place.",
            )
        )
        site = Site.objects.filter(is_default_site=True).first()
        welcome = site.root_page if site else None
        if site:
            site.root_page = home
            site.save(update_fields=["root_page"])
        if welcome is not None and welcome.pk != home.pk and type(welcome.specific) is Page:
            welcome.delete()
    for slug, model, fields in SECTIONS:
        if not home.get_children().filter(slug=slug).exists():
            home.add_child(instance=model(slug=slug, **fields))
