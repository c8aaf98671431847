"""The stored moment of the next duty reminder (rota.ReminderSchedule) and what invalidates it.

On PostgreSQL a statement-level trigger on every table the reminders' timing depends on (the
weeks: dates, status, acknowledgement, organisation; the reports; the organisations; the
issued reminders when deleted or changed) takes a shared advisory lock until its commit and
bumps the `rota_reminder_changes` sequence. The scan stores a moment only with the sequence
value it started from, read when no such writer was in flight (rota.actions.reminders), so no
writer - the admin, an import, a swap, a bulk update, raw SQL - can leave a stale "not yet".
Writers never wait for each other (the lock is shared). SQLite scans every time.
"""

from django.db import migrations, models

# rota.schedule.CHANGES_LOCK: the advisory lock key ("rota" in ASCII).
FUNCTION = """
CREATE OR REPLACE FUNCTION rota_reminders_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(1919907937);
    PERFORM nextval('rota_reminder_changes');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = {
    "rota_dutyweek": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "rota_dutyreport": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "rota_organisation": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    # The scan's own inserts only make reminders less due.
    "rota_reminder": "UPDATE OR DELETE OR TRUNCATE",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS rota_reminder_changes", params=None)
    schema_editor.execute(FUNCTION, params=None)
    for table, events in TRIGGERS.items():
        schema_editor.execute(
            f"CREATE TRIGGER {table}_reminders_changed AFTER {events} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION rota_reminders_changed()",
            params=None,
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_reminders_changed ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS rota_reminders_changed()")
    schema_editor.execute("DROP SEQUENCE IF EXISTS rota_reminder_changes")


class Migration(migrations.Migration):
    dependencies = [
        ("rota", "0008_reminder_schedule_replaces_outbox"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReminderSchedule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("next_due_at", models.DateTimeField()),
                ("computed_at", models.DateTimeField()),
                ("generation", models.BigIntegerField()),
            ],
            options={
                "verbose_name": "duty reminder schedule",
                "verbose_name_plural": "duty reminder schedule",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("pk", 1)), name="rota_reminderschedule_one_row"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("next_due_at__gt", models.F("computed_at"))),
                        name="rota_reminderschedule_ahead",
                    ),
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
