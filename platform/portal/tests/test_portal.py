"""The portal: page tree per tenant, tiles, search in Chinese, personal pages, branding."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kernel import search
from portal import demo
from portal.models import ArticlePage, FaqPage, HomePage
from tenants import actions

pytestmark = pytest.mark.django_db


def png(colour=(200, 30, 30), size=(64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_every_tenant_gets_its_own_page_tree(tenants, in_tenant, client_for):
    with in_tenant(tenants.a):
        home = HomePage.objects.get()
        assert home.title == "甲医院"
        assert [child.slug for child in home.get_children()] == ["news", "notices", "faq", "guide"]
    for path in ("/", "/news/", "/notices/", "/faq/", "/guide/"):
        assert client_for(tenants.a).get(path).status_code == 200, path
    assert "乙大学" in client_for(tenants.b).get("/").content.decode()


def test_search_finds_a_chinese_faq_by_a_word_inside_it(tenants, in_tenant, client_for):
    with in_tenant(tenants.a):
        demo.seed(tenants.a)
        titles = [entry.title for entry in search.search("空调")]
        assert "空调不制冷怎么办" in titles and "空调漏水如何处理" in titles
        assert [entry.title for entry in search.search("不制冷")] == ["空调不制冷怎么办"]
        assert search.search("制热") == []
        assert "How do I report a fault online?" in [
            entry.title_en for entry in search.search("report fault")
        ]
    page = client_for(tenants.a).get("/search/", {"q": "空调"}).content.decode()
    assert "空调不制冷怎么办" in page
    # Another tenant's index is its own.
    with in_tenant(tenants.b):
        assert search.search("空调") == []


def test_tokens():
    assert search.document_tokens("空调不制冷") == "空 调 不 制 冷 空调 调不 不制 制冷"
    assert search.query_tokens("空调 Leak 3F") == "空调 leak 3f"
    assert search.query_tokens("水") == "水"


def test_unpublished_pages_leave_the_index(tenants, in_tenant):
    with in_tenant(tenants.a):
        demo.seed(tenants.a)
        faq = FaqPage.objects.get(title="空调漏水如何处理")
        faq.unpublish()
        assert [e.title for e in search.search("漏水")] == []


def test_home_tiles_follow_the_enabled_modules(tenants, client_for):
    page = client_for(tenants.a).get("/").content.decode()
    assert 'data-module="spaces"' in page and 'data-module="probe"' not in page
    actions.set_module_enabled(tenants.a, "probe", True)
    assert 'data-module="probe"' in client_for(tenants.a).get("/").content.decode()


def test_personal_pages_are_empty_until_modules_fill_them(tenants, client_for, tenant_admin):
    client = client_for(tenants.a, user=tenant_admin(tenants.a))
    assert (
        "You have no requests yet." in client.get("/me/requests/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert (
        "Nothing is waiting for you." in client.get("/me/tasks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert client_for(tenants.a).get("/me/requests/").status_code == 302


def test_branding_is_validated_and_applied(tenants, client_for, tenant_admin):
    admin = client_for(tenants.a, user=tenant_admin(tenants.a))
    form = {
        "name": "甲医院",
        "name_en": "Hospital A",
        "brand_short_name": "甲院",
        "brand_primary_colour": "#7a1f5c",
        "brand_accent_colour": "#f0b400",
        "brand_email_sender_name": "甲院后勤",
        "brand_email_footer": "服务热线 1234",
    }
    bad = admin.post(
        "/console/portal/branding/",
        {
            **form,
            "brand_primary_colour": "purple",
            "brand_logo": SimpleUploadedFile("x.png", b"not an image", "image/png"),
        },
    )
    assert bad.status_code == 200
    errors = bad.context["form"].errors
    assert "brand_primary_colour" in errors
    response = admin.post(
        "/console/portal/branding/",
        {**form, "brand_logo": SimpleUploadedFile("logo.png", png(), "image/png")},
    )
    assert response.status_code == 302
    portal = client_for(tenants.a).get("/").content.decode()
    assert "--brand:#7a1f5c" in portal and "甲院" in portal and "/brand/logo" in portal
    logo = client_for(tenants.a).get("/brand/logo")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert client_for(tenants.b).get("/brand/logo").status_code == 404  # B has none, and never A's
    console = admin.get("/console/").content.decode()
    assert "--w-color-primary-hue:" in console and "/brand/logo" in console


def test_an_oversized_or_foreign_logo_is_refused(tenants, client_for, tenant_admin):
    admin = client_for(tenants.a, user=tenant_admin(tenants.a))
    base = {"name": "甲医院", "brand_primary_colour": "#123456", "brand_accent_colour": "#654321"}
    pdf = SimpleUploadedFile("logo.png", b"%PDF-1.4 pretending to be a logo", "image/png")
    response = admin.post("/console/portal/branding/", {**base, "brand_logo": pdf})
    assert "brand_logo" in response.context["form"].errors
    big = SimpleUploadedFile("big.png", png(size=(2000, 2000)) + b"\0" * (1024 * 1024), "image/png")
    response = admin.post("/console/portal/branding/", {**base, "brand_logo": big})
    assert "1 MB" in str(response.context["form"].errors["brand_logo"])


def test_news_and_faq_pages_render_in_both_languages(tenants, in_tenant, client_for):
    with in_tenant(tenants.a):
        demo.seed(tenants.a)
        url = ArticlePage.objects.get(title="一站式服务大厅启用").url
    zh = client_for(tenants.a).get(url).content.decode()
    en = client_for(tenants.a).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "一站式服务大厅启用" in zh and "One-stop service hall opens" in en
    faq_en = client_for(tenants.a).get("/faq/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Air conditioning" in faq_en and "The air conditioning is not cooling" in faq_en
