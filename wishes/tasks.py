"""Celery tasks of the wish wall: thin, take ids, safe to run twice."""

from celery import shared_task
from django.utils import timezone


@shared_task
def send_staff_digest() -> int:
    """Tell centre staff today's list of wishes waiting for verification (once a day)."""
    from wishes.notifications import send_staff_digest as send

    digest = send(day=timezone.localdate())
    return digest.waiting_count if digest else 0


@shared_task(name="wishes.tell_overdue_claims", ignore_result=True)
def tell_overdue_claims() -> int:
    """Tell organisations whose claim is past its promised date (once per claim and date)."""
    from wishes.notifications import tell_overdue_claims as tell

    return tell()


@shared_task
def auto_confirm_fulfilled_wishes() -> int:
    """Confirm fulfilled wishes whose wishers stayed silent past WISHES_AUTO_CONFIRM_DAYS."""
    from datetime import timedelta

    from django.conf import settings

    from wishes.actions import auto_confirm_wish
    from wishes.models import Wish

    cutoff = timezone.now() - timedelta(days=settings.WISHES_AUTO_CONFIRM_DAYS)
    ids = Wish.objects.filter(status=Wish.Status.FULFILLED, fulfilled_at__lte=cutoff).values_list(
        "pk", flat=True
    )
    return sum(1 for wish_id in list(ids) if auto_confirm_wish(wish_id=wish_id) is not None)
