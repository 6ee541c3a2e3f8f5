"""A million posts: how long `flask seed bench` takes, then search over them.

    python bench/search_bench.py [--database sqlite|postgresql] [--threads 1000]
                                 [--posts-per-thread 1000] [--queries 300]

Makes its own database (a SQLite file in a temporary folder, or a PostgreSQL database on the
local server, dropped after), brings it to the schema, times the seed (and its peak RSS), then
runs bench/search_timing.py against it. Prints `name value unit` lines and adds the figures to
bench/results/<date>.json.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = sys.executable

from bench.databases import scratch_database  # noqa: E402
from bench.results_file import record  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--threads", type=int, default=1000)
    parser.add_argument("--posts-per-thread", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, FORUM_INSTANCE_PATH=str(tmp), SECRET_KEY="bench")
    env.pop("REDIS_URL", None)
    env["DATABASE_URL"], drop = scratch_database(args.database, tmp, "searchbench")
    flask = [PY, "-m", "flask", "--app", "wsgi"]
    figures: dict[str, float] = {}
    posts = args.threads * args.posts_per_thread
    try:
        subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        started = time.monotonic()
        subprocess.run(flask + ["seed", "bench", "--threads", str(args.threads),
                                "--posts-per-thread", str(args.posts_per_thread)],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        seconds = time.monotonic() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        figures[f"seed_bench_{args.database}_{posts}_posts_s"] = seconds
        figures[f"seed_bench_{args.database}_peak_rss_mb"] = peak
        print(f"seed_bench_{args.database}_{posts}_posts {seconds:.0f} s", flush=True)
        print(f"seed_bench_{args.database}_peak_rss {peak:.0f} MB", flush=True)
        out = subprocess.run([PY, "bench/search_timing.py", "--queries", str(args.queries)],
                             cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            name, value, unit = line.split()
            print(line, flush=True)
            figures[f"{name}_{unit}"] = float(value)
    finally:
        drop()
    record(figures)


if __name__ == "__main__":
    main()
