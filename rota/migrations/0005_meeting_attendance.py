"""Attendance of the quarterly exchange meetings, per organisation, now kept by the rota.

The model moves here from deqing_hub (which read rota's meetings and organisations to keep it).
This migration only creates the table; 0006 copies the rows, deqing_hub 0004 drops the old one.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rota", "0004_clearer_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MeetingAttendance",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded")),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="organisation_attendances",
                        to="rota.exchangemeeting",
                        verbose_name="exchange meeting",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="meeting_attendances",
                        to="rota.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "exchange meeting attendance",
                "verbose_name_plural": "exchange meeting attendance",
                "ordering": ["-meeting__held_on", "organisation__name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("meeting", "organisation"),
                        name="rota_attendance_once_per_meeting",
                    )
                ],
            },
        ),
    ]
