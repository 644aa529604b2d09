"""What the tests that run real worker processes share (tests/jobs/test_job_lease.py, tests/jobs/test_dask_batches.py,
tests/approvals/test_dossier_batches.py): a database the test's own transaction does not hide from them — a file
copy of the SpatiaLite test database (the `sqlite_copy` fixture), or the PostGIS test database itself — and
`manage.py` run against it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.db import connection

REPO = Path(__file__).resolve().parents[1]
POSTGIS = os.environ.get("DATABASE_URL", "").startswith("post")


class SharedDatabase:
    """The database the worker processes share. Read here through a fresh statement each time (READ COMMITTED on
    PostgreSQL, a new connection to the file on SQLite), so what the workers committed is seen."""

    def __init__(self, tmp_path: Path, sqlite_copy: Path | None) -> None:
        self.var = tmp_path / "var"
        if POSTGIS:
            self.url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
        else:
            assert sqlite_copy is not None
            self.path = sqlite_copy
            self.url = f"spatialite://{self.path}"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a worker process on this database (a local Dask cluster, never a configured one)."""
        env = dict(os.environ, DATABASE_URL=self.url, LANDGUARD_VAR_DIR=str(self.var), LANDGUARD_LOG_LEVEL="WARNING")
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.pop("LANDGUARD_DASK_SCHEDULER", None)
        env.update(extra)
        return env

    def query(self, sql: str, params: list) -> list[tuple]:
        if POSTGIS:
            with connection.cursor() as cursor:
                cursor.execute(sql.replace("?", "%s"), params)
                return cursor.fetchall()
        with sqlite3.connect(self.path, timeout=30) as db:
            return db.execute(sql, params).fetchall()


def manage(env: dict[str, str], *args: str, stdin: str = "", timeout: int = 600) -> str:
    """Run `manage.py` in a process of its own; its last line of output (the JSON a script printed)."""
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, input=stdin, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]
