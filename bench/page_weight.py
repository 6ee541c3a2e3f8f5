"""The thread page's weight for an English reader: HTML + CSS + JS as sent gzipped.

    python -m bench.page_weight [--against COMMIT]

Measures this tree and, with --against, the same page at COMMIT (exported with git archive to a
temporary folder) on a fresh SQLite database with the demo seed, and prints both in bytes."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MEASURE = r"""
import gzip, json, re, sys, tempfile, os
from forum import create_app
from forum.extensions import db
folder = tempfile.mkdtemp()
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite:///" + folder + "/w.db",
                  "INSTANCE_PATH": folder, "RATELIMIT_ENABLED": False})
with app.app_context():
    db.create_all()
    from forum.seed import seed_demo
    seed_demo()
client = app.test_client()
page = client.get("/threads/1", headers={"Accept-Language": "en-GB"})
assert page.status_code == 200, page.status_code
html = page.get_data()
sizes = {"html": len(gzip.compress(html, 9))}
for kind, pattern in (("css", rb'<link[^>]+href="([^"]+\.css[^"]*)"'),
                      ("js", rb'<script[^>]+src="([^"]+\.js[^"]*)"')):
    for url in re.findall(pattern, html):
        body = client.get(url.decode()).get_data()
        sizes[kind] = sizes.get(kind, 0) + len(gzip.compress(body, 9))
sizes["total"] = sum(sizes.values())
print(json.dumps(sizes))
"""


def measure(tree: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE], cwd=tree, capture_output=True,
                          text=True, timeout=300, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin"})
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against")
    args = parser.parse_args()
    now = measure(ROOT)
    print("this tree:", now)
    if args.against:
        with tempfile.TemporaryDirectory() as folder:
            archive = subprocess.run(["git", "archive", args.against], cwd=ROOT, check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
            before = measure(Path(folder))
        print(f"{args.against}:", before)
        print("growth:", now["total"] - before["total"], "bytes")


if __name__ == "__main__":
    main()
