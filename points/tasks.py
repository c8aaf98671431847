"""Periodic work of the points app: thin wrappers around actions and the reconciliation."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from points import actions, reconciliation


@shared_task(name="points.expire_vouchers")
def expire_vouchers() -> int:
    """Expire every uncollected voucher past its date and give its points back.

    Safe to repeat: an expired voucher is skipped by its conditional update.
    """
    return actions.expire_due_vouchers()


@shared_task(name="points.remind_expiring_vouchers", ignore_result=True)
def remind_expiring_vouchers() -> int:
    """Tell holders of vouchers expiring within three days (once per voucher)."""
    return actions.remind_expiring_vouchers()


@shared_task(name="points.reconcile")
def reconcile_nightly() -> int:
    """Check the books once per day (keyed by date, so a second run changes nothing)."""
    today = timezone.localdate().isoformat()
    return reconciliation.reconcile(run_key=f"nightly:{today}").pk
