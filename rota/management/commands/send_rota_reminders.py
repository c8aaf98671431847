"""Issue the due duty reminders by hand: the same code as the periodic task."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from members.notices import actions as notices
from members.notices.models import Delivery
from rota import actions


class Command(BaseCommand):
    help = (
        "Issue the duty reminders that fell due; the notices outbox sends them "
        "(with --inline, send every notice ready to go in this process, e.g. while Redis is down)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--inline", action="store_true", help="Send in this process, without the queue."
        )

    def handle(self, *args, inline: bool = False, **options):
        issued = actions.issue_due_reminders()
        result = notices.scan_deliveries(enqueue=not inline)
        sent = failed = 0
        if inline:
            # Every row ready to go, also those just issued (already handed to the queue, which
            # may be down: a queued copy that arrives later finds its row sent and does nothing).
            ready = Delivery.objects.filter(
                status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now()
            ).order_by("pk")
            for pk in ready.values_list("pk", flat=True):
                delivery = notices.deliver(delivery_id=pk)
                if delivery is not None:
                    sent += delivery.status == Delivery.Status.SENT
                    failed += delivery.status == Delivery.Status.FAILED
        self.stdout.write(
            f"issued={issued} reclaimed={result.reclaimed} queued={len(result.queued)} "
            f"sent={sent} failed={failed}"
        )
