"""Camera-alarm intake throughput (issue 4): a burst of 1 000 alarms over HTTP into a production-like server.

The server is gunicorn (2 sync workers: one per core) on 127.0.0.1 over a fresh database (SpatiaLite file, or the
PostgreSQL database in DATABASE_URL) holding the demo county; the client is 8 threads in this process posting
distinct alarms from the demo's cameras. Afterwards every alarm must be stored exactly once. Writes the JSON
result to the path given as the last argument.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import ROOT, setup_django

ALARMS = 1000
CLIENTS = 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, key: str, body: dict) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main(out: Path) -> None:
    py = sys.executable
    env = dict(os.environ)
    subprocess.run([py, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([py, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    setup_django()
    from landguard.demo.supervision import SOURCE_NAME
    from landguard.supervision.models import Camera, Detection

    # A new key for the demo's tower-camera platform (its cameras are registered to that source).
    key = subprocess.run([py, "manage.py", "alarm_source_key", "--county", "371525", "--name", SOURCE_NAME], cwd=ROOT,
                         env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    cameras = list(
        Camera.objects.filter(source__name=SOURCE_NAME).order_by("code").values_list("code", "position")[:40])
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(py).parent / "gunicorn"), "landguard.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
                               "--access-logfile", "-", "--log-level", "warning"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/api/supervision/alarms/"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # bounded wait for the server to answer
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+08:00")

        def send(i: int) -> int:
            code, position = cameras[i % len(cameras)]
            body = {"event_id": f"BENCH-{i:05d}", "camera_id": code, "time": stamp,
                    "target": {"lon": position.x + 0.00005 * (i // len(cameras)), "lat": position.y}}
            return _post(url, key, body)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            statuses = list(pool.map(send, range(ALARMS)))
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = Detection.objects.filter(event_id__startswith="BENCH-").count()
    distinct = Detection.objects.filter(event_id__startswith="BENCH-").values("event_id").distinct().count()
    result = {"ok": stored == ALARMS and distinct == ALARMS, "alarms": ALARMS, "clients": CLIENTS,
              "server": "gunicorn -w 2",
              "accepted_201": statuses.count(201), "statuses": {str(s): statuses.count(s) for s in set(statuses)},
              "stored": stored, "distinct_stored": distinct, "seconds": round(seconds, 2),
              "per_second": round(ALARMS / seconds, 1), "ms_per_alarm": round(1000 * seconds / ALARMS, 2)}
    if not result["ok"]:
        result["error"] = f"{stored} of {ALARMS} alarms stored"
    out.write_text(json.dumps(result))


if __name__ == "__main__":
    main(Path(sys.argv[-1]))
