"""County partitions of the feature table on PostgreSQL (declarative LIST partitioning on `Feature.county_code`).

A province holds ~15 million survey parcels in ~100 counties; partitioned by county, a county's reads (the overlay
of a boundary, a tile of its DLTB, a page of its features) plan and scan one partition of ~10⁵–10⁶ rows — its own
GiST and B-tree indexes — however many counties the database holds, and a county's import writes and analyses
its own partition only. SpatiaLite (one county per file) keeps one plain table.

The layout: the parent `layers_feature` (PARTITION BY LIST (county_code)), one partition per county
`layers_feature_c<code>`, and `layers_feature_default` for what has no county (features of a city's or a
province's own code) or whose county has no partition yet. The primary key is (id, county_code): a partitioned
table's unique constraints must contain the partition key. Ids stay unique because every row takes its id from
the one identity sequence; Django still treats `id` as the primary key. Indexes are declared on the parent, so
every partition gets them (the GiST on geom, the model's indexes) and later AddIndex migrations reach them all.

`partition_table` / `unpartition_table` convert the table either way (migration 0008 and its reverse; the bench
builds its unpartitioned twin with the second). `ensure_county_partition` gives a county its partition before
its first import writes (services.import_layer), idempotent and safe against concurrent imports.
"""

from __future__ import annotations

import re
import time

from django.db import OperationalError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

TABLE = "layers_feature"
DEFAULT_SUFFIX = "_default"
_COUNTY = re.compile(r"\d{6}")
# pg_advisory_xact_lock(class, code): one lock per county, so two first imports of one county create its partition
# once; the class keeps these locks apart from any other advisory lock.
_LOCK_CLASS = 0x4C47  # "LG"
# Creating a partition takes an ACCESS EXCLUSIVE lock on the parent: it waits for transactions using the table
# (another county's import holds its lock until it commits) and every later reader queues behind it. So it waits
# briefly, gives way, and tries again; after the last try the import goes on without it — its rows land in the
# DEFAULT partition, correct but unpruned, and the county's next import moves them into the partition.
_LOCK_TIMEOUT = "2s"
# Every partition is created with parallel_workers = 0. A county's statistics are its own, so the planner now
# estimates a tile's or a boundary's rows rightly (hundreds, not the tens the whole table's statistics gave), and
# with ST_AsMVTGeom's high declared cost per row it plans a Gather with a parallel worker, whose start (10–95 ms,
# measured) costs more than the whole read; reads of features are index scans of milliseconds (cf. the overlay's
# analysis.selectors._small_reads). A whole county's aggregate (a version's count or extent) runs on one core.
_PARTITION_OPTIONS = "WITH (parallel_workers = 0)"
_ATTEMPTS = 4
_RETRY_PAUSE_S = 1.0


def partition_name(code: str, table: str = TABLE) -> str:
    if not _COUNTY.fullmatch(code):
        raise ValueError(f"not a county code: {code!r}")
    return f"{table}_c{code}"


def is_partitioned(connection: BaseDatabaseWrapper, table: str = TABLE) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def county_partitions(using: str = "default", table: str = TABLE) -> dict[str, str]:
    """The partitions of the table: county code (or "" for the DEFAULT partition) → partition table name."""
    connection = connections[using]
    if not is_partitioned(connection, table):
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
                       "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)", [table])
        rows = cursor.fetchall()
    found = {}
    for name, bound in rows:
        match = re.search(r"\('(\d{6})'\)", bound or "")
        found["" if bound == "DEFAULT" or match is None else match.group(1)] = name
    return found


def ensure_county_partition(code: str, *, using: str = "default", table: str = TABLE) -> bool:
    """Give county `code` its partition if the table is partitioned and it has none (True when created here).

    Idempotent: an existing partition is found without a lock. Creating one takes the county's advisory lock
    (a concurrent first import of the county waits, then finds it) and moves the county's rows out of the
    DEFAULT partition first — PostgreSQL refuses a new partition while the DEFAULT one holds rows it would take.
    Called outside the import's transaction, it commits at once, so the parent's ACCESS EXCLUSIVE lock lasts
    milliseconds; inside a caller's transaction it runs in a savepoint of it."""
    name = partition_name(code, table)
    connection = connections[using]
    if not is_partitioned(connection, table) or _exists(connection, name):
        return False
    for attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                # SET LOCAL lasts to the end of the transaction, which is the caller's when there is one: set back
                # once done (a failure rolls the savepoint back, and the setting with it).
                cursor.execute(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, int(code)])
                created = not _exists(connection, name)
                if created:
                    _create_partition(cursor, table, code, name)
                cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
                return created
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != "55P03":  # lock_not_available: others use the table
                raise
            if attempt + 1 < _ATTEMPTS:
                time.sleep(_RETRY_PAUSE_S * (attempt + 1))  # give way, then try again
    return False


def _exists(connection: BaseDatabaseWrapper, name: str) -> bool:
    # pg_class read as a table, with the statement's snapshot: to_regclass() looks in the backend's catalog cache,
    # which an advisory lock does not refresh, so after waiting for the lock it may miss a table just committed.
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = %s "
                       "AND relnamespace = current_schema()::regnamespace)", [name])
        return bool(cursor.fetchone()[0])


def _create_partition(cursor: CursorWrapper, table: str, code: str, name: str) -> None:
    default = f"{table}{DEFAULT_SUFFIX}"
    # PostgreSQL refuses a new partition while the parent has deferred foreign-key checks pending in this
    # transaction (an earlier import's rows, when a caller's transaction spans several imports): they are run
    # now — they would run at the commit anyway — and the constraints deferred again afterwards, as declared.
    cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(%s) AND contype = 'f' "
                   "AND condeferred", [table])
    deferred = ", ".join(f'"{n}"' for (n,) in cursor.fetchall())
    if deferred:
        cursor.execute(f"SET CONSTRAINTS {deferred} IMMEDIATE")
    columns = ", ".join(f'"{c}"' for c in _columns(cursor, table))
    cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{default}" WHERE county_code = %s)', [code])
    moving = cursor.fetchone()[0]
    if moving:
        cursor.execute(f'CREATE TEMP TABLE "lg_moving_{code}" (LIKE "{table}")')
        cursor.execute(f'WITH moved AS (DELETE FROM "{default}" WHERE county_code = %s RETURNING {columns}) '
                       f'INSERT INTO "lg_moving_{code}" ({columns}) SELECT {columns} FROM moved', [code])
    cursor.execute(f"CREATE TABLE IF NOT EXISTS \"{name}\" PARTITION OF \"{table}\" FOR VALUES IN ('{code}') "
                   f"{_PARTITION_OPTIONS}")
    if moving:
        cursor.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "lg_moving_{code}" ORDER BY id')
        cursor.execute(f'DROP TABLE "lg_moving_{code}"')
    if deferred:
        cursor.execute(f"SET CONSTRAINTS {deferred} DEFERRED")


def _columns(cursor: CursorWrapper, table: str) -> list[str]:
    cursor.execute("SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 "
                   "AND NOT attisdropped ORDER BY attnum", [table])
    return [r[0] for r in cursor.fetchall()]


def partition_table(connection: BaseDatabaseWrapper, table: str = TABLE) -> None:
    """Convert the plain feature table into the partitioned one (migration 0008): a partition per county that
    has rows, the DEFAULT partition, every row moved in id order (the import's Hilbert order), the indexes,
    the foreign key and the CHECK constraints under their own names, the identity sequence continuing where it
    was. PostgreSQL only; nothing when already partitioned. Rewrites the table: on a province's data, minutes."""
    if connection.vendor != "postgresql" or is_partitioned(connection, table):
        return
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT DISTINCT county_code FROM "{table}" ORDER BY 1')
        counties = [c for (c,) in cursor.fetchall() if _COUNTY.fullmatch(c)]

        def partitions(new: str) -> None:
            cursor.execute(f'CREATE TABLE "{new}{DEFAULT_SUFFIX}" PARTITION OF "{new}" DEFAULT {_PARTITION_OPTIONS}')
            for code in counties:
                cursor.execute(f"CREATE TABLE \"{partition_name(code, new)}\" PARTITION OF \"{new}\" "
                               f"FOR VALUES IN ('{code}') {_PARTITION_OPTIONS}")

        _rebuild(cursor, table, "PARTITION BY LIST (county_code)", "(id, county_code)", partitions)


def unpartition_table(connection: BaseDatabaseWrapper, table: str = TABLE) -> None:
    """The reverse of `partition_table`: one plain table again (primary key id), same indexes and sequence."""
    if connection.vendor != "postgresql" or not is_partitioned(connection, table):
        return
    with connection.cursor() as cursor:
        _rebuild(cursor, table, "", "(id)", lambda new: None)


def _rebuild(cursor: CursorWrapper, table: str, partition_by: str, key: str, make_partitions) -> None:
    """Recreate `table` with `partition_by` and primary key `key`, moving its rows: the old table's indexes and
    constraints are read, dropped (so their names are free), the old table renamed aside, the new one created
    LIKE it (columns, defaults, CHECK constraints, identity), filled, indexed under the same names and the old one
    dropped; then the new identity sequence takes the old one's name and position."""
    old = f"{table}_old"
    cursor.execute("SELECT i.relname, pg_get_indexdef(i.oid), x.indisprimary FROM pg_index x "
                   "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = to_regclass(%s)", [table])
    indexes = cursor.fetchall()
    cursor.execute("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                   "WHERE conrelid = to_regclass(%s) AND contype IN ('p', 'f')", [table])
    constraints = cursor.fetchall()
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (sequence,) = cursor.fetchone()
    if sequence is None:
        raise RuntimeError(f"{table}.id has no identity sequence")
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
    last_value, is_called = cursor.fetchone()
    columns = ", ".join(f'"{c}"' for c in _columns(cursor, table))

    for name, _kind, _definition in constraints:
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _definition, primary in indexes:
        if not primary:
            cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
    cursor.execute(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE '
                   f"INCLUDING COMMENTS INCLUDING IDENTITY) {partition_by}")
    make_partitions(table)
    cursor.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{old}" ORDER BY id')
    for name, kind, _definition in constraints:
        if kind == "p":
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" PRIMARY KEY {key}')
    for _name, definition, primary in indexes:
        if not primary:
            # a partitioned table's index reads "ON ONLY <table>"; created on the parent, it reaches every partition
            cursor.execute(definition.replace(" ON ONLY ", " ON "))
    for name, kind, definition in constraints:
        if kind == "f":
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(f'DROP TABLE "{old}" CASCADE')  # CASCADE: its partitions, when it was the partitioned one
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (new_sequence,) = cursor.fetchone()
    bare = sequence.split(".")[-1].strip('"')
    if new_sequence != sequence:
        cursor.execute(f'ALTER SEQUENCE {new_sequence} RENAME TO "{bare}"')
    cursor.execute("SELECT setval(%s, %s, %s)", [sequence, last_value, is_called])
    cursor.execute(f'ANALYZE "{table}"')


def analyze_on_commit(counties: set[str], *, using: str = "default", table: str = TABLE) -> None:
    """Once the current transaction commits, ANALYZE what an import wrote: the partitions of `counties` ("" the
    DEFAULT one) when the table is partitioned — the other counties' statistics are unchanged, and a province's
    whole table would take seconds to sample —, else the whole table (SpatiaLite, an unpartitioned PostgreSQL)."""

    def run() -> None:
        connection = connections[using]
        partitions = county_partitions(using, table)
        names = [partitions[c] for c in sorted(counties) if c in partitions]
        if not partitions:
            names = [table]
        elif any(c not in partitions for c in counties) and "" in partitions:
            names.append(partitions[""])  # a county without its partition wrote into DEFAULT
        with connection.cursor() as cursor:
            for name in dict.fromkeys(names):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")

    transaction.on_commit(run, using=using)
