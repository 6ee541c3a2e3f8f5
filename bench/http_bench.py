"""HTTP benchmark of the forum against a real server, with wrk as the load generator.

    python bench/http_bench.py [--database sqlite|postgresql] [--server wsgi|gunicorn]
                               [--duration 10] [--connections 16]

Seeds its own database (`flask seed bench`: 20 threads of 500 posts and one of 10,000), starts
the server (`python wsgi.py`, or Gunicorn with the gevent worker) and a ceiling app served the
same way, runs wrk against each endpoint on 127.0.0.1 for a bounded time, and prints one line per
figure (`name value unit`), then writes the figures as JSON to bench/results/<date>.json.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.databases import scratch_database  # noqa: E402
from bench.results_file import record  # noqa: E402
from tests.live.conftest import free_port, make_users, stop, wait_ready  # noqa: E402

PY = sys.executable


def wrk(url: str, duration: int, connections: int, script: str | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    if script:
        command += ["-s", script]
    out = subprocess.run(command + [url], capture_output=True, text=True, timeout=duration + 60
                         ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {}
    for pct in ("50", "99"):
        match = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match.group(1)), match.group(2)
        latency[pct] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50_ms": latency["50"], "p99_ms": latency["99"],
            "non_2xx": int(errors.group(1)) if errors else 0}


def rss_mb(pid: int) -> float:
    total = 0.0
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)],
                                                   capture_output=True, text=True).stdout.split()]
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total = max(total, int(line.split()[1]) / 1024)
        except OSError:
            pass
    return total


def serve(kind: str, target: str, port: int, env: dict, workers: int = 1) -> subprocess.Popen:
    if kind == "gunicorn":
        config = ["-c", "gunicorn.conf.py" if target == "wsgi:app"
                  else "python:bench.gunicorn_ceiling"]
        command = [PY, "-m", "gunicorn", *config, "-k", "gevent", "-w", str(workers),
                   "--bind", f"127.0.0.1:{port}", target]
    elif target == "wsgi:app":
        command = [PY, "wsgi.py", "--port", str(port)]
    else:
        command = [PY, "bench/ceiling.py", str(port)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for_ceiling(port: int) -> None:
    import time

    for _ in range(300):
        try:
            if requests.get(f"http://127.0.0.1:{port}/ping", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError("the ceiling app did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--server", choices=("wsgi", "gunicorn"), default="wsgi")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1,
                        help="Gunicorn worker processes; more than one shares a Redis of its own")
    args = parser.parse_args()
    if args.workers > 1 and args.server != "gunicorn":
        parser.error("--workers needs --server gunicorn")
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, FORUM_INSTANCE_PATH=str(tmp), RATELIMIT_ENABLED="false",
               SECRET_KEY="bench")
    env.pop("REDIS_URL", None)
    redis = None
    if args.workers > 1:
        redis_port = free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind",
                                  "127.0.0.1", "--save", "", "--appendonly", "no"],
                                 stdout=subprocess.DEVNULL)
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    env["DATABASE_URL"], drop = scratch_database(args.database, tmp, "httpbench")
    flask = [PY, "-m", "flask", "--app", "wsgi"]
    figures: dict[str, float] = {}
    prefix = f"{args.database}_{args.server}" + (f"{args.workers}w_redis" if redis else "")
    servers = []
    try:
        subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        subprocess.run(flask + ["seed", "bench", "--threads", "1", "--posts-per-thread",
                                "10000"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run(flask + ["seed", "bench", "--threads", "20", "--posts-per-thread", "500"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        token = make_users(env, {"benchposter": False})["benchposter"]
        port, ceiling_port = free_port(), free_port()
        servers = [serve(args.server, "wsgi:app", port, env, args.workers),
                   serve(args.server, "bench.ceiling:app", ceiling_port, env)]
        wait_ready(servers[0], port, 60)
        _wait_for_ceiling(ceiling_port)
        base = f"http://127.0.0.1:{port}"
        h = {"Authorization": f"Bearer {token}"}
        groups = requests.get(f"{base}/api/v1/groups?per_page=100").json()["items"]
        big_group = groups[0]["slug"]
        requests.post(f"{base}/api/v1/groups/{big_group}/join", headers=h)
        topic = requests.get(f"{base}/api/v1/groups/{big_group}/topics").json()["items"][0]
        big_thread = requests.get(f"{base}/api/v1/topics/{topic['id']}/threads?per_page=1"
                                  ).json()["items"][0]["id"]
        small_slug = groups[1]["slug"]
        small_topic = requests.get(f"{base}/api/v1/groups/{small_slug}/topics"
                                   ).json()["items"][0]["id"]
        small_thread = requests.get(f"{base}/api/v1/topics/{small_topic}/threads"
                                    ).json()["items"][0]["id"]
        post_script = tmp / "post.lua"
        post_script.write_text(
            'wrk.method = "POST"\n'
            'wrk.body = \'{"body": "A benchmark reply about **interpreting** services"}\'\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.headers["Authorization"] = "Bearer {token}"\n')
        import time

        time.sleep(1)
        runs = {
            "ceiling": (f"http://127.0.0.1:{ceiling_port}/ping", None),
            "groups_api": (f"{base}/api/v1/groups", None),
            "posts_api_page1": (f"{base}/api/v1/threads/{big_thread}/posts?per_page=20", None),
            "posts_api_page500": (f"{base}/api/v1/threads/{big_thread}/posts?per_page=20"
                                  "&page=500", None),
            "thread_page_50_posts": (f"{base}/threads/{small_thread}", None),
            "group_page": (f"{base}/groups/{small_slug}", None),
            "topic_page": (f"{base}/topics/{small_topic}", None),
            "post_create": (f"{base}/api/v1/threads/{big_thread}/posts", str(post_script)),
        }
        for name, (url, script) in runs.items():
            result = wrk(url, args.duration, args.connections, script)
            for key, value in result.items():
                figures[f"{prefix}_{name}_{key}"] = value
            unit = {"rps": "req/s", "p50_ms": "ms", "p99_ms": "ms", "non_2xx": "responses"}
            for key, value in result.items():
                print(f"{prefix}_{name}_{key} {value:.1f} {unit[key]}", flush=True)
        ceiling = figures[f"{prefix}_ceiling_rps"]
        for name in ("posts_api_page1", "thread_page_50_posts"):
            share = figures[f"{prefix}_{name}_rps"] / ceiling * 100
            figures[f"{prefix}_{name}_share_of_ceiling"] = share
            print(f"{prefix}_{name}_share_of_ceiling {share:.0f} %")
        figures[f"{prefix}_server_rss_mb"] = rss_mb(servers[0].pid)
        print(f"{prefix}_server_rss {figures[f'{prefix}_server_rss_mb']:.0f} MB "
              "(largest process)")
    finally:
        for server in servers:
            stop(server)
        drop()
        if redis is not None:
            redis.terminate()
    record(figures)


if __name__ == "__main__":
    main()
