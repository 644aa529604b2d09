"""Make the breakdown changes (planning_breakdownchange) append-only in the database itself, as quotas/0002 does for
the quota ledger: UPDATE and DELETE raise an error whatever the code path."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER planning_change_no_update BEFORE UPDATE ON planning_breakdownchange "
    "BEGIN SELECT RAISE(ABORT, 'breakdown changes are append-only'); END;",
    "CREATE TRIGGER planning_change_no_delete BEFORE DELETE ON planning_breakdownchange "
    "BEGIN SELECT RAISE(ABORT, 'breakdown changes are append-only'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER planning_change_no_update;", "DROP TRIGGER planning_change_no_delete;"]

POSTGRES = [
    """CREATE FUNCTION planning_change_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'breakdown changes are append-only'; END; $$;""",
    "CREATE TRIGGER planning_change_append_only BEFORE UPDATE OR DELETE ON planning_breakdownchange "
    "FOR EACH ROW EXECUTE FUNCTION planning_change_append_only();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER planning_change_append_only ON planning_breakdownchange;",
    "DROP FUNCTION planning_change_append_only();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
