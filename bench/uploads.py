"""Upload and download of one large document through a real server (`python wsgi.py`): wall
time and the server process's peak memory, on SQLite and PostgreSQL.

    python bench/uploads.py [--db sqlite|postgresql|both] [--mb 20] [--rounds 3]

The peak is the process's VmHWM (Linux), reset before each transfer through
/proc/PID/clear_refs, so each figure is that transfer's own peak; "extra" is the peak minus the
resident size just before it. Chunked storage means neither direction should hold the file in
memory: the extra should stay far below the file's size.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.databases import scratch_database  # noqa: E402
from bench.results_file import record  # noqa: E402
from tests.live.conftest import free_port, start_server, stop, wait_ready  # noqa: E402

SETUP = """
import json
from forum import create_app
from forum.services import accounts, groups, topics
app = create_app()
with app.app_context():
    admin = accounts.create_user("admin", "admin@example.org", "bench-password-1", is_admin=True)
    group = groups.create_group(admin, "bench", "Bench", "About", "private", "invite", False)
    topic = topics.create_topic(admin, group, "Topic", "Briefing", "open")
    print(json.dumps({"token": accounts.create_token("admin", "bench"), "topic": topic.id}))
"""


def _status(pid: int, field: str) -> float:
    """A /proc/PID/status size in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS


def measure(pid: int, action) -> dict:
    _reset_peak(pid)
    before = _status(pid, "VmRSS")
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    peak = _status(pid, "VmHWM")
    return {"seconds": seconds, "rss_before_mb": before, "peak_mb": peak,
            "extra_mb": peak - before, "result": result}


def run(kind: str, size_mb: int, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        url, drop = scratch_database(kind, Path(folder), "uploadbench")
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench-secret",
                   FORUM_INSTANCE_PATH=str(Path(folder) / "instance"),
                   RATELIMIT_ENABLED="false", UPLOAD_MAX_MB=str(size_mb))
        env.pop("REDIS_URL", None)
        port = free_port()
        server = start_server(env, port)
        try:
            wait_ready(server, port, seconds=60)
            done = subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=120, check=True)
            setup = json.loads(done.stdout.strip().splitlines()[-1])
            base = f"http://127.0.0.1:{port}/api/v1"
            auth = {"Authorization": f"Bearer {setup['token']}"}
            payload = b"%PDF-1.7\n" + os.urandom(size_mb * 1024 * 1024 - 9)
            digest = hashlib.sha256(payload).hexdigest()
            ups, downs = [], []
            for n in range(rounds):
                def upload(n=n):
                    r = requests.post(f"{base}/topics/{setup['topic']}/attachments",
                                      headers=auth, timeout=300,
                                      files={"file": (f"big-{n}.pdf", payload,
                                                      "application/pdf")})
                    assert r.status_code == 201, r.text[:300]
                    assert r.json()["sha256"] == digest
                    return r.json()["id"]

                up = measure(server.pid, upload)

                def download(attachment_id=up["result"]):
                    h, size = hashlib.sha256(), 0
                    with requests.get(f"{base}/attachments/{attachment_id}", headers=auth,
                                      stream=True, timeout=300) as r:
                        assert r.status_code == 200
                        for chunk in r.iter_content(256 * 1024):
                            h.update(chunk)
                            size += len(chunk)
                    assert h.hexdigest() == digest and size == len(payload)
                    return size

                ups.append(up)
                downs.append(measure(server.pid, download))
            over = requests.post(f"{base}/topics/{setup['topic']}/attachments", headers=auth,
                                 files={"file": ("over.pdf", payload + b"x" * (512 * 1024))},
                                 timeout=300)
            assert over.status_code == 413, over.status_code
        finally:
            stop(server)
            drop()

    def summary(items, direction):
        best = min(items, key=lambda i: i["seconds"])
        return {
            f"uploads_{kind}_{direction}_seconds_median": round(
                statistics.median(i["seconds"] for i in items), 3),
            f"uploads_{kind}_{direction}_mb_per_s": round(size_mb / best["seconds"], 1),
            f"uploads_{kind}_{direction}_peak_extra_mb_max": round(
                max(i["extra_mb"] for i in items), 1),
            f"uploads_{kind}_{direction}_peak_rss_mb_max": round(
                max(i["peak_mb"] for i in items), 1),
        }

    return {**summary(ups, "upload"), **summary(downs, "download")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures = {}
    for kind in (("sqlite", "postgresql") if args.db == "both" else (args.db,)):
        figures.update(run(kind, args.mb, args.rounds))
    for name, value in figures.items():
        print(f"{name:50} {value}")
    record(figures)


if __name__ == "__main__":
    main()
