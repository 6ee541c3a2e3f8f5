"""HTTP benchmark of the forum against a real server, with wrk as the load generator.

    python bench/http_bench.py [--database sqlite|postgresql] [--server wsgi|gunicorn]
                               [--workers 1] [--threads 0] [--duration 10] [--connections 16]

Seeds its own database (`flask seed bench`: one thread of 10,000 posts, then 20 threads of 50),
starts the server (`python wsgi.py`, or Gunicorn: gevent workers, or gthread workers with
--threads) and the ceiling app (bench/ceiling.py: a bare JSON route and a bare route reading 20
rows) served the same way, runs wrk against each endpoint on 127.0.0.1 for a bounded time and
prints one line per figure (`name value unit`). It ends with the read-speed table of issue #22:
each figure as a share of the bare JSON route measured in the same run (and of the bare
20-row route), its target, met or not. Figures go to bench/results/<date>.json.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.databases import scratch_database  # noqa: E402
from bench.results_file import record  # noqa: E402
from bench.servers import rss_mb, start_redis, wait_answering  # noqa: E402
from tests.live.conftest import free_port, make_users, stop  # noqa: E402

PY = sys.executable
MEMBER = "benchposter"
PASSWORD = "live-password-1"  # what tests/live/conftest.make_users gives every account
THREAD_PAGE_POSTS = 50
UNITS = {"rps": "req/s", "p50_ms": "ms", "p99_ms": "ms", "non_2xx": "responses"}
POSTING_TARGET = {"sqlite": 300, "postgresql": 250}  # req/s, one process
IDLE_RSS_TARGET_MB = 80


def wrk(url: str, duration: int, connections: int, headers: dict | None = None,
        script: str | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", script]
    out = subprocess.run(command + [url], capture_output=True, text=True, timeout=duration + 60,
                         check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {}
    for pct in ("50", "99"):
        match = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match.group(1)), match.group(2)
        latency[pct] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50_ms": latency["50"], "p99_ms": latency["99"],
            "non_2xx": int(errors.group(1)) if errors else 0}


def serve(kind: str, target: str, port: int, env: dict, workers: int = 1,
          threads: int = 0) -> subprocess.Popen:
    if kind == "gunicorn":
        config = ["-c", "gunicorn.conf.py" if target == "wsgi:app"
                  else "python:bench.gunicorn_ceiling"]
        worker = ["-k", "gthread", "--threads", str(threads)] if threads else ["-k", "gevent"]
        command = [PY, "-m", "gunicorn", *config, *worker, "-w", str(workers),
                   "--bind", f"127.0.0.1:{port}", target]
    elif target == "wsgi:app":
        command = [PY, "wsgi.py", "--port", str(port)]
    else:
        command = [PY, "bench/ceiling.py", str(port)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def seed(env: dict) -> str:
    """The scratch database at the current schema, the bench data in it; the member's token."""
    flask = [PY, "-m", "flask", "--app", "wsgi"]
    for args in (["db", "upgrade"],
                 ["seed", "bench", "--threads", "1", "--posts-per-thread", "10000"],
                 ["seed", "bench", "--threads", "20", "--posts-per-thread",
                  str(THREAD_PAGE_POSTS)]):
        subprocess.run(flask + args, cwd=ROOT, env=env, check=True, capture_output=True)
    return make_users(env, {MEMBER: False})[MEMBER]


@dataclass
class Place:
    group: dict
    topic: int
    thread: int


def find_thread(base: str, post_count: int) -> Place:
    """The first thread with that many posts, walking the API as an anonymous reader."""
    api = f"{base}/api/v1"
    for group in requests.get(f"{api}/groups?per_page=100", timeout=30).json()["items"]:
        for topic in requests.get(f"{api}/groups/{group['slug']}/topics?per_page=100",
                                  timeout=30).json()["items"]:
            for thread in requests.get(f"{api}/topics/{topic['id']}/threads?per_page=100",
                                       timeout=30).json()["items"]:
                if thread["post_count"] == post_count:
                    return Place(group, topic["id"], thread["id"])
    raise RuntimeError(f"no thread of {post_count} posts")


def sign_in(base: str, username: str, password: str) -> str:
    """A browser's sign-in through the HTML form; the Cookie header that carries the session."""
    session = requests.Session()
    form = session.get(f"{base}/login", timeout=30).text
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', form).group(0)
    csrf = re.search(r'value="([^"]*)"', tag).group(1)
    answer = session.post(f"{base}/login", allow_redirects=False, timeout=30,
                          data={"username": username, "password": password, "csrf_token": csrf})
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in answered {answer.status_code}")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)


def check_thread_page(url: str, headers: dict, member: bool) -> None:
    """What wrk will load is really the page meant: 200, 50 posts, the member's view or not."""
    page = requests.get(url, headers=headers, timeout=30, allow_redirects=False)
    shown = len(re.findall(r'<article\b[^>]*\bid="post-\d+"', page.text))
    signed_in = 'action="/logout"' in page.text
    may_reply = 'name="body"' in page.text
    if (page.status_code, shown, signed_in, may_reply) != (200, THREAD_PAGE_POSTS, member,
                                                           member):
        raise RuntimeError(f"{url}: status {page.status_code}, {shown} posts, signed in "
                           f"{signed_in}, reply form {may_reply}; expected 200, "
                           f"{THREAD_PAGE_POSTS} posts, member view {member}")


def check_posts_api(url: str, headers: dict) -> None:
    answer = requests.get(url, headers=headers, timeout=30)
    if answer.status_code != 200 or len(answer.json()["items"]) != 20:
        raise RuntimeError(f"{url}: {answer.status_code}, not a page of 20 posts")


def post_script(folder: Path, token: str) -> str:
    path = folder / "post.lua"
    path.write_text(
        'wrk.method = "POST"\n'
        'wrk.body = \'{"body": "A benchmark reply about **interpreting** services"}\'\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n')
    return str(path)


def plan_runs(base: str, ceiling: str, token: str, folder: Path) -> dict:
    """name -> (url, headers, wrk script); every read checked once before it is loaded."""
    big = find_thread(base, 10000)
    small = find_thread(base, THREAD_PAGE_POSTS)
    for place in (big, small):
        if place.group["visibility"] != "public":
            raise RuntimeError(f"group {place.group['slug']} is not public")
        requests.post(f"{base}/api/v1/groups/{place.group['slug']}/join", timeout=30,
                      headers={"Authorization": f"Bearer {token}"}).raise_for_status()
    bearer = {"Authorization": f"Bearer {token}"}
    cookie = {"Cookie": sign_in(base, MEMBER, PASSWORD)}
    posts = f"{base}/api/v1/threads/{big.thread}/posts?per_page=20"
    thread_page = f"{base}/threads/{small.thread}"
    for page in (1, 40, 500):
        check_posts_api(f"{posts}&page={page}", bearer)
    check_posts_api(posts, {})
    check_thread_page(thread_page, cookie, member=True)
    check_thread_page(thread_page, {}, member=False)
    return {
        "ceiling": (f"{ceiling}/ping", {}, None),
        "ceiling_20_rows": (f"{ceiling}/rows?thread={big.thread}", {}, None),
        "groups_api": (f"{base}/api/v1/groups", {}, None),
        "posts_api_page1": (posts, bearer, None),
        "posts_api_page1_anonymous": (posts, {}, None),
        "posts_api_page40": (f"{posts}&page=40", bearer, None),
        "posts_api_page500": (f"{posts}&page=500", bearer, None),
        "thread_page_50_posts": (thread_page, cookie, None),
        "thread_page_50_posts_anonymous": (thread_page, {}, None),
        "group_page": (f"{base}/groups/{small.group['slug']}", {}, None),
        "topic_page": (f"{base}/topics/{small.topic}", {}, None),
        "post_create": (f"{base}/api/v1/threads/{big.thread}/posts", {},
                        post_script(folder, token)),
    }


class Figures(dict):
    """name -> value under one prefix; each one printed as `name value unit` when set."""

    def __init__(self, prefix: str):
        super().__init__()
        self.prefix = prefix

    def put(self, name: str, value: float, unit: str) -> None:
        self[f"{self.prefix}_{name}"] = value
        print(f"{self.prefix}_{name} {value:.{2 if unit == 'ratio' else 1}f} {unit}", flush=True)

    def get_(self, name: str) -> float:
        return self[f"{self.prefix}_{name}"]


def verdict(value: float, limit: float, at_least: bool = True) -> str:
    return "met" if (value >= limit if at_least else value <= limit) else "not met"


def issue_table(figures: Figures, database: str, processes: int, server: str) -> list[tuple]:
    """The rows of issue #22: (what, measured, ÷ bare JSON, ÷ bare 20 rows, target, verdict)."""
    bare, bare_rows = figures.get_("ceiling_rps"), figures.get_("ceiling_20_rows_rps")
    rows = [("bare JSON route (/ping)", f"{bare:,.0f} req/s", "1.00", "", "", ""),
            ("bare route reading 20 rows", f"{bare_rows:,.0f} req/s", f"{bare_rows / bare:.2f}",
             "1.00", "", "")]
    for what, name, share in (
            ("posts API page 1, member with a token", "posts_api_page1", 0.40),
            ("posts API page 1, anonymous (public group)", "posts_api_page1_anonymous", 0.50),
            ("thread page HTML, 50 posts, member (cookie)", "thread_page_50_posts", 0.15),
            ("thread page HTML, 50 posts, anonymous", "thread_page_50_posts_anonymous", None),
            ("posts API page 40, member", "posts_api_page40", None),
            ("posts API page 500, member", "posts_api_page500", None)):
        rps = figures.get_(f"{name}_rps")
        rows.append((what, f"{rps:,.0f} req/s", f"{rps / bare:.1%}", f"{rps / bare_rows:.1%}",
                     f">= {share:.0%} of bare" if share else "",
                     verdict(rps / bare, share) if share else ""))
    for page in (40, 500):
        ratio = figures.get_(f"posts_api_page{page}_over_page1")
        rows.append((f"posts API page {page} / page 1", f"{ratio:.2f}", "", "", ">= 0.9",
                     verdict(ratio, 0.9)))
    posting = figures.get_("post_create_rps")
    if processes == 1:
        rows.append(("posting, one process", f"{posting:,.0f} req/s", f"{posting / bare:.1%}",
                     f"{posting / bare_rows:.1%}", f">= {POSTING_TARGET[database]}/s",
                     verdict(posting, POSTING_TARGET[database])))
    else:
        rows.append((f"posting, {processes} processes", f"{posting:,.0f} req/s",
                     f"{posting / bare:.1%}", f"{posting / bare_rows:.1%}",
                     "(target is for one process)", ""))
    idle = figures.get_("server_idle_rss_mb")
    rows.append((f"idle RSS ({server}, after one /healthz)", f"{idle:.0f} MB", "", "",
                 f"<= {IDLE_RSS_TARGET_MB} MB" if server == "wsgi" else "(target: wsgi.py)",
                 verdict(idle, IDLE_RSS_TARGET_MB, at_least=False) if server == "wsgi" else ""))
    rows.append(("RSS after the load", f"{figures.get_('server_rss_mb'):.0f} MB", "", "", "", ""))
    return rows


def print_table(title: str, rows: list[tuple]) -> None:
    header = ("what", "measured", "÷ bare JSON", "÷ bare 20 rows", "target", "verdict")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(str(cell).ljust(w) for cell, w in zip(row, widths)) + " |")
    print(flush=True)


def measure(args, env: dict, figures: Figures, folder: Path) -> None:
    token = seed(env)
    port, ceiling_port = free_port(), free_port()
    servers = [serve(args.server, "wsgi:app", port, env, args.workers, args.threads),
               serve(args.server, "bench.ceiling:app", ceiling_port, env, args.workers,
                     args.threads)]
    try:
        base, ceiling = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{ceiling_port}"
        wait_answering(f"{base}/healthz", servers[0])  # its first request
        time.sleep(1)
        figures.put("server_idle_rss_mb", rss_mb(servers[0].pid), "MB")
        wait_answering(f"{ceiling}/ping", servers[1])
        runs = plan_runs(base, ceiling, token, folder)
        for name, (url, headers, script) in runs.items():
            if script is None:  # a second of warm-up: every worker, thread and cache ready
                wrk(url, 1, args.connections, headers)
            for key, value in wrk(url, args.duration, args.connections, headers, script).items():
                figures.put(f"{name}_{key}", value, UNITS[key])
        figures.put("server_rss_mb", rss_mb(servers[0].pid), "MB")
    finally:
        for server in servers:
            stop(server)
    for name in [n for n in runs if n not in ("ceiling", "ceiling_20_rows")]:
        rps = figures.get_(f"{name}_rps")
        figures.put(f"{name}_share_of_ceiling", rps / figures.get_("ceiling_rps") * 100, "%")
        figures.put(f"{name}_share_of_ceiling_20_rows",
                    rps / figures.get_("ceiling_20_rows_rps") * 100, "%")
    for page in (40, 500):
        figures.put(f"posts_api_page{page}_over_page1", figures.get_(f"posts_api_page{page}_rps")
                    / figures.get_("posts_api_page1_rps"), "ratio")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--server", choices=("wsgi", "gunicorn"), default="wsgi")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1,
                        help="Gunicorn worker processes; more than one shares a Redis of its own")
    parser.add_argument("--threads", type=int, default=0,
                        help="Gunicorn gthread workers with this many threads (default: gevent)")
    args = parser.parse_args()
    if (args.workers > 1 or args.threads) and args.server != "gunicorn":
        parser.error("--workers and --threads need --server gunicorn")
    folder = Path(tempfile.mkdtemp())
    env = dict(os.environ, FORUM_INSTANCE_PATH=str(folder), RATELIMIT_ENABLED="false",
               SECRET_KEY="bench")
    env.pop("REDIS_URL", None)
    redis = None
    if args.workers > 1:
        env["REDIS_URL"], redis = start_redis()
    shape = (f"{args.workers}w" if args.workers > 1 or args.threads else "") + (
        f"{args.threads}t" if args.threads else "")
    figures = Figures(f"{args.database}_{args.server}{shape}" + ("_redis" if redis else ""))
    env["DATABASE_URL"], drop = scratch_database(args.database, folder, "httpbench")
    try:
        measure(args, env, figures, folder)
    finally:
        drop()
        if redis is not None:
            redis.terminate()
    processes = args.workers if args.server == "gunicorn" else 1
    print_table(f"Issue #22 read-speed table: {figures.prefix} ({args.database}, {args.server}, "
                f"{processes} process(es){f' x {args.threads} threads' if args.threads else ''}"
                f", wrk {args.connections} connections, {args.duration} s each)",
                issue_table(figures, args.database, processes, args.server))
    record(dict(figures))


if __name__ == "__main__":
    main()
