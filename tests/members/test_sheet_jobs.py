"""Large sheets go to a worker: the admin's import page hands them over and shows the job.

Above SHEET_BACKGROUND_ROWS rows the check and the import run in members.run_sheet_job, not in
the request (10,000 rows take longer than a web worker may run). The same rules apply as for a
small sheet: a preview first, every row or none, problems by row and column, the importer's
scope, one audit record. Run here through the action (as the task does) and once through a
real Celery worker.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from members.actions import sheet_jobs
from members.audit import AuditEvent
from members.models import Branch, Member
from members.refusals import Refused
from members.sheet_jobs import SheetJob
from members.sheets.roll import MemberResource
from tests.celery_workers import wait_for
from tests.conftest import make_user
from tests.factories import BranchFactory
from tests.members.conftest import MEMBER_HEADERS, grant, xlsx_bytes

IMPORT = "admin:members_member_import"


def rows(count, branch_name="中测新图党支部"):
    return [["", f"张{i}", "男", f"139{i:08d}", "", "否", branch_name] for i in range(count)]


@pytest.fixture(autouse=True)
def small_threshold(settings):
    settings.SHEET_BACKGROUND_ROWS = 5


def upload(client, content, name="members.xlsx"):
    return client.post(
        reverse(IMPORT), {"format": "0", "import_file": SimpleUploadedFile(name, content)}
    )


def start(by, count=8, branch_name="中测新图党支部"):
    """A sheet of `count` members handed to the worker, as the admin's import page does."""
    return sheet_jobs.start_sheet_job(
        resource=MemberResource,
        content=xlsx_bytes(MEMBER_HEADERS, rows(count, branch_name)),
        file_name="members.xlsx",
        rows=count,
        by=by,
    )


def job_page(client, job):
    return client.get(reverse("admin:members_member_import_job", args=[job.pk]))


def test_a_large_sheet_goes_to_a_worker_then_waits_for_confirmation(client, clerk, branch):
    client.force_login(clerk)
    response = upload(client, xlsx_bytes(MEMBER_HEADERS, rows(8)))
    job = SheetJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:members_member_import_job", args=[job.pk])
    assert (job.status, job.rows, job.by) == ("checking", 8, clerk)
    page = job_page(client, job).content.decode()
    assert 'http-equiv="refresh"' in page  # follows the worker without script

    sheet_jobs.run_sheet_job(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.new, job.updated, job.unchanged) == ("checked", 8, 0, 0)
    assert Member.objects.count() == 0  # the check is a dry run
    page = job_page(client, job).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert 'name="confirm"' in page

    confirm = client.post(
        reverse("admin:members_member_import_job", args=[job.pk]), {"confirm": "1"}
    )
    assert confirm.status_code == 302
    job.refresh_from_db()
    assert job.status == "importing"
    sheet_jobs.run_sheet_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "imported"
    assert Member.objects.count() == 8
    assert bytes(job.content) == b""  # the file (personal data) is not kept once imported
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert (event.user, event.details["totals"]) == (clerk, {"new": 8})


def test_a_small_sheet_is_still_checked_in_the_request(client, clerk, branch):
    client.force_login(clerk)
    page = client.get(reverse(IMPORT)).content.decode()
    assert "超过 5 行的表格在后台检查和导入" in page  # the import page says where big sheets go
    preview = upload(client, xlsx_bytes(MEMBER_HEADERS, rows(5)))
    assert preview.status_code == 200
    assert preview.context["confirm_form"] is not None
    assert not SheetJob.objects.exists()


def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_imported(client, clerk, branch):
    client.force_login(clerk)
    sheet = rows(9)
    sheet[6][4], sheet[6][5] = "330521198807150011", "是"  # wrong check character
    upload(client, xlsx_bytes(MEMBER_HEADERS, sheet))
    job = SheetJob.objects.get()
    sheet_jobs.run_sheet_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "rejected"
    assert [(p["row"], p["column"]) for p in job.problems] == [(8, "身份证号")]
    assert bytes(job.content) == b""
    page = job_page(client, job).content.decode()
    assert "第 8 行“身份证号”列：此身份证号的校验码不正确，请核对。" in page
    assert "330521198807150011" not in page and "13900000006" not in page
    assert 'name="confirm"' not in page
    with pytest.raises(Refused) as refused:
        sheet_jobs.confirm_sheet_job(job_id=job.pk, by=clerk)
    assert refused.value.code == "stale"
    assert Member.objects.count() == 0


def test_only_the_importer_sees_the_job(client, clerk, branch):
    job = start(clerk)
    colleague = grant(
        make_user(email="colleague@example.cn", phone="13900000099", staff=True),
        "members.view_member",
        "members.add_member",
        "members.import_member",
    )
    client.force_login(colleague)
    assert job_page(client, job).status_code == 404
    posted = client.post(
        reverse("admin:members_member_import_job", args=[job.pk]), {"confirm": "1"}
    )
    assert posted.status_code == 404
    with pytest.raises(Refused) as refused:
        sheet_jobs.cancel_sheet_job(job_id=job.pk, by=colleague)
    assert refused.value.code == "not_found"


def test_the_worker_imports_in_the_importers_scope(secretary, other_branch, branch):
    """A branch secretary's large sheet naming another branch is refused, as a small one is."""
    job = start(secretary, branch_name=other_branch.name)
    sheet_jobs.run_sheet_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "rejected"
    assert {p["column"] for p in job.problems} == {"所在支部"}


def test_a_repeated_task_imports_once_and_a_held_job_waits_for_its_lease(clerk, branch, settings):
    job = start(clerk)
    sheet_jobs.run_sheet_job(job_id=job.pk)
    sheet_jobs.confirm_sheet_job(job_id=job.pk, by=clerk)
    now = timezone.now()
    # Another worker took it a moment ago (its message redelivered): this one must wait.
    SheetJob.objects.filter(pk=job.pk).update(started_at=now - dt.timedelta(seconds=10))
    with pytest.raises(sheet_jobs.Busy):
        sheet_jobs.run_sheet_job(job_id=job.pk, now=now)
    # That worker died: after the lease the job is taken over and imported, once.
    later = now + dt.timedelta(seconds=settings.SHEET_JOB_LEASE_SECONDS)
    assert sheet_jobs.run_sheet_job(job_id=job.pk, now=later).status == "imported"
    assert sheet_jobs.run_sheet_job(job_id=job.pk, now=later).status == "imported"
    assert Member.objects.count() == 8
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT).count() == 1


def test_cancelling_drops_the_file_and_unfinished_jobs_are_purged(client, clerk, branch, settings):
    checked = start(clerk)
    sheet_jobs.run_sheet_job(job_id=checked.pk)
    client.force_login(clerk)
    cancelled = client.post(
        reverse("admin:members_member_import_job", args=[checked.pk]), {"cancel": "1"}
    )
    assert cancelled.status_code == 302
    assert not SheetJob.objects.filter(pk=checked.pk).exists()

    forgotten = start(clerk)
    assert sheet_jobs.purge_sheet_jobs() == 0
    later = timezone.now() + dt.timedelta(hours=settings.SHEET_JOB_KEEP_HOURS, minutes=1)
    assert sheet_jobs.purge_sheet_jobs(now=later) == 1
    assert not SheetJob.objects.filter(pk=forgotten.pk).exists()
    assert Member.objects.count() == 0


def test_the_job_page_in_english_and_chinese(client, clerk, branch):
    job = start(clerk)
    sheet_jobs.run_sheet_job(job_id=job.pk)
    client.force_login(clerk)
    chinese = job_page(client, job).content.decode()
    assert "确认导入" in chinese and "共 8 行" in chinese
    english = client.get(
        reverse("admin:members_member_import_job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Confirm import" in english


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_checks_and_imports_a_large_sheet(redis_url, celery_worker, settings):
    BranchFactory(name="中测新图党支部", kind=Branch.Kind.CENTRE)
    staff = make_user(email="bulk@example.cn", phone="13900000077", staff=True, is_superuser=True)
    job = start(staff, 40)
    worker = celery_worker(redis_url)
    worker.start()
    worker.send("members.run_sheet_job", job.pk)
    wait_for(
        lambda: SheetJob.objects.get(pk=job.pk).status == "checked",
        timeout=90,
        what=f"the check; worker log:\n{worker.log_tail()}",
    )
    sheet_jobs.confirm_sheet_job(job_id=job.pk, by=staff)
    worker.send("members.run_sheet_job", job.pk)
    wait_for(
        lambda: SheetJob.objects.get(pk=job.pk).status == "imported",
        timeout=90,
        what=f"the import; worker log:\n{worker.log_tail()}",
    )
    assert Member.objects.filter(name__startswith="张").count() == 40
