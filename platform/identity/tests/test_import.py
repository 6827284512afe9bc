"""Imports: a dry run names every bad row; nothing is written until confirmed; then all or none."""

import csv
import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from identity import importer, tasks
from identity.models import Department, ImportJob, User
from kernel.models import AuditEntry

pytestmark = pytest.mark.django_db

HEADER = ["登录名", "姓名", "部门编码", "邮箱", "工号", "手机", "角色编码", "启用"]


def users_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def hundred_rows(bad=()):
    rows = [
        [
            f"user{i:03d}",
            f"员工{i:03d}",
            "CARD" if i % 2 else "SUR",
            f"u{i}@hospital.test",
            f"E{i:05d}",
            f"1380000{i:04d}",
            "end_user",
            "是",
        ]
        for i in range(100)
    ]
    for index, mutate in bad:
        mutate(rows[index])
    return rows


BAD = [
    (9, lambda r: r.__setitem__(2, "NOPE")),  # unknown department
    (41, lambda r: r.__setitem__(3, "not-an-email")),  # bad e-mail
    (77, lambda r: r.__setitem__(0, "user010")),  # the same login as row 12
]


def test_three_bad_rows_of_a_hundred_write_nothing_and_are_named(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        before = User.objects.count()
        plan = importer.plan_file("users", users_csv(hundred_rows(BAD)), "staff.csv")
        assert plan.total == 100 and not plan.ok
        # Spreadsheet rows: the header is row 1, so list index 9 is row 11.
        named = {error.row: " ".join(error.messages) for error in plan.errors}
        assert set(named) == {11, 43, 79}
        assert "NOPE" in named[11] and "email" in named[43] and "row 12" in named[79]
        plan, result = importer.apply_file("users", users_csv(hundred_rows(BAD)), "staff.csv")
        assert result is None
        assert User.objects.count() == before


def test_clean_file_through_the_console_is_checked_then_applied_on_confirmation(
    tenants, in_tenant, org, client_for, tenant_admin
):
    admin = client_for(tenants.a, user=tenant_admin(tenants.a))
    upload = SimpleUploadedFile("staff.csv", users_csv(hundred_rows()), content_type="text/csv")
    response = admin.post("/console/people/import/", {"kind": "users", "file": upload})
    assert response.status_code == 302
    with in_tenant(tenants.a):
        job = ImportJob.objects.get()
        tasks.check(job)  # what the worker does (tests/test_jobs.py proves the worker path)
        assert User.objects.filter(username__startswith="user").count() == 0  # a dry run only
    page = admin.get(f"/console/people/import/{job.pk}/").content.decode()
    assert "全部 100 行有效" in page  # the console speaks the tenant's language
    admin.post(f"/console/people/import/{job.pk}/confirm/")
    with in_tenant(tenants.a):
        job.refresh_from_db()
        assert job.status == ImportJob.Status.APPLYING
        tasks.apply(ImportJob.objects.get(pk=job.pk))
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE and job.summary == {"created": 100, "updated": 0}
        user = User.objects.get(username="user007")
        assert user.department.code == "CARD" and user.phone == "13800000007"
        assert list(user.roles.values_list("code", flat=True)) == ["end_user"]
        assert not user.has_usable_password()
        assert AuditEntry.objects.filter(table_name="identity_user", action="insert").count() >= 100
        assert AuditEntry.objects.filter(action="import").exists()
    status = admin.get(f"/console/people/import/{job.pk}/status.json").json()
    assert status["status"] == "done"


def test_errors_found_at_confirmation_still_write_nothing(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        upload = SimpleUploadedFile("staff.csv", users_csv(hundred_rows()), content_type="text/csv")
        job = ImportJob.objects.create(
            kind="users", file=upload, filename="staff.csv", created_by=org["alice"]
        )
        from identity.models import Role

        Role.objects.filter(code="alice_role").delete()
        tasks.check(job)
        Department.objects.filter(code="SUR").update(code="SURGERY")  # changed between check and confirm
        job.status = ImportJob.Status.APPLYING
        job.created_by = User.objects.get(username="admin@ta.test")
        job.save()
        tasks.apply(job)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED and len(job.errors) == 50
        assert not User.objects.filter(username__startswith="user").exists()


def test_departments_in_any_order_and_xlsx(tenants, in_tenant, org):
    dataset = tablib.Dataset(headers=["编码", "名称", "英文名称", "上级编码"])
    dataset.append(["ICU2", "重症二病区", "ICU ward 2", "ICU"])  # child before its parent
    dataset.append(["ICU", "重症医学科", "Intensive care", "MED"])
    dataset.append(["LOOP1", "甲", "", "LOOP2"])
    dataset.append(["LOOP2", "乙", "", "LOOP1"])
    with in_tenant(tenants.a):
        plan = importer.plan_file("departments", dataset.export("xlsx"), "org.xlsx")
        assert {e.row for e in plan.errors} == {4, 5}  # the loop
        del dataset[2:4]
        plan, result = importer.apply_file("departments", dataset.export("xlsx"), "org.xlsx")
        assert result == {"created": 2, "updated": 0}
        icu2 = Department.objects.get(code="ICU2")
        assert [d.code for d in icu2.get_ancestors()] == ["ORG", "MED", "ICU"]


def test_unreadable_files_say_why(tenants, in_tenant, org):
    with in_tenant(tenants.a):
        with pytest.raises(importer.ImportFileError, match="Missing columns"):
            importer.plan_file("users", b"a,b\n1,2\n", "x.csv")
        with pytest.raises(importer.ImportFileError, match="xlsx or .csv"):
            importer.plan_file("users", b"...", "x.pdf")
