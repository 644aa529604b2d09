"""The job lease, retry and retention settings come from the environment and stop start-up when bad."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("LANDGUARD_JOB_LEASE_SECONDS", "soon", "LANDGUARD_JOB_LEASE_SECONDS must be a whole number"),
    ("LANDGUARD_JOB_MAX_ATTEMPTS", "0", "LANDGUARD_JOB_MAX_ATTEMPTS must be at least 1"),
    ("LANDGUARD_JOB_UPLOAD_RETENTION_DAYS", "0", "LANDGUARD_JOB_UPLOAD_RETENTION_DAYS must be at least 1"),
])
def test_a_bad_job_setting_stops_the_worker_naming_the_variable(variable, value, message):
    env = {**os.environ, variable: value, "DJANGO_SETTINGS_MODULE": "landguard.settings"}
    result = subprocess.run([sys.executable, "manage.py", "db_worker", "--batch"], cwd=ROOT, env=env,
                            capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0 and message in result.stderr
