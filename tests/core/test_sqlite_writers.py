"""The embedded database under concurrent writers: they queue, none fails with "database is locked".

Runs in both suites: it always uses a SpatiaLite file of its own (the settings under test are the embedded
default's), in separate processes as gunicorn workers or the db_worker beside the web server would.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

WRITER = Path(__file__).resolve().parents[1] / "sqlite_writer.py"


def test_concurrent_read_then_write_transactions_queue_instead_of_failing(tmp_path):
    db = tmp_path / "writers.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE burst (value TEXT)")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = f"spatialite://{db}"
    writers = [subprocess.Popen([sys.executable, str(WRITER), str(i)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for i in range(6)]
    results = [(w.wait(timeout=120), *w.communicate()) for w in writers]
    assert [code for code, _, _ in results] == [0] * 6, [err[-500:] for _, _, err in results if err]
    assert {out.strip() for _, out, _ in results} == {"wal"}  # readers never wait for the writer
    with sqlite3.connect(db) as conn:
        assert sorted(v for (v,) in conn.execute("SELECT value FROM burst")) == [str(i) for i in range(6)]
