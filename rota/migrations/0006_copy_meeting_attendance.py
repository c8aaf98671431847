"""Copy the recorded meeting attendance from deqing_hub's table into rota's (data only).

Why a copy and not a table rename (SeparateDatabaseAndState): a renamed table keeps its
deqing_hub_ sequence, index and foreign-key constraint names, so an upgraded database and a
fresh one would differ in schema names and later AlterField/RemoveConstraint migrations could
miss them. A copy leaves both with exactly what CreateModel makes, uses only plain operations,
and costs nothing here: four meetings a year times 49 organisations at most.

Rows keep their ids and their `recorded_at` (plain SQL: the ORM would stamp `auto_now_add`
with the time of the migration), then the id sequence is moved past them. Reversing copies
the rows back into the (re-created) deqing_hub table and empties rota's.
Order: after rota 0005 (the new table) and deqing_hub 0003 (the old one); deqing_hub 0004
drops the old table only after this ran, on a fresh database and on an existing one alike.
"""

from django.core.management.color import no_style
from django.db import migrations

COLUMNS = ("id", "meeting_id", "organisation_id", "recorded_by_id", "recorded_at")


def _move(schema_editor, source, target) -> None:
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(target._meta.db_table)} ({columns}) "  # noqa: S608 - names only
            f"SELECT {columns} FROM {quote(source._meta.db_table)}"
        )
        # Explicit ids leave PostgreSQL's sequence behind; the next insert would collide.
        for sql in connection.ops.sequence_reset_sql(no_style(), [target]):
            cursor.execute(sql)


def copy_to_rota(apps, schema_editor):
    old = apps.get_model("deqing_hub", "MeetingAttendance")
    new = apps.get_model("rota", "MeetingAttendance")
    _move(schema_editor, old, new)


def copy_back_to_deqing_hub(apps, schema_editor):
    old = apps.get_model("deqing_hub", "MeetingAttendance")
    new = apps.get_model("rota", "MeetingAttendance")
    _move(schema_editor, new, old)
    # Emptied so that migrating forward again copies the rows once, not twice.
    new.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rota", "0005_meeting_attendance"),
        ("deqing_hub", "0003_meeting_attendance"),
    ]

    operations = [
        migrations.RunPython(copy_to_rota, copy_back_to_deqing_hub, elidable=True),
    ]
