"""Forms on the portal (list, fill in, drafts, my submissions, uploads) and in the console
(submissions with filters and exports, designer, publishing, versions), markup in
definitions shown as text, and who may see which submissions."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import struct
import zlib

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.test import Client

from identity.models import DataScope
from lowcode.forms import actions
from lowcode.forms.models import FormDefinition, FormVersion, Submission, VersionMigration
from lowcode.forms.tests.conftest import HOSTILE, IMG, SCRIPT, t
from tests.fixtures import host

pytestmark = pytest.mark.django_db

GOOD = {"title": "Leaky tap", "qty": 3, "kind": "repair"}


def config_of(response) -> dict:
    """The fill page's configuration, read back from its json_script block."""
    html = response.content.decode()
    found = re.search(r'<script id="form-config" type="application/json">(.*?)</script>', html, re.S)
    assert found, "no form-config block"
    return json.loads(found.group(1))


def pks_linked(html: str, prefix: str) -> set[int]:
    return {int(pk) for pk in re.findall(re.escape(prefix) + r"(\d+)/", html)}


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def upload_keys(in_tenant, tenant) -> set[str]:
    with in_tenant(tenant):
        try:
            return set(default_storage.listdir("forms/uploads")[1])
        except FileNotFoundError:
            return set()


@pytest.fixture
def filler(tenants, person):
    return person(tenants.a, "filler", "end_user")


@pytest.fixture
def form(tenants, make_form, simple_definition):
    return make_form(tenants.a, simple_definition)


# --- Portal -------------------------------------------------------------------------------------------


class TestPortal:
    def test_index_lists_open_published_forms_only(
        self, tenants, make_form, simple_definition, form, login, filler
    ):
        make_form(tenants.a, simple_definition, code="closed-one", name="已关闭表单", is_open=False)
        make_form(tenants.a, simple_definition, code="draft-one", name="未发布表单", publish=False)
        response = login(tenants.a, filler).get("/forms/")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'href="/forms/simple/"' in html and "测试表单" in html
        assert "closed-one" not in html and "已关闭表单" not in html
        assert "draft-one" not in html and "未发布表单" not in html
        assert login(tenants.a, filler).get("/forms/closed-one/").status_code == 404
        assert login(tenants.a, filler).get("/forms/draft-one/").status_code == 404

    def test_bad_answers_are_shown_per_field_and_nothing_stored(
        self, tenants, in_tenant, form, login, filler
    ):
        client = login(tenants.a, filler)
        page = client.get("/forms/simple/")
        assert page.status_code == 200
        assert config_of(page)["definition"] == form.current_version.definition
        bad = {"title": "", "qty": 99, "kind": "repair", "items": [{"count": 0}]}
        response = client.post("/forms/simple/", {"answers": json.dumps(bad), "action": "submit"})
        assert response.status_code == 400
        config = config_of(response)
        assert set(config["errors"]) == {"title", "qty", "items.0.name", "items.0.count"}
        assert config["errors"]["qty"] == [{"code": "max_value", "message": "不能大于 10。"}]
        assert config["values"] == bad  # what was typed comes back to be corrected
        assert 'id="form-errors"' in response.content.decode()
        with in_tenant(tenants.a):
            assert not Submission.objects.filter(form=form).exists()

    def test_nan_in_a_number_field_is_a_field_error(self, tenants, form, login, filler):
        """json.loads accepts NaN: it must come out as the field's error, not a server error."""
        client = login(tenants.a, filler, raise_request_exception=False)
        answers = '{"title": "x", "kind": "repair", "qty": NaN}'
        response = client.post("/forms/simple/", {"answers": answers, "action": "submit"})
        assert response.status_code == 400
        assert config_of(response)["errors"]["qty"][0]["code"] == "invalid"

    def test_success_redirects_to_the_detail_page(self, tenants, in_tenant, form, login, filler):
        client = login(tenants.a, filler)
        response = client.post("/forms/simple/", {"answers": json.dumps(GOOD), "action": "submit"})
        assert response.status_code == 302
        with in_tenant(tenants.a):
            submission = Submission.objects.get(form=form)
        assert submission.submitter_id == filler.pk and submission.data == GOOD
        assert response["Location"] == f"/forms/submissions/{submission.pk}/"
        detail = client.get(response["Location"])
        assert detail.status_code == 200
        html = detail.content.decode()
        assert "Leaky tap" in html and "维修" in html  # the choice shown by its label

    def test_draft_save_and_resume(self, tenants, in_tenant, form, login, filler):
        client = login(tenants.a, filler)
        half = {"title": "half done", "qty": "lots"}
        response = client.post("/forms/simple/", {"answers": json.dumps(half), "action": "draft"})
        assert response.status_code == 302
        with in_tenant(tenants.a):
            draft = Submission.objects.get(form=form)
        assert draft.status == Submission.Status.DRAFT and draft.data == half
        assert response["Location"] == f"/forms/simple/?draft={draft.pk}&saved=1"

        resumed = client.get(response["Location"])
        assert resumed.status_code == 200
        assert 'id="draft-saved"' in resumed.content.decode()
        assert f'name="draft_id" value="{draft.pk}"' in resumed.content.decode()
        assert config_of(resumed)["values"] == half
        # The detail URL of a draft leads back to the form.
        assert client.get(f"/forms/submissions/{draft.pk}/")["Location"] == f"/forms/simple/?draft={draft.pk}"

        done = client.post(
            "/forms/simple/", {"answers": json.dumps(GOOD), "action": "submit", "draft_id": draft.pk}
        )
        assert done.status_code == 302 and done["Location"] == f"/forms/submissions/{draft.pk}/"
        with in_tenant(tenants.a):
            assert Submission.objects.filter(form=form).count() == 1
            assert Submission.objects.get(pk=draft.pk).status == Submission.Status.SUBMITTED

    def test_someone_elses_draft_cannot_be_resumed(self, tenants, in_tenant, form, login, filler, person):
        with in_tenant(tenants.a):
            draft = actions.save_submission_draft(form, {"title": "mine"}, user=filler)
        other = login(tenants.a, person(tenants.a, "other", "end_user"))
        assert other.get(f"/forms/simple/?draft={draft.pk}").status_code == 404
        response = other.post(
            "/forms/simple/", {"answers": json.dumps(GOOD), "action": "submit", "draft_id": draft.pk}
        )
        assert response.status_code == 404
        with in_tenant(tenants.a):
            stored = Submission.objects.get(pk=draft.pk)
            assert stored.status == Submission.Status.DRAFT and stored.data == {"title": "mine"}
            assert Submission.objects.filter(form=form).count() == 1

    def test_my_submissions_and_details_are_mine_only(self, tenants, in_tenant, form, login, filler, person):
        other = person(tenants.a, "other", "end_user")
        with in_tenant(tenants.a):
            mine = [
                actions.submit(form, GOOD, user=filler),
                actions.save_submission_draft(form, {"title": "draft"}, user=filler),
            ]
            theirs = actions.submit(form, {**GOOD, "title": "Theirs"}, user=other)
        client = login(tenants.a, filler)
        html = client.get("/forms/mine/").content.decode()
        assert pks_linked(html, "/forms/submissions/") == {s.pk for s in mine}
        assert client.get(f"/forms/submissions/{theirs.pk}/").status_code == 404
        assert client.get(f"/forms/submissions/{mine[0].pk}/").status_code == 200

    def test_upload_keeps_an_image_and_refuses_other_types(self, tenants, in_tenant, login, filler):
        client = login(tenants.a, filler)
        before = upload_keys(in_tenant, tenants.a)
        image = io.BytesIO(png_bytes())
        image.name = "photo.png"
        response = client.post("/forms/upload/", {"file": image})
        assert response.status_code == 200, response.content
        stored = response.json()
        try:
            assert stored["key"].startswith("forms/uploads/") and stored["key"].endswith(".png")
            assert stored["name"] == "photo.png" and stored["size"] == len(png_bytes())
            with in_tenant(tenants.a):
                assert default_storage.exists(stored["key"])
            with in_tenant(tenants.b):
                assert not default_storage.exists(stored["key"])  # another tenant's prefix

            for name, content in (
                ("notes.txt", b"just words\n"),
                ("photo.png", b"MZ\x90\x00" + b"\x00" * 200),
            ):
                refused = io.BytesIO(content)
                refused.name = name
                answer = client.post("/forms/upload/", {"file": refused})
                assert answer.status_code == 400, name
                assert answer.json()["error"]  # a sentence saying the type is not accepted
            assert "text/plain" in answer.json()["error"] or "application/" in answer.json()["error"]
            assert upload_keys(in_tenant, tenants.a) - before == {stored["key"].rsplit("/", 1)[1]}
            assert client.post("/forms/upload/", {}).status_code == 400
        finally:
            with in_tenant(tenants.a):
                default_storage.delete(stored["key"])

    def test_an_image_named_html_is_not_served_as_html(self, tenants, in_tenant, login, filler):
        client = login(tenants.a, filler)
        evil = io.BytesIO(png_bytes() + b"<script>alert(1)</script>")
        evil.name = "evil.html"
        response = client.post("/forms/upload/", {"file": evil})
        key = response.json().get("key") if response.status_code == 200 else None
        try:
            if key is None:
                return
            with in_tenant(tenants.a):
                url = default_storage.url(key)
            served = client.get(url)
            assert not served["Content-Type"].startswith("text/html")
        finally:
            if key:
                with in_tenant(tenants.a):
                    default_storage.delete(key)

    def test_a_file_answer_cannot_point_outside_the_uploads(self, tenants, in_tenant, make_form, filler):
        from django.core.exceptions import ValidationError
        from django.core.files.base import ContentFile

        definition = {
            "sections": [
                {
                    "key": "s",
                    "title": t("", ""),
                    "fields": [{"key": "doc", "type": "file", "label": t("附件", "File")}],
                }
            ]
        }
        form = make_form(tenants.a, definition, code="files")
        with in_tenant(tenants.a):
            private = default_storage.save("private/hc-secret.txt", ContentFile(b"payroll"))
            try:
                for key in (private, f"forms/uploads/../{private}", "forms/uploads/nothing-here.png"):
                    with pytest.raises(ValidationError) as caught:
                        actions.submit(form, {"doc": [{"key": key, "name": "x"}]}, user=filler)
                    assert caught.value.error_dict["doc"][0].code == "not_found", key
                assert not form.submissions.exists()
            finally:
                default_storage.delete(private)


# --- Markup in definitions and answers ------------------------------------------------------------------


@pytest.fixture
def hostile(tenants, in_tenant, make_form, filler):
    form = make_form(tenants.a, HOSTILE, code="hostile", name=f"表单{SCRIPT}", name_en=f"Form{SCRIPT}")
    with in_tenant(tenants.a):
        FormDefinition.objects.filter(pk=form.pk).update(description=f"说明{IMG}")
        submission = actions.submit(form, {"pick": "x", "words": f"answer{SCRIPT}"}, user=filler)
    return form, submission


def assert_escaped(html: str):
    assert "<script>alert(1)" not in html
    assert "<img src=x onerror" not in html


class TestMarkupIsText:
    def test_portal_pages_escape_labels_options_and_answers(self, tenants, hostile, login, filler):
        form, submission = hostile
        client = login(tenants.a, filler)
        for path in ("/forms/", f"/forms/submissions/{submission.pk}/", "/forms/mine/"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert_escaped(response.content.decode())
        detail = client.get(f"/forms/submissions/{submission.pk}/").content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail  # label and answer, as text
        assert "&lt;img src=x onerror=alert(1)&gt;" in detail  # the chosen option's label

    def test_fill_page_carries_the_definition_in_a_json_script_block(self, tenants, hostile, login, filler):
        response = login(tenants.a, filler).get("/forms/hostile/")
        html = response.content.decode()
        assert_escaped(html)
        assert '<script id="form-config" type="application/json">' in html
        assert "\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E" in html
        assert "\\u003Cimg src=x onerror=alert(1)\\u003E" in html
        config = config_of(response)
        assert config["definition"]["sections"][0]["fields"][0]["help"]["zh"] == f"帮助{IMG}"

    def test_console_pages_escape(self, tenants, in_tenant, hostile, login, tenant_admin):
        form, submission = hostile
        client = login(tenants.a, tenant_admin(tenants.a))
        response = client.get(f"/console/form-submissions/?form={form.pk}")
        assert response.status_code == 200
        html = response.content.decode()
        assert_escaped(html)
        assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
        assert submission.pk in pks_linked(html, "/console/form-submissions/")
        # A draft whose problems quote the designer's text back (an unknown condition field).
        broken = copy.deepcopy(HOSTILE)
        broken["sections"][0]["fields"][1]["visible_when"] = {"field": IMG, "op": "not_empty"}
        with in_tenant(tenants.a):
            actions.save_draft(form, broken)
        for path in ("design", "publish", "versions"):
            page = client.get(f"/console/forms/definitions/{form.pk}/{path}/")
            assert page.status_code == 200, path
            assert_escaped(page.content.decode())
        assert (
            "&lt;img src=x onerror=alert(1)&gt;"
            in client.get(f"/console/forms/definitions/{form.pk}/publish/").content.decode()
        )
        followed = client.post(f"/console/forms/definitions/{form.pk}/publish/", follow=True)
        assert_escaped(followed.content.decode())  # the refusal, as a message
        with in_tenant(tenants.a):
            assert FormVersion.objects.filter(form=form).count() == 1

    def test_console_detail_escapes(self, tenants, hostile, login, tenant_admin):
        form, submission = hostile
        response = login(tenants.a, tenant_admin(tenants.a)).get(
            f"/console/form-submissions/{submission.pk}/"
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert_escaped(html)
        assert "&lt;script&gt;" in html

    def test_csv_export_is_a_download_with_the_text_as_is(self, tenants, hostile, login, tenant_admin):
        form, submission = hostile
        response = login(tenants.a, tenant_admin(tenants.a)).get(
            f"/console/form-submissions/export.csv?form={form.pk}"
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert response["Content-Disposition"].startswith("attachment;")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert f"选择{SCRIPT}" in rows[0]  # the label, as data in a download (never rendered as HTML)
        assert rows[1][0] == str(submission.pk)
        assert f"选项{IMG}" in rows[1] and f"answer{SCRIPT}" in rows[1]


# --- Console: submissions, exports ------------------------------------------------------------------------


@pytest.fixture
def answered(tenants, in_tenant, form, filler, person):
    """Three submissions of the simple form, by two people."""
    other = person(tenants.a, "other", "end_user", full_name="Other Person")
    with in_tenant(tenants.a):
        rows = [
            actions.submit(form, {"title": "Leaky TAP", "qty": 3, "kind": "repair"}, user=filler),
            actions.submit(
                form, {"title": "=1+2", "qty": 5, "kind": "other", "other_reason": "x"}, user=filler
            ),
            actions.submit(
                form,
                {
                    "title": "Broken tap",
                    "qty": 3,
                    "kind": "other",
                    "other_reason": "y",
                    "items": [{"name": "wrench"}],
                },
                user=other,
            ),
        ]
    return rows


class TestConsoleSubmissions:
    @pytest.mark.parametrize(
        "query, expected",
        [
            ("", [0, 1, 2]),
            ("&f.kind=other", [1, 2]),  # a choice
            ("&f.qty=3", [0, 2]),  # a number
            ("&f.qty=3.0", [0, 2]),
            ("&f.title=tap", [0, 2]),  # a text: part of it, any case
            ("&f.kind=other&f.qty=3", [2]),
            ("&f.qty=7", []),
            ("&f.unknown=1", [0, 1, 2]),  # not a field of the form: ignored
        ],
    )
    def test_filters_narrow_the_rows(self, tenants, form, answered, login, tenant_admin, query, expected):
        response = login(tenants.a, tenant_admin(tenants.a)).get(
            f"/console/form-submissions/?form={form.pk}{query}"
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert pks_linked(html, "/console/form-submissions/") == {answered[i].pk for i in expected}

    @pytest.mark.parametrize("query", ["&f.qty=NaN", "&f.qty=Infinity", "&from=yesterday"])
    def test_malformed_filters_do_not_crash(self, tenants, form, answered, login, tenant_admin, query):
        client = login(tenants.a, tenant_admin(tenants.a), raise_request_exception=False)
        response = client.get(f"/console/form-submissions/?form={form.pk}{query}")
        assert response.status_code in (200, 400)

    def test_xlsx_export_has_headers_and_rows(self, tenants, form, answered, login, tenant_admin):
        response = login(tenants.a, tenant_admin(tenants.a)).get(
            f"/console/form-submissions/export.xlsx?form={form.pk}&f.kind=repair"
        )
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="simple-submissions.xlsx"'
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert rows[0][4:] == ["标题", "数量", "类型", "其他原因", "备注", "明细"]
        assert len(rows) == 2  # the filter applies to the export too
        number, _when, who, version, *answers = rows[1]
        assert int(number) == answered[0].pk and who == "filler" and int(version) == 1
        assert answers[:3] == ["Leaky TAP", "3", "维修"]

    def test_csv_export_defuses_formulas(self, tenants, form, answered, login, tenant_admin):
        response = login(tenants.a, tenant_admin(tenants.a)).get(
            f"/console/form-submissions/export.csv?form={form.pk}"
        )
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        by_pk = {row[0]: row for row in rows[1:]}
        assert len(by_pk) == 3
        assert by_pk[str(answered[1].pk)][4] == "'=1+2"
        assert by_pk[str(answered[0].pk)][4] == "Leaky TAP"
        assert by_pk[str(answered[2].pk)][9] == "wrench"  # a table's rows as text

    def test_csv_export_defuses_formulas_in_names(
        self, tenants, in_tenant, form, login, tenant_admin, person
    ):
        sneaky = person(tenants.a, "sneaky", "end_user", full_name='=HYPERLINK("http://evil","x")')
        with in_tenant(tenants.a):
            actions.submit(form, GOOD, user=sneaky)
        response = login(tenants.a, tenant_admin(tenants.a)).get(
            f"/console/form-submissions/export.csv?form={form.pk}"
        )
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert not rows[1][2].startswith("=")


# --- Console: designer, publishing, versions --------------------------------------------------------------


class TestConsoleDesign:
    def test_designer_loads_and_saves_a_draft(
        self, tenants, in_tenant, form, login, tenant_admin, simple_definition
    ):
        client = login(tenants.a, tenant_admin(tenants.a))
        page = client.get(f"/console/forms/definitions/{form.pk}/design/")
        assert page.status_code == 200
        html = page.content.decode()
        assert 'id="form-draft"' in html and 'id="designer-messages"' in html
        changed = copy.deepcopy(simple_definition)
        changed["sections"][0]["fields"][0]["label"]["zh"] = "新标题"
        response = client.post(
            f"/console/forms/definitions/{form.pk}/design/", {"draft": json.dumps(changed), "then": "save"}
        )
        assert response.status_code == 302
        with in_tenant(tenants.a):
            stored = FormDefinition.objects.get(pk=form.pk)
            assert stored.draft == changed
            assert stored.current_version.definition == simple_definition  # published v1 untouched
        # Malformed JSON is refused and keeps the saved draft.
        client.post(f"/console/forms/definitions/{form.pk}/design/", {"draft": "{not json", "then": "save"})
        with in_tenant(tenants.a):
            assert FormDefinition.objects.get(pk=form.pk).draft == changed

    def test_publish_page_shows_impact_and_publishes(
        self, tenants, in_tenant, form, answered, login, tenant_admin, simple_definition
    ):
        changed = copy.deepcopy(simple_definition)
        fields = changed["sections"][0]["fields"]
        fields[1] = {"key": "qty", "type": "text", "label": t("数量", "Quantity")}  # number → text
        del fields[5]  # items
        with in_tenant(tenants.a):
            actions.save_draft(form, changed)
        client = login(tenants.a, tenant_admin(tenants.a))
        page = client.get(f"/console/forms/definitions/{form.pk}/publish/")
        assert page.status_code == 200
        html = page.content.decode()
        impact = re.search(r'id="publish-impact".*?</table>', html, re.S).group(0)
        cells = re.findall(r"<tr><td><code>(\w+)</code></td><td>(.*?)</td><td>(\d+)</td></tr>", impact)
        assert {(key, int(count)) for key, _change, count in cells} == {("qty", 3), ("items", 1)}
        response = client.post(f"/console/forms/definitions/{form.pk}/publish/", {"note": "qty as text"})
        assert response.status_code == 302
        assert response["Location"] == f"/console/forms/definitions/{form.pk}/versions/"
        with in_tenant(tenants.a):
            version = FormDefinition.objects.get(pk=form.pk).current_version
            assert (version.number, version.note, version.definition) == (2, "qty as text", changed)
        # Publishing the same draft again does nothing.
        client.post(f"/console/forms/definitions/{form.pk}/publish/", {"note": ""})
        with in_tenant(tenants.a):
            assert FormVersion.objects.filter(form=form).count() == 2

    def test_versions_page_counts_and_offers_the_move(
        self, tenants, in_tenant, form, answered, login, tenant_admin, simple_definition
    ):
        changed = copy.deepcopy(simple_definition)
        changed["sections"][0]["fields"][0]["max_length"] = 5  # "Leaky TAP", "Broken tap" no longer fit
        with in_tenant(tenants.a):
            actions.save_draft(form, changed)
            actions.publish(form)
            form.refresh_from_db()
            actions.submit(form, {"title": "Tap", "kind": "repair"}, user=answered[0].submitter)
        client = login(tenants.a, tenant_admin(tenants.a))
        html = client.get(f"/console/forms/definitions/{form.pk}/versions/").content.decode()
        table = re.search(r'id="form-versions".*?</table>', html, re.S).group(0)
        counts = re.findall(r"<tr><td>v(\d+).*?<td>(\d+)</td></tr>", table)
        assert sorted((int(v), int(n)) for v, n in counts) == [(1, 3), (2, 1)]
        assert f'action="/console/forms/definitions/{form.pk}/migrate/"' in html

        response = client.post(f"/console/forms/definitions/{form.pk}/migrate/")
        assert response.status_code == 302
        with in_tenant(tenants.a):
            job = VersionMigration.objects.get(form=form)
            assert response["Location"] == f"/console/forms/definitions/migrations/{job.pk}/"
            assert job.total == 3
            actions.run_migration(job)  # what the worker does
        status = client.get(response["Location"], HTTP_ACCEPT="application/json").json()
        assert status == {"status": "done", "total": 3, "done": 3, "migrated": 1, "failed": 2}
        report = client.get(response["Location"]).content.decode()
        assert f"#{answered[0].pk}" in report and "<code>title</code>" in report


# --- Who sees which submissions -------------------------------------------------------------------------


@pytest.fixture
def organisation(tenants, in_tenant, department, person, role, form):
    """MED with MED-CARD below it, and SURG beside MED; one submission from each of three people."""
    med = department(tenants.a, "MED")
    card = department(tenants.a, "MED-CARD", parent=med)
    surg = department(tenants.a, "SURG")
    role(tenants.a, "dept_console", ["console.access", "forms.view"], DataScope.SUBTREE)
    people = {
        "med": person(tenants.a, "med-nurse", "end_user", department=med),
        "card": person(tenants.a, "card-nurse", "end_user", department=card),
        "surg": person(tenants.a, "surg-nurse", "end_user", department=surg),
        "head": person(tenants.a, "med-head", "dept_console", department=med),
        "approver": person(tenants.a, "med-approver", "approver", department=med),
        "dispatcher": person(tenants.a, "desk", "dispatcher", department=surg),
        "worker": person(tenants.a, "fixer", "worker", department=med),
        "console_only": None,
    }
    role(tenants.a, "console_only", ["console.access"], DataScope.ALL)
    people["console_only"] = person(tenants.a, "looker", "console_only", department=med)
    with in_tenant(tenants.a):
        made = {
            name: actions.submit(form, {**GOOD, "title": f"from {name}"}, user=people[name])
            for name in ("med", "card", "surg")
        }
    return people, made


class TestScopes:
    def test_without_forms_view_no_console_submissions(self, tenants, organisation, login, form):
        people, made = organisation
        for who in ("worker", "console_only", "approver"):  # approvers have no console.access
            client = login(tenants.a, people[who])
            for path in (
                "/console/form-submissions/",
                f"/console/form-submissions/export.csv?form={form.pk}",
                f"/console/forms/definitions/{form.pk}/versions/",
            ):
                response = client.get(path)
                assert response.status_code in (302, 403), (who, path)
                assert "from med" not in response.content.decode()

    def test_subtree_sees_its_departments_only(self, tenants, organisation, login, form):
        people, made = organisation
        client = login(tenants.a, people["head"])
        html = client.get(f"/console/form-submissions/?form={form.pk}").content.decode()
        assert pks_linked(html, "/console/form-submissions/") == {made["med"].pk, made["card"].pk}
        export = client.get(f"/console/form-submissions/export.csv?form={form.pk}")
        rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
        assert {row[0] for row in rows[1:]} == {str(made["med"].pk), str(made["card"].pk)}

    def test_all_scope_sees_everything(self, tenants, organisation, login, form):
        people, made = organisation
        html = (
            login(tenants.a, people["dispatcher"])
            .get(f"/console/form-submissions/?form={form.pk}")
            .content.decode()
        )
        assert pks_linked(html, "/console/form-submissions/") == {s.pk for s in made.values()}


def test_anonymous_visitors_are_sent_to_sign_in(tenants, form):
    client = Client(HTTP_HOST=host(tenants.a))
    for path in ("/forms/", "/forms/simple/", "/forms/mine/"):
        response = client.get(path)
        assert response.status_code == 302 and "login" in response["Location"], path
    assert client.post("/forms/upload/").status_code == 302


def test_the_console_list_leads_to_designer_versions_and_submissions(tenants, form, login, tenant_admin):
    html = login(tenants.a, tenant_admin(tenants.a)).get("/console/forms/definitions/").content.decode()
    assert f"/console/forms/definitions/{form.pk}/design/" in html
    assert f"/console/forms/definitions/{form.pk}/versions/" in html
    assert f"/console/form-submissions/?form={form.pk}" in html
