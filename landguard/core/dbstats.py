"""Planner statistics after bulk loads.

A layer import adds hundreds of thousands of rows in one transaction; until the table is analysed, the
planner of PostgreSQL (autovacuum gets to it minutes later) and SQLite (which has no statistics at all until
ANALYZE) guesses its size and may pick a full scan over the spatial or region index for the next tile or page.
So imports and the demo load run ANALYZE once their transaction has committed.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Model


def analyze(*models: type[Model]) -> None:
    """ANALYZE the tables of `models` (all tables when none is given), on SpatiaLite and PostGIS alike."""
    with connection.cursor() as cursor:
        if not models:
            cursor.execute("ANALYZE")
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def analyze_on_commit(*models: type[Model]) -> None:
    """`analyze` once the current transaction commits (at once outside one), so it describes the committed
    rows and does not lengthen the import's write lock (SQLite) or transaction."""
    transaction.on_commit(lambda: analyze(*models))
