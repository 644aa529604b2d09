"""One writer process for tests/core/test_sqlite_writers.py: in one transaction, read, pause, then write.

Run as `python tests/sqlite_writer.py VALUE` with DATABASE_URL=spatialite:///path; prints the journal mode.
Under SQLite's default DEFERRED transactions two such processes deadlock on the read→write lock upgrade and
one fails at once with "database is locked"; the settings must make them queue instead.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["DJANGO_SETTINGS_MODULE"] = "landguard.settings"

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

with transaction.atomic(), connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM burst")
    cursor.fetchone()
    time.sleep(0.3)  # every writer holds its transaction open while the others start theirs
    cursor.execute("INSERT INTO burst VALUES (%s)", [sys.argv[1]])
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print(cursor.fetchone()[0])
