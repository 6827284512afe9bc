"""The forms actions: publishing (checks, numbering, frozen versions), submissions (validation,
nothing stored on failure, hidden fields, drafts, closed forms), version pinning, moving
submissions to a new version, and custom fields of rooms."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kernel.models import OutboxEvent
from lowcode.forms import actions, display, selectors, tasks
from lowcode.forms.demo import ROOM_FIELDS
from lowcode.forms.models import FormDefinition, FormVersion, Submission, SubmissionIndex, VersionMigration
from lowcode.forms.tests.conftest import t

pytestmark = pytest.mark.django_db

SUBMITTED = "forms.submission.submitted"
GOOD = {"title": "  Leaky   tap ", "qty": "3", "kind": "repair", "items": [{"name": "washer", "count": 2}]}


def codes_of(exc: ValidationError, key: str) -> list[str]:
    return [e.code for e in exc.error_dict[key]]


def draft_problem(form, definition):
    """Save `definition` as the draft and try to publish it: the ValidationError raised."""
    actions.save_draft(form, definition)
    with pytest.raises(ValidationError) as caught:
        actions.publish(form)
    return caught.value


# --- Publishing -----------------------------------------------------------------------------------


class TestPublishing:
    def test_duplicate_key_is_refused_and_named(self, tenants, in_tenant, make_form, simple_definition):
        form = make_form(tenants.a, simple_definition, publish=False)
        broken = copy.deepcopy(simple_definition)
        broken["sections"][0]["fields"].append({"key": "qty", "type": "text", "label": t("重复", "Again")})
        with in_tenant(tenants.a):
            exc = draft_problem(form, broken)
            assert codes_of(exc, "draft") == ["duplicate_key"]
            assert "qty" in exc.error_dict["draft"][0].messages[0]
            assert "sections[0].fields[6]" in exc.error_dict["draft"][0].messages[0]
            assert not FormVersion.objects.filter(form=form).exists()

    @pytest.mark.parametrize(
        "condition_on",
        ["nowhere", "notes"],  # a field that does not exist; one that comes later
        ids=["missing", "later"],
    )
    def test_condition_on_a_missing_or_later_field_is_refused(
        self, tenants, in_tenant, make_form, simple_definition, condition_on
    ):
        form = make_form(tenants.a, simple_definition, publish=False)
        broken = copy.deepcopy(simple_definition)
        broken["sections"][0]["fields"][1]["visible_when"] = {"field": condition_on, "op": "not_empty"}
        with in_tenant(tenants.a):
            exc = draft_problem(form, broken)
            assert codes_of(exc, "draft") == ["unknown_field"]
            assert condition_on in exc.error_dict["draft"][0].messages[0]
            assert FormDefinition.objects.get(pk=form.pk).current_version_id is None

    def test_unchanged_draft_is_refused(self, tenants, in_tenant, make_form, simple_definition):
        form = make_form(tenants.a, simple_definition)
        with in_tenant(tenants.a):
            with pytest.raises(ValidationError) as caught:
                actions.publish(form)
            assert caught.value.code == "unchanged"
            assert FormVersion.objects.filter(form=form).count() == 1

    def test_versions_are_numbered_and_frozen(self, tenants, in_tenant, make_form, simple_definition):
        form = make_form(tenants.a, simple_definition)
        with in_tenant(tenants.a):
            v1 = FormVersion.objects.get(form=form)
            frozen = copy.deepcopy(v1.definition)
            assert v1.number == 1 and frozen == simple_definition
            for n, label in ((2, "标题二"), (3, "标题三")):
                changed = copy.deepcopy(simple_definition)
                changed["sections"][0]["fields"][0]["label"]["zh"] = label
                del changed["sections"][0]["fields"][4]  # notes
                actions.save_draft(form, changed)
                version = actions.publish(form, note=f"v{n}")
                assert version.number == n
                assert FormDefinition.objects.get(pk=form.pk).current_version_id == version.pk
            assert list(
                FormVersion.objects.filter(form=form).order_by("number").values_list("number", flat=True)
            ) == [
                1,
                2,
                3,
            ]
            v1.refresh_from_db()
            assert v1.definition == frozen  # later drafts and versions leave v1 as it was
            assert (
                FormVersion.objects.get(form=form, number=3).definition["sections"][0]["fields"][0]["label"][
                    "zh"
                ]
                == "标题三"
            )
            assert OutboxEvent.objects.filter(topic="forms.form.published", payload__id=form.pk).count() == 3

    def test_a_person_without_forms_change_cannot_publish(
        self, tenants, in_tenant, make_form, person, simple_definition
    ):
        form = make_form(tenants.a, simple_definition, publish=False)
        clerk = person(tenants.a, "clerk", "dispatcher")  # forms.view only
        with in_tenant(tenants.a), pytest.raises(PermissionDenied):
            actions.publish(form, user=clerk)


# --- Submissions ----------------------------------------------------------------------------------


class TestSubmit:
    def bad_answers(self):
        return {
            "title": "x" * 21,  # max_length 20
            "qty": 11,  # max 10
            "kind": "nonsense",
            "items": [{"count": 1}],  # the row's name is required
        }

    @pytest.mark.parametrize(
        "lang, qty_message, required_message",
        [("en", "At most 10.", "This column is required."), ("zh", "不能大于 10。", "此列必填。")],
    )
    def test_bad_answers_one_message_per_field_and_nothing_stored(
        self, tenants, in_tenant, make_form, person, simple_definition, lang, qty_message, required_message
    ):
        form = make_form(tenants.a, simple_definition)
        user = person(tenants.a, "filler", "end_user")
        with in_tenant(tenants.a):
            before = (Submission.objects.count(), OutboxEvent.objects.filter(topic=SUBMITTED).count())
            with pytest.raises(ValidationError) as caught:
                actions.submit(form, self.bad_answers(), user=user, lang=lang)
            errors = caught.value.error_dict
            assert set(errors) == {"title", "qty", "kind", "items.0.name"}
            assert all(len(items) == 1 for items in errors.values())
            assert codes_of(caught.value, "qty") == ["max_value"]
            assert codes_of(caught.value, "kind") == ["invalid_choice"]
            assert codes_of(caught.value, "title") == ["max_length"]
            assert errors["qty"][0].messages == [qty_message]
            assert errors["items.0.name"][0].messages == [required_message]
            after = (Submission.objects.count(), OutboxEvent.objects.filter(topic=SUBMITTED).count())
            assert after == before

    def test_good_answers_are_stored_cleaned_with_who_when_and_version(
        self, tenants, in_tenant, make_form, person, department, simple_definition
    ):
        form = make_form(tenants.a, simple_definition)
        ward = department(tenants.a, "WARD")
        user = person(tenants.a, "filler", "end_user", department=ward)
        with in_tenant(tenants.a):
            submission = actions.submit(form, GOOD, user=user, lang="en")
            stored = Submission.objects.get(pk=submission.pk)
            assert stored.data == {
                "title": "Leaky tap",
                "qty": 3,
                "kind": "repair",
                "items": [{"name": "washer", "count": 2}],
            }
            assert stored.status == Submission.Status.SUBMITTED
            assert stored.submitter_id == user.pk
            assert stored.department_id == ward.pk
            assert stored.submitted_at is not None
            assert stored.version_id == form.current_version_id
            # Its list row: the short answers (not the table), for filters and counts.
            row = SubmissionIndex.objects.get(submission=stored)
            assert row.facets == {"title": "Leaky tap", "qty": 3, "kind": "repair"}
            assert (row.form_id, row.submitter_id, row.department_id) == (form.pk, user.pk, ward.pk)
            assert row.submitted_at == stored.submitted_at
            event = OutboxEvent.objects.get(topic=SUBMITTED, payload__id=stored.pk)
            assert event.payload == {"id": stored.pk, "form": "simple", "version": 1}
            assert event.actor_id == user.pk

    def test_hidden_fields_are_never_stored(self, tenants, in_tenant, make_form, person, simple_definition):
        form = make_form(tenants.a, simple_definition)
        user = person(tenants.a, "filler", "end_user")
        with in_tenant(tenants.a):
            sent = {**GOOD, "other_reason": "should vanish", "not_a_field": "nor this"}
            submission = actions.submit(form, sent, user=user)
            data = Submission.objects.get(pk=submission.pk).data
            assert "other_reason" not in data and "not_a_field" not in data
            # Shown when kind is "other", and then required.
            with pytest.raises(ValidationError) as caught:
                actions.submit(form, {**GOOD, "kind": "other"}, user=user)
            assert codes_of(caught.value, "other_reason") == ["required"]
            shown = actions.submit(form, {**GOOD, "kind": "other", "other_reason": "wobbly"}, user=user)
            assert Submission.objects.get(pk=shown.pk).data["other_reason"] == "wobbly"

    def test_drafts_are_kept_unchecked_and_completed_by_their_owner_only(
        self, tenants, in_tenant, make_form, person, simple_definition
    ):
        form = make_form(tenants.a, simple_definition)
        owner = person(tenants.a, "owner", "end_user")
        other = person(tenants.a, "other", "tenant_admin")
        with in_tenant(tenants.a):
            half = {"title": "x" * 50, "qty": "lots"}
            draft = actions.save_submission_draft(form, half, user=owner)
            stored = Submission.objects.get(pk=draft.pk)
            assert stored.status == Submission.Status.DRAFT
            assert stored.data == half and stored.submitted_at is None
            assert not OutboxEvent.objects.filter(topic=SUBMITTED, payload__id=draft.pk).exists()

            # Someone else (even an administrator) can neither change nor complete it.
            with pytest.raises(PermissionDenied):
                actions.save_submission_draft(form, {"title": "mine now"}, user=other, submission=draft)
            with pytest.raises(PermissionDenied):
                actions.submit(form, GOOD, user=other, submission=draft)
            stored.refresh_from_db()
            assert stored.data == half and stored.submitter_id == owner.pk
            assert stored.status == Submission.Status.DRAFT

            # Completing it checks it: still wrong, it stays a draft.
            with pytest.raises(ValidationError):
                actions.submit(form, half, user=owner, submission=draft)
            assert Submission.objects.get(pk=draft.pk).status == Submission.Status.DRAFT

            done = actions.submit(form, GOOD, user=owner, submission=draft)
            assert done.pk == draft.pk
            stored.refresh_from_db()
            assert stored.status == Submission.Status.SUBMITTED
            assert stored.data["title"] == "Leaky tap" and stored.submitted_at is not None
            assert Submission.objects.filter(form=form).count() == 1
            # A submitted row is no longer a draft: it cannot be reopened.
            with pytest.raises(PermissionDenied):
                actions.save_submission_draft(form, half, user=owner, submission=stored)

    def test_a_draft_cannot_be_completed_through_another_form(
        self, tenants, in_tenant, make_form, person, simple_definition
    ):
        first = make_form(tenants.a, simple_definition, code="first")
        second = make_form(tenants.a, simple_definition, code="second")
        owner = person(tenants.a, "owner", "end_user")
        with in_tenant(tenants.a):
            draft = actions.save_submission_draft(first, {"title": "x"}, user=owner)
            try:
                actions.submit(second, GOOD, user=owner, submission=draft)
            except (ValidationError, PermissionDenied):
                pass
            stored = Submission.objects.select_related("version").get(pk=draft.pk)
            assert stored.version.form_id == stored.form_id

    def test_closed_or_unpublished_forms_refuse_submissions(
        self, tenants, in_tenant, make_form, person, simple_definition
    ):
        closed = make_form(tenants.a, simple_definition, code="closed", is_open=False)
        unpublished = make_form(tenants.a, simple_definition, code="unpublished", publish=False)
        user = person(tenants.a, "filler", "end_user")
        with in_tenant(tenants.a):
            for form in (closed, unpublished):
                for attempt in (
                    lambda f: actions.submit(f, GOOD, user=user),
                    lambda f: actions.save_submission_draft(f, GOOD, user=user),
                ):
                    with pytest.raises(ValidationError) as caught:
                        attempt(form)
                    assert caught.value.code == "closed"
            assert not Submission.objects.exists()

    def test_nobody_cannot_submit(self, tenants, in_tenant, make_form, simple_definition):
        form = make_form(tenants.a, simple_definition)
        with in_tenant(tenants.a), pytest.raises(PermissionDenied):
            actions.submit(form, GOOD, user=None)


# --- Version pinning and migration ------------------------------------------------------------------

V1 = {
    "sections": [
        {
            "key": "main",
            "title": t("第一版", "Version one"),
            "fields": [
                {"key": "title", "type": "text", "label": t("标题", "Title"), "required": True},
                {"key": "size", "type": "text", "label": t("尺寸（文字）", "Size (words)")},
                {
                    "key": "colour",
                    "type": "choice",
                    "label": t("颜色", "Colour"),
                    "options": [
                        {"value": "red", "label": t("红色", "Red")},
                        {"value": "blue", "label": t("蓝色", "Blue")},
                    ],
                },
            ],
        }
    ]
}


def v2_of(v1: dict) -> dict:
    """Removes `colour`, makes `size` a required number."""
    v2 = copy.deepcopy(v1)
    fields = v2["sections"][0]["fields"]
    fields[1] = {"key": "size", "type": "number", "label": t("尺寸（米）", "Size (m)"), "required": True}
    del fields[2]
    return v2


@pytest.fixture
def pinned(tenants, in_tenant, make_form, person):
    """A v1 form with three submissions (two fail under v2), and the v2 draft saved, not published."""
    form = make_form(tenants.a, V1, code="pinned")
    user = person(tenants.a, "filler", "end_user")
    with in_tenant(tenants.a):
        rows = {
            "words": actions.submit(form, {"title": "A", "size": "big", "colour": "red"}, user=user),
            "number": actions.submit(form, {"title": "B", "size": "3"}, user=user),
            "empty": actions.submit(form, {"title": "C"}, user=user),
        }
        actions.save_draft(form, v2_of(V1))
        form.refresh_from_db()
    return form, rows, user


class TestVersionPinning:
    def test_publish_impact_names_removed_and_retyped_fields_with_counts(self, tenants, in_tenant, pinned):
        form, rows, _user = pinned
        with in_tenant(tenants.a):
            impact = {row["key"]: row for row in actions.publish_impact(form)}
            assert set(impact) == {"size", "colour"}
            assert impact["size"]["change"] == "type_changed"
            assert (impact["size"]["old_type"], impact["size"]["new_type"]) == ("text", "number")
            assert impact["size"]["submissions"] == 2
            assert impact["colour"]["change"] == "removed" and impact["colour"]["new_type"] is None
            assert impact["colour"]["submissions"] == 1

    def test_old_submission_keeps_v1_labels_and_types_after_v2(
        self, tenants, in_tenant, pinned, login, tenant_admin
    ):
        form, rows, user = pinned
        with in_tenant(tenants.a):
            v2 = actions.publish(form)
            old = Submission.objects.select_related("version").get(pk=rows["words"].pk)
            assert old.version.number == 1 and v2.number == 2
            shown = {
                r.key: (r.label, r.type, r.text)
                for b in display.blocks(old.version.definition, old.data, "en")
                for r in b.rows
            }
            assert shown == {
                "title": ("Title", "text", "A"),
                "size": ("Size (words)", "text", "big"),
                "colour": ("Colour", "choice", "Red"),
            }
        response = login(tenants.a, user).get(f"/forms/submissions/{old.pk}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "尺寸（文字）" in html and "big" in html
        assert "颜色" in html and "红色" in html  # the removed field, with v1's option label
        assert "尺寸（米）" not in html and "v1" in html

    def test_console_detail_shows_v1_labels_after_v2(self, tenants, in_tenant, pinned, login, tenant_admin):
        from django.urls import reverse

        form, rows, _user = pinned
        with in_tenant(tenants.a):
            actions.publish(form)
        url = reverse("lowcode_forms_submission", kwargs={"pk": rows["words"].pk})
        response = login(tenants.a, tenant_admin(tenants.a)).get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "尺寸（文字）" in html and "big" in html and "红色" in html
        assert "尺寸（米）" not in html


class TestMigration:
    def test_valid_rows_move_and_invalid_rows_stay_with_a_report(self, tenants, in_tenant, pinned):
        form, rows, _user = pinned
        with in_tenant(tenants.a):
            v1 = form.current_version
            v2 = actions.publish(form)
            form.refresh_from_db()
            before = {s.pk: (s.version_id, s.data) for s in Submission.objects.filter(form=form)}
            job = actions.start_migration(form)
            assert (job.status, job.total) == (VersionMigration.Status.QUEUED, 3)
            tasks.migrate_submissions.fn(job.pk)  # the job's body, in this tenant
            job.refresh_from_db()
            assert job.status == VersionMigration.Status.DONE and job.finished_at is not None
            assert (job.done, job.migrated, job.failed) == (3, 1, 2)

            moved = Submission.objects.get(pk=rows["number"].pk)
            assert moved.version_id == v2.pk
            assert moved.data == {"title": "B", "size": 3}  # "3" typed as v2's number
            assert SubmissionIndex.objects.get(submission=moved).facets == {"title": "B", "size": 3}
            for name in ("words", "empty"):
                stayed = Submission.objects.get(pk=rows[name].pk)
                assert (stayed.version_id, stayed.data) == before[stayed.pk]
                assert stayed.version_id == v1.pk

            report = {row["submission"]: row for row in job.report}
            assert report[rows["number"].pk] == {"submission": rows["number"].pk, "ok": True}
            assert report[rows["words"].pk]["ok"] is False
            assert list(report[rows["words"].pk]["errors"]) == ["size"]
            assert report[rows["words"].pk]["errors"]["size"][0]  # a sentence, not empty
            assert list(report[rows["empty"].pk]["errors"]) == ["size"]  # now required
            assert (
                report[rows["empty"].pk]["errors"]["size"][0] != report[rows["words"].pk]["errors"]["size"][0]
            )

            # Run again (a redelivered message): the finished job is not run twice.
            tasks.migrate_submissions.fn(job.pk)
            job.refresh_from_db()
            assert (job.done, job.migrated, job.failed) == (3, 1, 2)

    def test_a_job_never_moves_rows_to_an_older_version(self, tenants, in_tenant, pinned):
        form, rows, user = pinned
        with in_tenant(tenants.a):
            actions.publish(form)  # v2
            form.refresh_from_db()
            job = actions.start_migration(form)  # queued for v2
            v3 = v2_of(V1)
            v3["sections"][0]["fields"].append({"key": "extra", "type": "text", "label": t("附加", "Extra")})
            actions.save_draft(form, v3)
            actions.publish(form)
            form.refresh_from_db()
            newer = actions.submit(form, {"title": "D", "size": 4, "extra": "kept"}, user=user)
            actions.run_migration(job)  # the worker gets to it now
            stored = Submission.objects.select_related("version").get(pk=newer.pk)
            assert stored.version.number == 3
            assert stored.data == {"title": "D", "size": 4, "extra": "kept"}

    def test_drafts_are_not_moved(self, tenants, in_tenant, pinned):
        form, rows, user = pinned
        with in_tenant(tenants.a):
            draft = actions.save_submission_draft(form, {"title": "half"}, user=user)
            actions.publish(form)
            form.refresh_from_db()
            job = actions.run_migration(actions.start_migration(form))
            assert draft.pk not in {row["submission"] for row in job.report}
            assert Submission.objects.get(pk=draft.pk).version.number == 1


# --- Custom fields of rooms --------------------------------------------------------------------------


@pytest.fixture
def room(tenants, in_tenant):
    from modules.spaces import actions as spaces

    with in_tenant(tenants.a):
        campus = spaces.create_campus(code="CF", name="院区")
        building = spaces.create_building(campus=campus, code="CFB", name="楼")
        floor = spaces.create_floor(building=building, level=1, code="1F", name="一层")
        return spaces.create_room(floor=floor, code="CF-101", name="洁净室", kind="room")


class TestRoomCustomFields:
    def test_custom_values_are_cleaned_and_stored(self, tenants, in_tenant, make_form, room):
        from modules.spaces import actions as spaces
        from modules.spaces.models import Room

        make_form(
            tenants.a,
            ROOM_FIELDS,
            code="room-fields",
            kind=FormDefinition.Kind.EXTENSION,
            target="spaces.room",
        )
        with in_tenant(tenants.a):
            spaces.save_location(
                room,
                custom={"cleanliness": "general", "has_oxygen": True, "last_disinfected": "2026-01-05"},
            )
            # last_disinfected shows only for clean and isolation areas: not kept.
            assert Room.objects.get(pk=room.pk).custom == {"cleanliness": "general", "has_oxygen": True}
            spaces.save_location(room, custom={"cleanliness": "clean", "last_disinfected": "2026-01-05"})
            assert Room.objects.get(pk=room.pk).custom == {
                "cleanliness": "clean",
                "last_disinfected": "2026-01-05",
            }

    def test_bad_custom_values_are_refused_keyed_custom_and_nothing_stored(
        self, tenants, in_tenant, make_form, room
    ):
        from modules.spaces import actions as spaces
        from modules.spaces.models import Room

        make_form(
            tenants.a,
            ROOM_FIELDS,
            code="room-fields",
            kind=FormDefinition.Kind.EXTENSION,
            target="spaces.room",
        )
        with in_tenant(tenants.a):
            spaces.save_location(room, custom={"cleanliness": "general"})
            events = OutboxEvent.objects.filter(topic="spaces.room.updated").count()
            fresh = Room.objects.get(pk=room.pk)
            fresh.name = "改了名字"
            with pytest.raises(ValidationError) as caught:
                spaces.save_location(fresh, custom={"cleanliness": "filthy", "has_oxygen": "yes"}, lang="en")
            errors = caught.value.error_dict
            assert set(errors) == {"custom.cleanliness", "custom.has_oxygen"}
            assert errors["custom.cleanliness"][0].code == "invalid_choice"
            assert errors["custom.has_oxygen"][0].messages == ["Answer yes or no."]
            stored = Room.objects.get(pk=room.pk)
            assert stored.name == "洁净室" and stored.custom == {"cleanliness": "general"}
            assert OutboxEvent.objects.filter(topic="spaces.room.updated").count() == events

    def test_an_extension_cannot_be_filled_in_as_a_form(self, tenants, in_tenant, make_form, person):
        extension = make_form(
            tenants.a,
            ROOM_FIELDS,
            code="room-fields",
            kind=FormDefinition.Kind.EXTENSION,
            target="spaces.room",
        )
        user = person(tenants.a, "filler", "end_user")
        with in_tenant(tenants.a), pytest.raises(ValidationError) as caught:
            actions.submit(extension, {"cleanliness": "clean"}, user=user)
        assert caught.value.code == "closed"


class TestListing:
    """selectors.page_and_count: the same pages and counts whichever path it takes."""

    @pytest.fixture
    def many(self, tenants, in_tenant, make_form, person, simple_definition):
        form = make_form(tenants.a, simple_definition)
        user = person(tenants.a, "lister", "end_user")
        with in_tenant(tenants.a):
            made = []
            for i in range(23):
                kind = "repair" if i % 3 else "other"
                answers = {"title": f"row {i:02d}", "kind": kind, "qty": 1 + i % 4}
                if kind == "other":
                    answers["other_reason"] = "because"
                made.append(actions.submit(form, answers, user=user, lang="en"))
            # Distinct, known times: newest first is the reverse of creation.
            from datetime import timedelta

            from django.utils import timezone

            start = timezone.now() - timedelta(days=30)
            for i, row in enumerate(made):
                Submission.objects.filter(pk=row.pk).update(submitted_at=start + timedelta(hours=i))
                SubmissionIndex.objects.filter(submission=row).update(submitted_at=start + timedelta(hours=i))
        return form, user, made

    @pytest.mark.parametrize("walk", [False, True])
    @pytest.mark.parametrize(
        "filters",
        [{}, {"kind": "repair"}, {"kind": "other"}, {"qty": "2"}, {"title": "row 1"}, {"qty": "99"}],
    )
    def test_pages_and_counts(self, tenants, in_tenant, many, monkeypatch, walk, filters, tenant_admin):
        form, _user, made = many
        admin = tenant_admin(tenants.a)
        if walk:  # every filtered listing walks the date index, chunk by chunk
            monkeypatch.setattr(selectors, "WALK_THRESHOLD", 0)
        with in_tenant(tenants.a):
            rules = actions.compiled(form.current_version)
            condition = selectors.answer_condition(rules, filters)
            rows = selectors.listed(admin, form)

            def matches(data):
                for key, value in filters.items():
                    if key == "title" and value not in data.get("title", ""):
                        return False
                    if key == "qty" and str(data.get("qty")) != value:
                        return False
                    if key == "kind" and data.get("kind") != value:
                        return False
                return True

            expected = [s.pk for s in reversed(made) if matches(Submission.objects.get(pk=s.pk).data)]
            for offset, size in ((0, 5), (5, 5), (3, 100), (len(expected), 5)):
                page, total = selectors.page_and_count(rows, condition, offset=offset, size=size)
                assert total == len(expected)
                assert [s.pk for s in page] == expected[offset : offset + size]

    def test_a_list_shows_only_what_the_role_may_see(self, tenants, in_tenant, many, person):
        form, _user, _made = many
        stranger = person(tenants.a, "stranger", "end_user")
        with in_tenant(tenants.a):
            page, total = selectors.page_and_count(selectors.listed(stranger, form), None, offset=0, size=10)
            assert (page, total) == ([], 0)
