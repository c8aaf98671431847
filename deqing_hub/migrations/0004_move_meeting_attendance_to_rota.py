"""Drop deqing_hub's meeting attendance table: the model lives in rota now.

Runs only after rota 0006 copied the rows (see its docstring for why a copy, not a rename).
Reversing re-creates the empty table; reversing rota 0006 then fills it again.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("deqing_hub", "0003_meeting_attendance"),
        ("rota", "0006_copy_meeting_attendance"),
    ]

    operations = [
        migrations.DeleteModel(name="MeetingAttendance"),
    ]
