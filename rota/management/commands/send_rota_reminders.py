"""Run the reminder scan by hand: the same code as the periodic task."""

from django.core.management.base import BaseCommand

from rota import actions


class Command(BaseCommand):
    help = (
        "Create the duty reminders that fell due and queue them for sending "
        "(with --inline, send them in this process instead, e.g. while Redis is down)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--inline", action="store_true", help="Send in this process, without the queue."
        )

    def handle(self, *args, inline: bool = False, **options):
        result = actions.scan_due_reminders(enqueue=not inline)
        sent = failed = 0
        if inline:
            for pk in result.queued:
                delivery = actions.deliver_reminder(delivery_id=pk)
                if delivery is not None:
                    sent += delivery.status == delivery.Status.SENT
                    failed += delivery.status == delivery.Status.FAILED
        from rota.models import Delivery

        waiting = Delivery.objects.filter(
            pk__in=result.queued, status=Delivery.Status.PENDING, enqueued_at__isnull=True
        ).count()
        self.stdout.write(
            f"created={result.created} reclaimed={result.reclaimed} queued={len(result.queued)} "
            f"sent={sent} failed={failed} waiting_for_broker={waiting}"
        )
