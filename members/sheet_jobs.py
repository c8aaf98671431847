"""A large sheet checked and imported by a worker instead of the web request.

A county's roll of 10,000 members takes longer to check, and again to import, than a web
worker may run (gunicorn's 30 s timeout): above `SHEET_BACKGROUND_ROWS` rows the admin's import
page hands the sheet to a Celery task and shows this row's progress instead. The same
resource, rules, scope and every-row-or-none import run as for a small sheet.

checking -> checked (waiting for the importer's confirmation) | rejected (problems by row and
column) ; checked -> importing -> imported. The uploaded bytes may hold ID numbers and mobiles:
they are kept only until the import or the rejection, and a job nobody finished is removed
after `SHEET_JOB_KEEP_HOURS` (members.purge_sheet_jobs).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.fields import Timestamped, acting_user, stamp
from members.text import CleanCharField


class SheetJob(Timestamped):
    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked: waiting for your confirmation")
        REJECTED = "rejected", _("Not imported: problems found")
        IMPORTING = "importing", _("Being imported")
        IMPORTED = "imported", _("Imported")

    RUNNING = (Status.CHECKING, Status.IMPORTING)

    # The dotted path of the SheetResource class the admin page chose (never user input).
    resource = CleanCharField(_("sheet"), max_length=200)
    model_label = CleanCharField(_("list"), max_length=100)
    file_name = CleanCharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file"), blank=True)
    by = acting_user(_("imported by"), on_delete=models.CASCADE, null=False, blank=False)
    status = CleanCharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CHECKING
    )
    # Set by the worker that took the job; another worker takes it again only once the lease
    # (SHEET_JOB_LEASE_SECONDS) has run out, i.e. after the first one died.
    started_at = stamp(_("taken by a worker"))
    rows = models.PositiveIntegerField(_("rows"), default=0)
    new = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    # [{"row": 3, "column": "手机号", "text": "第 3 行“手机号”列：..."}], in the importer's
    # language; never the ID numbers or mobiles in the cells.
    problems = models.JSONField(_("problems"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sheet import")
        verbose_name_plural = _("sheet imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["checking", "checked", "rejected", "importing", "imported"]
                ),
                name="members_sheetjob_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(problems=[]),
                name="members_sheetjob_rejected_says_why",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING
