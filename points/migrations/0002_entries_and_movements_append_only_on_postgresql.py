"""Make ledger entries and stock movements append-only in PostgreSQL itself.

The models already refuse save-twice, update and delete; these triggers also stop raw SQL
and other programs. TRUNCATE (test teardown, a full restore) is a table statement and is not
affected. SQLite (the single-office default) relies on the model guards only.
"""

from django.db import migrations

TABLES = ["points_entry", "points_stockmovement"]

FUNCTION = """
CREATE OR REPLACE FUNCTION points_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'points_append_only: % rows are never updated or deleted', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION points_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS points_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0001_ledger_stock_vouchers"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
