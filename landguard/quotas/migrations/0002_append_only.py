"""Make the ledger entries append-only in the database itself (as audit/0003 does for the audit trail): UPDATE
and DELETE on quotas_quotaentry raise an error whatever the code path."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER quota_entry_no_update BEFORE UPDATE ON quotas_quotaentry "
    "BEGIN SELECT RAISE(ABORT, 'quota entries are append-only'); END;",
    "CREATE TRIGGER quota_entry_no_delete BEFORE DELETE ON quotas_quotaentry "
    "BEGIN SELECT RAISE(ABORT, 'quota entries are append-only'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER quota_entry_no_update;", "DROP TRIGGER quota_entry_no_delete;"]

POSTGRES = [
    """CREATE FUNCTION quota_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'quota entries are append-only'; END; $$;""",
    "CREATE TRIGGER quota_entry_append_only BEFORE UPDATE OR DELETE ON quotas_quotaentry "
    "FOR EACH ROW EXECUTE FUNCTION quota_entry_append_only();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER quota_entry_append_only ON quotas_quotaentry;",
    "DROP FUNCTION quota_entry_append_only();",
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
    dependencies = [("quotas", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
