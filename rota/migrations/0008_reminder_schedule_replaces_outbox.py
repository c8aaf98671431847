# The rota's own outbox (Delivery) goes: reminders are sent through members.notices; the
# rota keeps only its schedule (Reminder, one row per week and kind issued).

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Min

import members.text


def copy_schedule(apps, schema_editor):
    """Every (week, kind) the old outbox held was issued: keep it so, or the first scan after
    the upgrade would remind the past three weeks' contacts again."""
    Delivery = apps.get_model("rota", "Delivery")
    Reminder = apps.get_model("rota", "Reminder")
    rows = (
        Delivery.objects.exclude(kind="swap_approved")
        .values("duty_week_id", "kind")
        .annotate(first=Min("due_at"))
    )
    Reminder.objects.bulk_create(
        [
            Reminder(duty_week_id=r["duty_week_id"], kind=r["kind"], issued_at=r["first"])
            for r in rows
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rota", "0007_text_fields_strip_bidi_controls"),
    ]

    operations = [
        migrations.CreateModel(
            name="Reminder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    members.text.CleanCharField(
                        choices=[
                            ("week_ahead", "7 days before"),
                            ("unacknowledged", "Not acknowledged 2 days before"),
                            ("day_before", "1 day before"),
                            ("report_missing", "Report missing"),
                            ("swap_approved", "Swap approved"),
                        ],
                        max_length=20,
                        verbose_name="reminder",
                    ),
                ),
                ("issued_at", models.DateTimeField(verbose_name="issued at")),
                (
                    "duty_week",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="rota.dutyweek",
                        verbose_name="duty week",
                    ),
                ),
            ],
            options={
                "verbose_name": "duty reminder",
                "verbose_name_plural": "duty reminders",
                "ordering": ["-issued_at", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(
                fields=("duty_week", "kind"), name="rota_reminder_once"
            ),
        ),
        migrations.RunPython(copy_schedule, migrations.RunPython.noop),
        migrations.DeleteModel(
            name="Delivery",
        ),
    ]
